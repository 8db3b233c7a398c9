"""The customer's payment page, the invoice request, the receipt files and the PayPal lookup."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from payments import services
from payments.models import InvoiceState, LookupState, PartState, PaymentReceipt, SupplementaryPayment
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.workflow import CaseActionError
from rma.required import parts as submissions
from rma.required import services as required_services
from tests import files
from tests.factories import AgentFactory, CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

GOOD_NUMBER = "5TY05013RG002845M"


def payment_url(case):
    return reverse("payments:payment", kwargs={"number": case.number})


def stored_files(tmp_path):
    """Files stored for cases; pictures kept from a refused form (``held/``) are tested apart."""
    root = tmp_path / "media"
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and "held" not in p.relative_to(root).parts)


@pytest.fixture
def payment_case():
    """Awaiting information, asking only for a payment (a refund with no return)."""
    return CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)


@pytest.fixture
def return_and_payment_case():
    return CaseFactory(
        status=Case.Status.AWAITING_INFO,
        refund=True,
        return_required=True,
        payment_due=True,
    )


@pytest.fixture
def customer_client(client, payment_case):
    client.force_login(payment_case.customer)
    return client


def post_proof(client, case, *, number=GOOD_NUMBER, receipts=None):
    receipts = receipts if receipts is not None else [files.jpeg("receipt-1.jpg"), files.png("receipt-2.png")]
    return client.post(payment_url(case), {"transaction_number": number, "receipts": receipts})


def test_the_payment_page_shows_amount_currency_account_and_how_to_pay(
    customer_client, payment_case, settings, django_assert_max_num_queries
):
    settings.PAYPAL_RECEIVING_ACCOUNT = "pay-us@example.com"

    # The ninth: pictures kept from a refused submission, shown as already chosen.
    with django_assert_max_num_queries(9):
        response = customer_client.get(payment_url(payment_case))

    page = response.content.decode()
    assert response.status_code == 200
    assert "12.50 USD" in page
    assert "pay-us@example.com" in page
    assert "How to pay" in page
    assert 'name="transaction_number"' in page
    assert 'name="receipts"' in page and "multiple" in page
    assert 'enctype="multipart/form-data"' in page
    assert reverse("payments:invoice_request", kwargs={"number": payment_case.number}) in page


def test_a_proof_is_stored_normalised_and_the_only_part_moves_the_case_to_review(
    customer_client, payment_case, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_proof(customer_client, payment_case, number="5ty0 5013-rg00 2845m")

    assert response.status_code == 302
    assert response["Location"] == payment_case.get_absolute_url()
    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.transaction_number == GOOD_NUMBER
    assert payment.state == PartState.SUBMITTED
    assert (payment.amount, payment.currency) == (Decimal("12.50"), "USD")
    receipts = list(payment.receipts.order_by("position"))
    assert [r.original_name for r in receipts] == ["receipt-1.jpg", "receipt-2.png"]
    assert len(stored_files(tmp_path)) == 4  # two images, two thumbnails
    payment_case.refresh_from_db()
    assert payment_case.status == Case.Status.UNDER_REVIEW
    actions = list(CaseEvent.objects.filter(case=payment_case).values_list("action", flat=True))
    assert actions == [Action.PAYMENT_SUBMIT, "mark_info_complete"]


def test_a_proof_on_a_case_that_also_needs_a_return_keeps_it_awaiting_information(
    client, return_and_payment_case
):
    client.force_login(return_and_payment_case.customer)

    response = post_proof(client, return_and_payment_case)

    assert response.status_code == 302
    return_and_payment_case.refresh_from_db()
    assert return_and_payment_case.status == Case.Status.AWAITING_INFO
    parts = {part.key: part.state for part in submissions.required_parts(return_and_payment_case)}
    assert parts == {"return": "to_do", "payment": "submitted"}


def test_six_receipts_are_refused_and_nothing_is_kept(customer_client, payment_case, tmp_path):
    response = post_proof(customer_client, payment_case, receipts=[files.jpeg(f"r{n}.jpg") for n in range(6)])

    assert response.status_code == 400
    assert "You chose 6 images; at most 5 images can be sent." in response.content.decode()
    assert not SupplementaryPayment.objects.filter(case=payment_case).exists()
    assert stored_files(tmp_path) == []
    payment_case.refresh_from_db()
    assert payment_case.status == Case.Status.AWAITING_INFO


def test_every_refused_file_is_named_with_its_reason(customer_client, payment_case, tmp_path):
    response = post_proof(
        customer_client,
        payment_case,
        receipts=[
            files.jpeg("fine.jpg"),
            files.text_file("receipt-3.jpg"),
            files.animated_webp("moving.webp"),
        ],
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "receipt-3.jpg is not a JPG, PNG or WEBP image." in page
    assert "moving.webp is animated; please send a still image." in page
    assert PaymentReceipt.objects.count() == 0
    assert stored_files(tmp_path) == []


def test_a_receipt_over_ten_megabytes_is_refused_with_its_size(customer_client, payment_case, tmp_path):
    response = post_proof(
        customer_client, payment_case, receipts=[files.noisy_png("receipt-3.png", megabytes=11)]
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"receipt-3\.png is 11(\.\d)? MB; the limit is 10 MB\.", page)
    assert stored_files(tmp_path) == []


def test_a_transaction_number_that_is_not_17_letters_and_digits_is_refused(customer_client, payment_case):
    response = post_proof(customer_client, payment_case, number="12345")

    assert response.status_code == 400
    assert "17 letters and digits" in response.content.decode()
    assert not SupplementaryPayment.objects.exists()


def test_no_receipt_is_refused(customer_client, payment_case):
    response = post_proof(customer_client, payment_case, receipts=[])

    assert response.status_code == 400
    assert "Please add at least one receipt image." in response.content.decode()


def test_a_proof_on_a_case_not_awaiting_information_is_refused_unchanged(client, tmp_path):
    case = CaseFactory(status=Case.Status.PENDING_CONFIRM, nothing_required=True, payment_due=True)
    client.force_login(case.customer)

    response = post_proof(client, case)

    assert response.status_code == 302
    assert not SupplementaryPayment.objects.exists()
    assert stored_files(tmp_path) == []
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING_CONFIRM


def test_a_case_asking_for_no_payment_has_no_payment_page_and_refuses_a_proof(client, tmp_path):
    case = CaseFactory(status=Case.Status.AWAITING_INFO)  # a replacement with a return, nothing to pay
    client.force_login(case.customer)

    assert client.get(payment_url(case)).status_code == 404
    response = post_proof(client, case)

    assert response.status_code == 302
    assert not SupplementaryPayment.objects.exists()
    assert stored_files(tmp_path) == []


def test_another_customers_case_is_a_404_for_page_and_post(client, payment_case):
    client.force_login(CustomerFactory())

    assert client.get(payment_url(payment_case)).status_code == 404
    assert post_proof(client, payment_case).status_code == 404
    assert not SupplementaryPayment.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, payment_case):
    response = client.get(payment_url(payment_case))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_second_proof_while_the_first_is_with_the_team_is_refused(
    customer_client, return_and_payment_case, client
):
    client.force_login(return_and_payment_case.customer)
    post_proof(client, return_and_payment_case)

    response = post_proof(client, return_and_payment_case, number="0AB12345CD6789012")

    assert response.status_code == 302
    payment = SupplementaryPayment.objects.get(case=return_and_payment_case)
    assert payment.transaction_number == GOOD_NUMBER
    assert payment.receipts.count() == 2


def test_a_proof_sent_back_can_be_sent_again_and_replaces_the_receipts(client, return_and_payment_case):
    client.force_login(return_and_payment_case.customer)
    post_proof(client, return_and_payment_case)
    SupplementaryPayment.objects.filter(case=return_and_payment_case).update(
        state=PartState.SENT_BACK, sent_back_reason="The screenshot is cut off."
    )
    page = client.get(payment_url(return_and_payment_case)).content.decode()
    assert "The screenshot is cut off." in page

    response = post_proof(
        client, return_and_payment_case, number="0AB12345CD6789012", receipts=[files.webp("again.webp")]
    )

    assert response.status_code == 302
    payment = SupplementaryPayment.objects.get(case=return_and_payment_case)
    assert payment.state == PartState.SUBMITTED
    assert payment.sent_back_reason == ""
    assert [r.original_name for r in payment.receipts.filter(is_current=True)] == ["again.webp"]
    assert payment.receipts.filter(is_current=False).count() == 2


def test_a_failure_after_storing_leaves_no_row_and_no_file(
    customer_client, payment_case, tmp_path, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(required_services, "complete_if_ready", broken)

    with pytest.raises(RuntimeError):
        post_proof(customer_client, payment_case)

    assert not SupplementaryPayment.objects.exists()
    assert PaymentReceipt.objects.count() == 0
    assert stored_files(tmp_path) == []


def test_a_transaction_number_used_on_another_case_is_flagged(client, payment_case):
    other = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(other.customer)
    post_proof(client, other)
    client.force_login(payment_case.customer)

    post_proof(client, payment_case)

    event = CaseEvent.objects.get(case=payment_case, action=Action.PAYMENT_SUBMIT)
    assert event.data["duplicate_of"] == [other.number]
    assert services.duplicate_transaction_cases(
        transaction_number=GOOD_NUMBER, exclude_case_id=payment_case.pk
    ) == [other.number]


# --- The PayPal lookup --------------------------------------------------------------------


def test_without_paypal_the_lookup_is_skipped_and_the_proof_accepted(
    paypal_off, customer_client, payment_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_proof(customer_client, payment_case)

    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.state == PartState.SUBMITTED
    assert payment.lookup_state == LookupState.SKIPPED


@pytest.mark.parametrize(
    ("amount", "currency", "status", "expected"),
    [
        ("12.50", "USD", "S", LookupState.MATCHED),
        ("10.00", "USD", "S", LookupState.MISMATCH),
        ("12.50", "EUR", "S", LookupState.MISMATCH),
        ("12.50", "USD", "P", LookupState.MISMATCH),
    ],
)
def test_the_lookup_records_what_paypal_says(
    paypal_server,
    customer_client,
    payment_case,
    django_capture_on_commit_callbacks,
    amount,
    currency,
    status,
    expected,
):
    paypal_server.state.add_transaction(GOOD_NUMBER, amount=amount, currency=currency, status=status)

    with django_capture_on_commit_callbacks(execute=True):
        post_proof(customer_client, payment_case)

    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.lookup_state == expected
    assert payment.lookup_amount == Decimal(amount)
    assert payment.lookup_currency == currency
    assert payment.lookup_payer_email == "payer@example.com"
    assert CaseEvent.objects.filter(case=payment_case, action=Action.PAYMENT_LOOKUP).count() == 1


def test_an_unknown_transaction_number_is_recorded_not_found(
    paypal_server, customer_client, payment_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_proof(customer_client, payment_case)

    assert SupplementaryPayment.objects.get(case=payment_case).lookup_state == LookupState.NOT_FOUND


def test_paypal_down_never_blocks_the_submission(
    paypal_server, customer_client, payment_case, settings, django_capture_on_commit_callbacks
):
    paypal_server.state.fail_with = 503

    with django_capture_on_commit_callbacks(execute=True):
        response = post_proof(customer_client, payment_case)

    assert response.status_code == 302
    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.state == PartState.SUBMITTED
    assert payment.lookup_state == LookupState.UNAVAILABLE
    assert "503" in payment.lookup_error
    payment_case.refresh_from_db()
    assert payment_case.status == Case.Status.UNDER_REVIEW


def test_paypal_down_is_retried_with_a_growing_delay(paypal_server, payment_case, monkeypatch):
    from payments import tasks

    paypal_server.state.fail_with = 503
    payment = SupplementaryPayment.objects.create(
        case=payment_case,
        amount=Decimal("12.50"),
        currency="USD",
        receiving_account="payments@example.com",
        state=PartState.SUBMITTED,
        transaction_number=GOOD_NUMBER,
        lookup_state=LookupState.QUEUED,
    )
    retries = []

    def fake_retry(*args, **kwargs):
        retries.append(kwargs["countdown"])
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(tasks.lookup_payment, "retry", fake_retry)
    for attempt in range(3):
        request = {"retries": attempt, "is_eager": False}
        tasks.lookup_payment.push_request(**request)
        try:
            with pytest.raises(RuntimeError, match="retry scheduled"):
                tasks.lookup_payment.run(payment_id=payment.pk)
        finally:
            tasks.lookup_payment.pop_request()

    assert 60 <= retries[0] < retries[1] < retries[2] <= 300
    payment.refresh_from_db()
    assert payment.lookup_state == LookupState.QUEUED  # still waiting: nothing recorded as failed yet

    tasks.lookup_payment.push_request(retries=tasks.PAYPAL_MAX_RETRIES, is_eager=False)
    try:
        assert tasks.lookup_payment.run(payment_id=payment.pk) == "unavailable"
    finally:
        tasks.lookup_payment.pop_request()
    payment.refresh_from_db()
    assert payment.lookup_state == LookupState.UNAVAILABLE


# --- Invoices -------------------------------------------------------------------------------


def test_a_customer_can_ask_for_an_invoice_link_once(
    customer_client, payment_case, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("payments:invoice_request", kwargs={"number": payment_case.number})

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(url)

    assert response.status_code == 302
    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.invoice_state == InvoiceState.REQUESTED
    assert len(mailoutbox) == 1
    assert payment_case.number in mailoutbox[0].subject
    page = customer_client.get(payment_url(payment_case)).content.decode()
    assert "You asked for a PayPal invoice link" in page

    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post(url)
    assert len(mailoutbox) == 1
    assert CaseEvent.objects.filter(action=Action.INVOICE_REQUEST).count() == 1


def test_an_invoice_request_on_another_customers_case_is_a_404(client, payment_case):
    client.force_login(CustomerFactory())

    response = client.post(reverse("payments:invoice_request", kwargs={"number": payment_case.number}))

    assert response.status_code == 404
    assert not SupplementaryPayment.objects.exists()


def test_an_agent_sends_a_paypal_invoice_whose_link_reaches_the_customer(
    paypal_server, customer_client, payment_case, mailoutbox, django_capture_on_commit_callbacks
):
    agent = AgentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_send(case=payment_case, actor=agent)

    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.invoice_state == InvoiceState.SENT
    assert payment.invoice_link == f"https://www.sandbox.paypal.com/invoice/p/#{payment.invoice_id}"
    [invoice] = paypal_server.state.invoices.values()
    assert invoice["detail"]["invoice_number"] == f"{payment_case.number}-P{payment.pk}"
    assert invoice["primary_recipients"][0]["billing_info"]["email_address"] == payment_case.customer.email
    [email] = mailoutbox
    assert email.to == [payment_case.customer.email]
    assert payment.invoice_link in email.body
    assert payment.invoice_link in customer_client.get(payment_url(payment_case)).content.decode()


def test_an_invoice_paypal_refuses_is_recorded_for_the_agent(
    paypal_server, payment_case, settings, django_capture_on_commit_callbacks
):
    settings.PAYPAL_CLIENT_SECRET = "wrong"

    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_send(case=payment_case, actor=AgentFactory())

    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.invoice_state == InvoiceState.FAILED
    assert payment.invoice_error


def test_without_paypal_an_invoice_cannot_be_sent(paypal_off, payment_case):
    with pytest.raises(CaseActionError, match="not configured"):
        services.invoice_send(case=payment_case, actor=AgentFactory())


# --- Receipt files --------------------------------------------------------------------------


@pytest.fixture
def stored_receipt(client, payment_case):
    client.force_login(payment_case.customer)
    post_proof(client, payment_case, receipts=[files.jpeg_with_gps_and_rotation("label.jpg")])
    client.logout()
    return PaymentReceipt.objects.get()


def receipt_url(receipt, variant="image"):
    return reverse(
        "payments:receipt_file",
        kwargs={"number": receipt.payment.case.number, "receipt_id": receipt.pk, "variant": variant},
    )


def test_the_owner_gets_the_receipt_inline_never_sniffed(client, stored_receipt):
    client.force_login(stored_receipt.payment.case.customer)

    response = client.get(receipt_url(stored_receipt))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="label.jpg"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body[:3] == b"\xff\xd8\xff" and b"Exif" not in body
    assert client.get(receipt_url(stored_receipt, "thumbnail")).status_code == 200


def test_another_customer_gets_a_404_for_a_receipt(client, stored_receipt):
    client.force_login(CustomerFactory())

    assert client.get(receipt_url(stored_receipt)).status_code == 404


def test_an_anonymous_visitor_is_refused_a_receipt(client, stored_receipt):
    response = client.get(receipt_url(stored_receipt))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_signed_in_with_their_second_factor_get_the_receipt(client, stored_receipt, settings):
    settings.STAFF_TOTP_REQUIRED = True
    agent = AgentFactory()
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    client.force_login(agent)

    assert client.get(receipt_url(stored_receipt)).status_code == 302  # no second factor yet

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.get(receipt_url(stored_receipt))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_an_unknown_variant_is_a_404(client, stored_receipt):
    client.force_login(stored_receipt.payment.case.customer)

    assert client.get(receipt_url(stored_receipt, "original")).status_code == 404

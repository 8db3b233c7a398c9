"""
The supplementary payment's PayPal side when PayPal says no: an invoice PayPal refuses, a
lookup shown in words, a proof sent before PayPal was connected, and pasted invoice links
read the way a browser reads them.

The pages run with eager tasks, as the embedded setup does: a task queued by a request runs
when the request's transaction commits, inside the request. These tests use real commits
(``transaction=True``), so a task that raises would be the page's 500.
"""

import html
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.test import Client
from django.urls import reverse

from payments import paypal, tasks
from payments.models import InvoiceState, LookupState, PartState, SupplementaryPayment
from payments.services import invoice_link_problem, invoice_send
from rma.cases.models import Action, Case, CaseEvent
from rma_portal.models import OutboxMessage
from tests import files
from tests.factories import CaseFactory
from tests.payments.paypal_server import CLIENT_ID, CLIENT_SECRET
from tests.staff import make_agent, staff_client_for

NUMBER = "5TY05013RG002845M"
LINK = "https://www.paypal.com/invoice/p/#INV2-AB12-CD34-EF56-GH78"


@pytest.fixture
def agent_client(transactional_db):
    return staff_client_for(make_agent(full_name="Agnes Agent"))


def payment_case(**kwargs):
    return CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True, **kwargs)


def create_and_send(agent_client, case):
    return agent_client.post(reverse("admin:payments_send_invoice", args=[case.pk]))


def submit_proof(case):
    customer = Client()
    customer.force_login(case.customer)
    return customer.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": NUMBER, "receipts": [files.jpeg("receipt.jpg")]},
    )


def assert_no_task_left_to_replay():
    """Every payments task ran to its end: none is waiting in the outbox to run again."""
    waiting = OutboxMessage.objects.filter(task_name__startswith="payments.tasks.", done_at__isnull=True)
    assert list(waiting.values_list("task_name", flat=True)) == []


# --- 1. "Create and send" against a PayPal that refuses ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_create_and_send_against_a_paypal_answering_404_is_a_message_not_a_500(
    agent_client, paypal_server, mailoutbox
):
    paypal_server.state.fail("POST", "/v2/invoicing/invoices", 404, "INVALID_RESOURCE_ID")
    case = payment_case()

    response = create_and_send(agent_client, case)

    assert response.status_code == 302
    page = agent_client.get(response["Location"]).content.decode()
    assert "does not know what was asked for" in page
    assert "creating the invoice" in page
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.invoice_state == InvoiceState.FAILED
    assert payment.invoice_answer["status"] == 404
    assert payment.invoice_answer["kind"] == "refused"
    assert CaseEvent.objects.filter(case=case, action=Action.INVOICE_FAILED).exists()
    assert mailoutbox == []
    assert_no_task_left_to_replay()


@pytest.mark.django_db(transaction=True)
def test_an_invoice_paypal_refused_lets_the_agent_paste_a_link_or_try_again(
    agent_client, paypal_server, mailoutbox
):
    paypal_server.state.fail("POST", "/v2/invoicing/invoices", 422, "CURRENCY_NOT_SUPPORTED", times=1)
    case = payment_case()
    create_and_send(agent_client, case)
    case_page = agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
    assert reverse("admin:payments_send_invoice", args=[case.pk]) in case_page

    again = create_and_send(agent_client, case)

    assert again.status_code == 302
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.invoice_state == InvoiceState.SENT
    assert payment.invoice_answer == {}
    assert [email.to for email in mailoutbox] == [[case.customer.email]]
    other = payment_case()
    paypal_server.state.fail("POST", "/v2/invoicing/invoices", 403, "PERMISSION_DENIED")
    create_and_send(agent_client, other)
    pasted = agent_client.post(reverse("admin:payments_send_invoice", args=[other.pk]), {"link": LINK})
    assert pasted.status_code == 302
    assert SupplementaryPayment.objects.get(case=other).invoice_state == InvoiceState.SENT


def task_request(task, monkeypatch, *, retries):
    """Run ``task`` as a worker would, on its ``retries``-th retry; a retry is recorded, not sent."""
    retried = []

    def retry(**options):
        retried.append(options)
        raise Retry("retry", when=options.get("countdown"))

    monkeypatch.setattr(task, "retry", retry)
    task.push_request(retries=retries, is_eager=False, id="test-task")
    return retried


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_a_refused_invoice_is_not_retried_by_the_task(agent, paypal_server, monkeypatch, status):
    case = payment_case()
    payment = invoice_send(case=case, actor=agent)
    paypal_server.state.fail("POST", "/v2/invoicing/invoices", status, "SOME_ISSUE")
    retried = task_request(tasks.create_and_send_invoice, monkeypatch, retries=0)
    try:
        outcome = tasks.create_and_send_invoice.run(payment.pk)
    finally:
        tasks.create_and_send_invoice.pop_request()

    assert retried == []
    assert outcome == "refused"
    payment.refresh_from_db()
    assert payment.invoice_state == InvoiceState.FAILED
    assert payment.invoice_answer["status"] == status


@pytest.mark.django_db
@pytest.mark.parametrize("status", [429, 500, 503, "timeout"])
def test_a_transient_invoice_failure_is_retried_then_fails_retryable(
    agent, paypal_server, monkeypatch, settings, status
):
    settings.PAYPAL_TIMEOUT = 0.3
    paypal._client.cache_clear()
    case = payment_case()
    payment = invoice_send(case=case, actor=agent)
    if status == "timeout":
        paypal_server.state.time_out("POST", "/v2/invoicing/invoices", seconds=2)
    else:
        paypal_server.state.fail("POST", "/v2/invoicing/invoices", status)
    task = tasks.create_and_send_invoice

    retried = task_request(task, monkeypatch, retries=0)
    try:
        with pytest.raises(Retry):
            task.run(payment.pk)
    finally:
        task.pop_request()
    payment.refresh_from_db()
    assert len(retried) == 1 and payment.invoice_state == InvoiceState.QUEUED

    retried = task_request(task, monkeypatch, retries=task.max_retries)
    try:
        outcome = task.run(payment.pk)
    finally:
        task.pop_request()

    assert retried == []
    assert outcome in ("unavailable", "timeout")
    payment.refresh_from_db()
    assert payment.invoice_state == InvoiceState.FAILED
    assert payment.invoice_answer["kind"] == outcome
    invoice_send(case=case, actor=agent)  # the team may try again
    assert SupplementaryPayment.objects.get(pk=payment.pk).invoice_state == InvoiceState.QUEUED


# --- 2. A lookup result in words ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("scripted", "words"),
    [
        ("not found", "has no payment with this transaction number"),
        ("pending", "PayPal has this payment: pending"),
        ("refused", "does not allow the portal's PayPal app"),
        ("down", "PayPal had a problem on its side"),
    ],
)
def test_a_lookup_result_is_shown_to_staff_in_words_never_raw_codes(
    agent_client, paypal_server, scripted, words
):
    if scripted == "pending":
        paypal_server.state.add_transaction(NUMBER, amount="12.50", currency="USD", status="P")
    elif scripted == "refused":
        paypal_server.state.fail("GET", "/v1/reporting/transactions", 403, "PERMISSION_DENIED")
    elif scripted == "down":
        paypal_server.state.fail("GET", "/v1/reporting/transactions", 503)
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    assert submit_proof(case).status_code == 302
    payment = SupplementaryPayment.objects.get(case=case)

    case_page = agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
    # The case page's required information (its timeline keeps each event's data as recorded).
    parts = case_page[case_page.index('class="module case-parts"') : case_page.index("case-timeline")]
    pages = [
        parts,
        agent_client.get(reverse("admin:rma_case_review", args=[case.pk])).content.decode(),
        agent_client.get(
            reverse("admin:payments_supplementarypayment_change", args=[payment.pk])
        ).content.decode(),
    ]

    for page in map(html.unescape, pages):
        assert words in page
        assert "not_found" not in page and "None" not in page and ", ?" not in page
        assert reverse("admin:payments_look_up_again", args=[payment.pk]) in page


# --- 3. A proof sent before PayPal was connected -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_proof_skipped_before_paypal_was_connected_can_be_looked_up_once_it_is(
    agent_client, paypal_off, settings
):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    submit_proof(case)
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.lookup_state == LookupState.SKIPPED
    url = reverse("admin:payments_look_up_again", args=[payment.pk])

    still_off = agent_client.get(url).content.decode()
    assert "PayPal is not connected" in still_off
    refused = agent_client.post(url, follow=True).content.decode()
    assert "still not connected" in refused
    assert SupplementaryPayment.objects.get(pk=payment.pk).lookup_state == LookupState.SKIPPED

    from tests.payments.paypal_server import PayPalServer

    paypal._client.cache_clear()
    with PayPalServer() as server:
        settings.PAYPAL_API_BASE_URL = server.url
        settings.PAYPAL_CLIENT_ID, settings.PAYPAL_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        server.state.add_transaction(NUMBER, amount="12.50", currency="USD")
        case_page = agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
        assert "It is now: look it up again" in case_page and url in case_page

        response = agent_client.post(url, follow=True)
    paypal._client.cache_clear()

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.lookup_state == LookupState.MATCHED
    assert payment.lookup_amount == Decimal("12.50")
    assert payment.state == PartState.SUBMITTED


# --- 4. A pasted invoice link, read as a browser reads it ---------------------------------------

GOOD_LINKS = [
    "https://www.paypal.com/invoice/p/#INV2-AB12-CD34-EF56-GH78",
    "https://paypal.com/invoice/p/#INV2-AB12-CD34-EF56-GH78",
    "HTTPS://WWW.PayPal.COM/invoice/p/#INV2-AB12",
    "https://www.paypal.com/invoice/payerView/details/INV2-AB12-CD34-EF56-GH78",
    "https://www.paypal.com/invoice/s/pay/INV2-AB12-CD34-EF56-GH78",
    "https://www.sandbox.paypal.com/invoice/p/#INV2-AB12-CD34-EF56-GH78",
]
EVIL_LINKS = [
    ("https://evil.test\\.paypal.com/invoice/p/#x", "not a web address"),
    ("https:\\\\evil.test/invoice/p/#x", "must start with https://"),
    ("https://www.paypal.com\\@evil.test/invoice/p/#x", "not a web address"),
    ("https://www.paypal.com@evil.test/invoice/p/#x", "must lead to paypal.com"),
    ("https://user:pw@www.paypal.com/invoice/p/#x", "must lead to paypal.com"),
    ("https://www.paypal.com:8443/invoice/p/#x", "must lead to paypal.com"),
    ("https://www.paypal.com:443/invoice/p/#x", "must lead to paypal.com"),
    ("https://www.paypal.com./invoice/p/#x", "must lead to paypal.com"),
    ("https://evil.test#@www.paypal.com/invoice/p/#x", "must lead to paypal.com"),
    ("https://evil.test?@www.paypal.com/invoice/p/#x", "must lead to paypal.com"),
    ("https://paypal.com.evil.test/invoice/p/#x", "must lead to paypal.com"),
    ("https://evilpaypal.com/invoice/p/#x", "must lead to paypal.com"),
    ("https://anything.paypal.com/invoice/p/#x", "must lead to paypal.com"),
    ("https://www.xn--aypal-uye.com/invoice/p/#x", "must lead to paypal.com"),
    ("https://www.рaypal.com/invoice/p/#x", "not a web address"),
    ("https://www.pay\tpal.com/invoice/p/#x", "not a web address"),
    ("https://www.paypal.com\n.evil.test/invoice/p/#x", "not a web address"),
    ("https://www.paypal.com/invoice/p/#x y", "not a web address"),
    ("https://www.paypal.com/invoice/p/\x00#x", "not a web address"),
    ("https://www.paypal.com%2eevil.test/invoice/p/#x", "must lead to paypal.com"),
    ("https://[::1]/invoice/p/#x", "must lead to paypal.com"),
    ("http://www.paypal.com/invoice/p/#x", "must start with https://"),
    ("javascript:alert(1)//https://www.paypal.com/invoice/p/#x", "must start with https://"),
    ("//www.paypal.com/invoice/p/#x", "must start with https://"),
    ("https:www.paypal.com/invoice/p/#x", "must start with https://"),
    ("https://www.paypal.com/", "not an invoice"),
    ("https://www.paypal.com/signin", "not an invoice"),
    ("https://www.paypal.com/invoice/p/", "not an invoice"),
    ("https://www.paypal.com/invoice/p/#<script>", "not an invoice"),
    ("https://www.paypal.com/invoice/../logout", "not an invoice"),
]


@pytest.mark.parametrize("link", GOOD_LINKS)
def test_invoice_link_read_as_browsers_do_accepts_paypals_own(link, settings):
    settings.PAYPAL_MODE = "sandbox"
    assert invoice_link_problem(link) == ""


@pytest.mark.parametrize(("link", "reason"), EVIL_LINKS)
def test_invoice_link_read_as_browsers_do_refuses_any_other_host(link, reason, settings):
    settings.PAYPAL_MODE = "sandbox"
    assert reason in invoice_link_problem(link)


def test_a_sandbox_invoice_link_is_refused_in_live_mode(settings):
    settings.PAYPAL_MODE = "live"
    assert "must lead to paypal.com" in invoice_link_problem(GOOD_LINKS[-1])
    assert invoice_link_problem(GOOD_LINKS[0]) == ""


@pytest.mark.django_db
def test_an_evil_link_pasted_in_the_admin_reaches_no_one(agent, mailoutbox):
    client = staff_client_for(agent)
    case = payment_case()

    response = client.post(
        reverse("admin:payments_send_invoice", args=[case.pk]),
        {"link": "https://evil.test\\.paypal.com/invoice/p/#x"},
    )

    assert response.status_code == 200
    assert "not a web address" in response.content.decode()
    assert not SupplementaryPayment.objects.filter(case=case, invoice_state=InvoiceState.SENT).exists()
    assert mailoutbox == []

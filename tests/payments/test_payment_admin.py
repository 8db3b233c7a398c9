"""The payments in the warranty team's admin: thumbnails, lookup, duplicates, the invoice action."""

from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import InvoiceState, LookupState, PartState, PaymentReceipt, SupplementaryPayment
from rma.cases.models import Case
from tests import files
from tests.factories import CaseFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(agent):
    client = staff_client_for(agent)
    client.agent = agent
    return client


def submitted_payment(case, number="5TY05013RG002845M", client=None):
    from django.test import Client

    customer = Client()
    customer.force_login(case.customer)
    customer.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": number, "receipts": [files.jpeg("receipt-1.jpg"), files.png("receipt-2.png")]},
    )
    return SupplementaryPayment.objects.get(case=case)


def payment_case(**kwargs):
    return CaseFactory(
        status=Case.Status.AWAITING_INFO, refund=True, return_required=True, payment_due=True, **kwargs
    )


def test_agents_see_thumbnails_and_the_lookup_result(agent_client, paypal_off, django_assert_max_num_queries):
    payment = submitted_payment(payment_case())

    with django_assert_max_num_queries(25):
        response = agent_client.get(reverse("admin:payments_supplementarypayment_change", args=[payment.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for receipt in PaymentReceipt.objects.filter(payment=payment):
        thumbnail = reverse(
            "payments:receipt_file",
            kwargs={"number": payment.case.number, "receipt_id": receipt.pk, "variant": "thumbnail"},
        )
        assert thumbnail in page
    assert "5TY05013RG002845M" in page
    assert str(LookupState.SKIPPED.label) in page


def test_the_list_flags_a_transaction_number_used_on_two_cases(agent_client, django_assert_max_num_queries):
    first = submitted_payment(payment_case())
    second = submitted_payment(payment_case())
    third = submitted_payment(payment_case(), number="0AB12345CD6789012")

    with django_assert_max_num_queries(13):
        response = agent_client.get(reverse("admin:payments_supplementarypayment_changelist"))

    assert response.status_code == 200
    flagged = {
        payment.case.number: agent_client.get(
            reverse("admin:payments_supplementarypayment_change", args=[payment.pk])
        ).content.decode()
        for payment in (first, second, third)
    }
    assert second.case.number in flagged[first.case.number]
    assert first.case.number in flagged[second.case.number]
    assert "no other case" in flagged[third.case.number]


def test_the_invoice_action_creates_and_sends_it(
    agent_client, paypal_server, mailoutbox, django_capture_on_commit_callbacks
):
    payment = submitted_payment(payment_case())
    SupplementaryPayment.objects.filter(pk=payment.pk).update(state=PartState.TO_DO)

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("admin:payments_supplementarypayment_changelist"),
            {"action": "send_invoice", "_selected_action": [payment.pk]},
            follow=True,
        )

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.invoice_state == InvoiceState.SENT
    assert payment.invoice_link.startswith("https://www.sandbox.paypal.com/invoice/p/#INV2-")
    assert [email.to for email in mailoutbox] == [[payment.case.customer.email]]
    [invoice] = paypal_server.state.invoices.values()
    assert invoice["items"][0]["unit_amount"] == {"currency_code": "USD", "value": "12.50"}


def test_the_invoice_action_without_paypal_says_so_and_changes_nothing(agent_client, paypal_off):
    payment = submitted_payment(payment_case())

    response = agent_client.post(
        reverse("admin:payments_supplementarypayment_changelist"),
        {"action": "send_invoice", "_selected_action": [payment.pk]},
        follow=True,
    )

    assert "PayPal is not configured" in response.content.decode()
    payment.refresh_from_db()
    assert payment.invoice_state == InvoiceState.NONE


def test_looking_up_again_records_the_new_answer(
    agent_client, paypal_server, django_capture_on_commit_callbacks
):
    paypal_server.state.fail_with = 503
    with django_capture_on_commit_callbacks(execute=True):
        payment = submitted_payment(payment_case())
    payment.refresh_from_db()
    assert payment.lookup_state == LookupState.UNAVAILABLE
    paypal_server.state.fail_with = 0
    paypal_server.state.add_transaction("5TY05013RG002845M", amount="12.50", currency="USD")

    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(
            reverse("admin:payments_supplementarypayment_changelist"),
            {"action": "look_up_again", "_selected_action": [payment.pk]},
        )

    payment.refresh_from_db()
    assert payment.lookup_state == LookupState.MATCHED
    assert payment.lookup_amount == Decimal("12.50")


def test_payments_cannot_be_added_or_deleted_in_admin(agent_client):
    payment = submitted_payment(payment_case())

    assert agent_client.get(reverse("admin:payments_supplementarypayment_add")).status_code == 403
    assert (
        agent_client.get(reverse("admin:payments_supplementarypayment_delete", args=[payment.pk])).status_code
        == 403
    )


def test_the_case_page_offers_an_invoice_that_paypal_creates_and_sends(
    agent_client, paypal_server, mailoutbox, django_capture_on_commit_callbacks
):
    case = payment_case()
    change_page = agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
    url = reverse("admin:payments_send_invoice", args=[case.pk])
    assert url in change_page
    assert "12.50 USD" in agent_client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url)

    assert response["Location"] == reverse("admin:rma_case_change", args=[case.pk])
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.invoice_state == InvoiceState.SENT
    assert [email.to for email in mailoutbox] == [[case.customer.email]]


def test_without_paypal_credentials_the_invoice_page_takes_a_link_made_on_paypal(agent_client, paypal_off):
    case = payment_case()

    page = agent_client.get(reverse("admin:payments_send_invoice", args=[case.pk])).content.decode()

    assert "Create and send the invoice" not in page
    assert 'name="link"' in page
    assert "Send the link to the customer" in page
    agent_client.post(reverse("admin:payments_send_invoice", args=[case.pk]))
    assert not SupplementaryPayment.objects.exists()

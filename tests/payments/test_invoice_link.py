"""An invoice made on PayPal's own site: the agent pastes its link, the customer gets it by
email and on the payment page, with or without PayPal credentials on the portal."""

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import InvoiceState, SupplementaryPayment
from payments.services import invoice_link_send, invoice_request
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.workflow import CaseActionError, CasePermissionError
from tests.factories import CaseFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db

LINK = "https://www.paypal.com/invoice/p/#INV2-AB12-CD34-EF56-GH78"


@pytest.fixture
def agent_client(agent):
    return staff_client_for(agent)


def payment_case():
    return CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)


def send_link(client, case, link=LINK):
    return client.post(reverse("admin:payments_send_invoice", args=[case.pk]), {"link": link})


def test_a_pasted_link_reaches_the_customer_by_email_and_on_the_payment_page(
    agent_client, paypal_off, mailoutbox, django_capture_on_commit_callbacks
):
    case = payment_case()

    with django_capture_on_commit_callbacks(execute=True):
        response = send_link(agent_client, case)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:rma_case_change", args=[case.pk])
    payment = SupplementaryPayment.objects.get(case=case)
    assert (payment.invoice_state, payment.invoice_link) == (InvoiceState.SENT, LINK)
    event = CaseEvent.objects.get(case=case, action=Action.INVOICE_SENT)
    assert event.data["link"] == LINK and event.data["by_hand"] is True
    [email] = mailoutbox
    assert email.to == [case.customer.email]
    assert LINK in email.body
    customer = Client()
    customer.force_login(case.customer)
    page = customer.get(reverse("payments:payment", kwargs={"number": case.number})).content.decode()
    assert LINK in page


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("http://www.paypal.com/invoice/p/#X", "must start with https://"),
        ("https://paypal.com.evil.example/invoice", "must lead to paypal.com"),
        ("https://evilpaypal.com/invoice", "must lead to paypal.com"),
        ("not a link", "must start with https://"),
        ("", "Paste the invoice"),
    ],
)
def test_a_link_that_is_not_paypals_is_refused_with_a_reason(agent_client, link, message, mailoutbox):
    case = payment_case()

    response = send_link(agent_client, case, link)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SupplementaryPayment.objects.filter(case=case, invoice_state=InvoiceState.SENT).exists()
    assert not CaseEvent.objects.filter(case=case, action=Action.INVOICE_SENT).exists()
    assert mailoutbox == []


def test_the_email_says_as_you_asked_only_when_the_customer_asked(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    asked, unasked = payment_case(), payment_case()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_request(case=asked, actor=asked.customer)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invoice_link_send(case=asked, actor=agent, link=LINK)
        invoice_link_send(case=unasked, actor=agent, link=LINK)

    by_customer = {email.to[0]: email for email in mailoutbox}
    assert "As you asked" in by_customer[asked.customer.email].body
    assert "As you asked" not in by_customer[unasked.customer.email].body
    assert "Here is a PayPal invoice" in by_customer[unasked.customer.email].body
    assert "As you asked" not in by_customer[unasked.customer.email].alternatives[0][0]


def test_a_customer_cannot_send_an_invoice_link(customer):
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, payment_due=True)
    with pytest.raises(CasePermissionError):
        invoice_link_send(case=case, actor=customer, link=LINK)


def test_the_same_link_twice_is_refused_and_a_new_one_replaces_it(agent):
    case = payment_case()
    invoice_link_send(case=case, actor=agent, link=LINK)
    with pytest.raises(CaseActionError, match="already has this invoice link"):
        invoice_link_send(case=case, actor=agent, link=LINK)
    invoice_link_send(case=case, actor=agent, link=LINK + "2")
    assert SupplementaryPayment.objects.get(case=case).invoice_link == LINK + "2"


def test_no_link_once_the_payment_proof_is_in(agent):
    case = CaseFactory(status=Case.Status.PENDING_CONFIRM, payment_due=True)
    with pytest.raises(CaseActionError):
        invoice_link_send(case=case, actor=agent, link=LINK)


@pytest.mark.parametrize(("asked", "says_as_you_asked"), [(True, True), (False, False)])
def test_an_invoice_sent_through_paypals_api_follows_the_request_too(
    agent, asked, says_as_you_asked, mailoutbox, django_capture_on_commit_callbacks
):
    from payments import paypal
    from payments.services import invoice_record

    case = payment_case()
    if asked:
        with django_capture_on_commit_callbacks(execute=True):
            invoice_request(case=case, actor=case.customer)
        mailoutbox.clear()
    payment = SupplementaryPayment.objects.get_or_create(
        case=case,
        defaults={"amount": case.payment_amount, "currency": "USD", "receiving_account": "pay@example.com"},
    )[0]
    sent = paypal.SentInvoice(invoice_id="INV2-1", status="SENT", payer_link=LINK)

    with django_capture_on_commit_callbacks(execute=True):
        invoice_record(payment_id=payment.pk, sent=sent)

    [email] = mailoutbox
    assert ("As you asked" in email.body) is says_as_you_asked
    assert CaseEvent.objects.get(case=case, action=Action.INVOICE_SENT).data["by_hand"] is False

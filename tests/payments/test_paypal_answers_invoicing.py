"""
Every answer PayPal documents, for every call of the supplementary payment's side: the
Transaction Search lookup, and the invoice's create, send, search (an earlier try's
invoice) and read-back. The loopback PayPal answers each row's class: 400, 401, 403, 404,
409, 422 (with an issue), 429, 500, 503, a timeout, and a 2xx that is not what was asked.

For each row: the page the person sees is a clear page (never a 500, so no task raised),
the payment ends in a true state, the team reads what PayPal said in words and can try
again (and it works once PayPal answers), the customer reads nothing wrong, and no task is
left in the outbox to replay the call. Tasks run eagerly inside the request, as in the
embedded setup, with real commits.
"""

import html
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from payments import paypal
from payments.display import paypal_answer_words
from payments.models import InvoiceState, LookupState, SupplementaryPayment
from payments.services import invoice_number_for
from rma.cases.models import Case
from rma_portal.models import OutboxMessage
from tests import files
from tests.factories import CaseFactory
from tests.staff import make_agent, staff_client_for

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "5TY05013RG002845M"
ERRORS = [
    (400, "INVALID_PARAMETER_VALUE"),
    (401, ""),
    (403, "PERMISSION_DENIED"),
    (404, "INVALID_RESOURCE_ID"),
    (409, ""),
    (422, "CURRENCY_NOT_SUPPORTED"),
    (429, ""),
    (500, ""),
    (503, ""),
    ("timeout", ""),
]
# What the team reads for each class of answer.
WORDS = {
    400: "not valid",
    401: "did not accept the portal's PayPal credentials",
    403: "does not allow the portal's PayPal app",
    404: "does not know what was asked for",
    409: "conflict with an earlier request",
    422: "could not do what was asked",
    429: "slow down",
    500: "problem on its side",
    503: "problem on its side",
    "timeout": "did not answer in time",
}
# What the customer must never read on their page.
STAFF_ONLY = ("PayPal refused", "did not answer", "not sent", "problem on its side", "debug id")


@pytest.fixture
def paypal_fast(paypal_server, settings):
    settings.PAYPAL_TIMEOUT = 0.3
    paypal._client.cache_clear()
    return paypal_server


@pytest.fixture
def agent_client(transactional_db):
    return staff_client_for(make_agent(full_name="Agnes Agent"))


def script(server, method, path, answer, issue=""):
    if answer == "timeout":
        server.state.time_out(method, path, seconds=1.5)
    else:
        server.state.fail(method, path, answer, issue)


def assert_no_task_left_to_replay():
    waiting = OutboxMessage.objects.filter(task_name__startswith="payments.tasks.", done_at__isnull=True)
    assert list(waiting.values_list("task_name", flat=True)) == []


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def customer_reads_nothing_wrong(case):
    customer = Client()
    customer.force_login(case.customer)
    page = page_text(customer.get(reverse("payments:payment", kwargs={"number": case.number})))
    for words in STAFF_ONLY:
        assert words not in page
    return page


# --- Transaction Search ---------------------------------------------------------------------------


def submit_proof(case):
    customer = Client()
    customer.force_login(case.customer)
    return customer.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": NUMBER, "receipts": [files.jpeg("receipt.jpg")]},
        follow=True,
    )


def _transaction(change):
    def altered(answer):
        for entry in answer.get("transaction_details") or []:
            change(entry["transaction_info"])
        return answer

    return altered


def _amount(info):
    info["transaction_amount"]["value"] = "10.00"


def _currency(info):
    info["transaction_amount"]["currency_code"] = "EUR"


def _status(info):
    info["transaction_status"] = "D"


def _other_id(info):
    info["transaction_id"] = "0AB12345CD6789012"


LOOKUP_ALTERED = [
    ("amount", _amount, LookupState.MISMATCH, "10.00"),
    ("currency", _currency, LookupState.MISMATCH, "€12.50"),
    ("status", _status, LookupState.MISMATCH, "denied"),
    ("id", _other_id, LookupState.REFUSED, "something other than what was asked"),
]


def lookup_row_ends_true(agent_client, server, case, state, words):
    """The shared assertions of a lookup row, then the team asks again and PayPal answers."""
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.lookup_state == state
    page = page_text(
        agent_client.get(reverse("admin:payments_supplementarypayment_change", args=[payment.pk]))
    )
    assert words in page
    if payment.lookup_answer:
        assert paypal_answer_words(payment.lookup_answer) in page
    again = reverse("admin:payments_look_up_again", args=[payment.pk])
    assert again in page
    assert_no_task_left_to_replay()
    customer_reads_nothing_wrong(case)

    server.state.scripted.clear()
    response = agent_client.post(again, follow=True)

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.lookup_state == LookupState.MATCHED
    assert payment.lookup_answer == {}


@pytest.mark.parametrize(("answer", "issue"), ERRORS, ids=[str(row[0]) for row in ERRORS])
def test_transaction_search_answering(agent_client, paypal_fast, answer, issue):
    paypal_fast.state.add_transaction(NUMBER, amount="12.50", currency="USD")
    script(paypal_fast, "GET", "/v1/reporting/transactions", answer, issue)
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)

    response = submit_proof(case)

    assert response.status_code == 200
    assert "we received your payment proof" in page_text(response)
    transient = answer == "timeout" or answer >= 429
    state = LookupState.UNAVAILABLE if transient else LookupState.REFUSED
    lookup_row_ends_true(agent_client, paypal_fast, case, state, WORDS[answer])


@pytest.mark.parametrize(
    ("field", "change", "state", "words"), LOOKUP_ALTERED, ids=[row[0] for row in LOOKUP_ALTERED]
)
def test_transaction_search_answering_2xx_not_what_was_asked(
    agent_client, paypal_fast, field, change, state, words
):
    paypal_fast.state.add_transaction(NUMBER, amount="12.50", currency="USD")
    paypal_fast.state.alter("GET", "/v1/reporting/transactions", _transaction(change))
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)

    response = submit_proof(case)

    assert response.status_code == 200
    lookup_row_ends_true(agent_client, paypal_fast, case, state, words)


# --- Invoicing v2 ---------------------------------------------------------------------------------

INVOICE_CALLS = {
    "create": ("POST", "/v2/invoicing/invoices"),
    "send": ("POST", "/v2/invoicing/invoices/INV2-"),
    "get": ("GET", "/v2/invoicing/invoices/INV2-"),
    "search": ("POST", "/v2/invoicing/search-invoices"),
}


def payment_case():
    return CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)


def earlier_try_left_an_invoice(server, case):
    """An earlier try created the invoice but its answer was lost: the next create is refused
    as a duplicate and the invoice is found by its number (the search call)."""
    payment = SupplementaryPayment.start(case)
    payment.save()
    number = invoice_number_for(payment)
    invoice_id = "INV2-EARL-IERT-RYAA-AAAA"
    server.state.invoices[invoice_id] = {
        "id": invoice_id,
        "status": "DRAFT",
        "detail": {
            "invoice_number": number,
            "currency_code": "USD",
            "metadata": {"recipient_view_url": f"https://www.sandbox.paypal.com/invoice/p/#{invoice_id}"},
        },
        "amount": {"currency_code": "USD", "value": "12.50"},
        "items": [{"name": "x", "quantity": "1", "unit_amount": {"currency_code": "USD", "value": "12.50"}}],
    }


def create_and_send(agent_client, case):
    return agent_client.post(reverse("admin:payments_send_invoice", args=[case.pk]), follow=True)


def invoice_row_ends_true(agent_client, server, case, response, *, kind, words, mailoutbox):
    """The shared assertions of an invoice row, then the team tries again and PayPal answers."""
    assert response.status_code == 200
    page = page_text(response)
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.invoice_state == InvoiceState.FAILED
    assert payment.invoice_answer["kind"] == kind
    said = paypal_answer_words(payment.invoice_answer)
    assert words in said
    assert said in page  # the message after the click, and the page to try again from
    assert "Create and send the invoice" in page and 'name="link"' in page
    case_page = page_text(agent_client.get(reverse("admin:rma_case_change", args=[case.pk])))
    assert reverse("admin:payments_send_invoice", args=[case.pk]) in case_page
    assert_no_task_left_to_replay()
    assert mailoutbox == []
    customer_page = customer_reads_nothing_wrong(case)
    assert "Pay the PayPal invoice" not in customer_page

    server.state.scripted.clear()
    again = create_and_send(agent_client, case)

    assert again.status_code == 200
    payment.refresh_from_db()
    assert payment.invoice_state == InvoiceState.SENT
    assert payment.invoice_link.startswith("https://www.sandbox.paypal.com/invoice/p/#INV2-")
    assert [email.to for email in mailoutbox] == [[case.customer.email]]
    assert len(server.state.invoices) == 1  # the retry carried on with the same invoice


INVOICE_ERROR_ROWS = [(call, answer, issue) for call in INVOICE_CALLS for answer, issue in ERRORS]


@pytest.mark.parametrize(
    ("call", "answer", "issue"),
    INVOICE_ERROR_ROWS,
    ids=[f"{call}-{answer}" for call, answer, _issue in INVOICE_ERROR_ROWS],
)
def test_invoice_call_answering(agent_client, paypal_fast, mailoutbox, call, answer, issue):
    case = payment_case()
    if call == "search":
        earlier_try_left_an_invoice(paypal_fast, case)
    method, path = INVOICE_CALLS[call]
    script(paypal_fast, method, path, answer, issue)

    response = create_and_send(agent_client, case)

    if answer == "timeout":
        kind = "timeout"
    elif answer >= 429:
        kind = "unavailable"
    else:
        kind = "refused"
    invoice_row_ends_true(
        agent_client, paypal_fast, case, response, kind=kind, words=WORDS[answer], mailoutbox=mailoutbox
    )


def _invoice(change):
    def altered(answer):
        change(answer)
        return answer

    return altered


def _set(path, value):
    def change(answer):
        target = answer
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _no_payer_view(answer):
    answer["detail"]["metadata"].pop("recipient_view_url", None)


def _every_item(change):
    def altered(answer):
        for item in answer.get("items") or []:
            change(item)
        return answer

    return altered


INVOICE_ALTERED = [
    ("create-status", "create", _invoice(_set(["status"], "CANCELLED")), "unexpected", "not as sent"),
    ("create-amount", "create", _invoice(_set(["amount", "value"], "10.00")), "unexpected", "10.00"),
    ("create-currency", "create", _invoice(_set(["amount", "currency_code"], "EUR")), "unexpected", "EUR"),
    (
        "create-id",
        "create",
        _invoice(_set(["detail", "invoice_number"], "OTHER")),
        "unexpected",
        "other than",
    ),
    ("get-status", "get", _invoice(_set(["status"], "DRAFT")), "unexpected", "“DRAFT”, not as sent"),
    ("get-amount", "get", _invoice(_set(["amount", "value"], "10.00")), "unexpected", "10.00"),
    ("get-currency", "get", _invoice(_set(["amount", "currency_code"], "EUR")), "unexpected", "EUR"),
    ("get-id", "get", _invoice(_set(["id"], "INV2-OTHE-RINV-OICE-0000")), "unexpected", "other than"),
    (
        "get-link",
        "get",
        _invoice(
            _set(["detail", "metadata", "recipient_view_url"], "https://evil.test\\.paypal.com/invoice/p/#x")
        ),
        "unexpected",
        "no payer link on its own site",
    ),
    ("send-and-get-link", "send+get", None, "unexpected", "no payer link on its own site"),
    ("search-amount", "search", _every_item(_set(["amount", "value"], "10.00")), "unexpected", "10.00"),
    ("search-none", "search", _invoice(_set(["items"], [])), "unexpected", "other than"),
]


@pytest.mark.parametrize(
    ("call", "change", "kind", "words"),
    [row[1:] for row in INVOICE_ALTERED],
    ids=[row[0] for row in INVOICE_ALTERED],
)
def test_invoice_call_answering_2xx_not_what_was_asked(
    agent_client, paypal_fast, mailoutbox, call, change, kind, words
):
    case = payment_case()
    if call == "search":
        earlier_try_left_an_invoice(paypal_fast, case)
    if call == "send+get":
        paypal_fast.state.alter("POST", "/v2/invoicing/invoices/INV2-", href="https://evil.test/pay")
        paypal_fast.state.alter("GET", "/v2/invoicing/invoices/INV2-", _invoice(_no_payer_view))
    else:
        method, path = INVOICE_CALLS[call]
        paypal_fast.state.alter(method, path, change)

    response = create_and_send(agent_client, case)

    invoice_row_ends_true(
        agent_client, paypal_fast, case, response, kind=kind, words=words, mailoutbox=mailoutbox
    )


def test_the_payer_link_of_a_sent_invoice_is_paypals_own_whatever_the_send_answer_says(
    agent_client, paypal_fast, mailoutbox
):
    """PayPal's answer to the send is not what the customer gets: the invoice read back is."""
    paypal_fast.state.alter("POST", "/v2/invoicing/invoices/INV2-", href="https://evil.test/pay")
    case = payment_case()

    create_and_send(agent_client, case)

    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.invoice_state == InvoiceState.SENT
    assert payment.invoice_link == f"https://www.sandbox.paypal.com/invoice/p/#{payment.invoice_id}"
    assert payment.amount == Decimal("12.50")

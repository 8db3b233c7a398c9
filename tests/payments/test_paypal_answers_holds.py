"""
Every answer PayPal documents, for every call about a hold, from the loopback PayPal.

One row per (call, answer): the error classes (400, 401, 403, 404, 409, 422 with its issue
codes, 429, 500, 503), a timeout, and a 2xx whose status, amount, currency or id is not what
was asked. Each row checks what people see and what the database holds: a clear page (never
a 500), a case in a true state (a hold recorded only when PayPal placed the one asked for,
never completed while PayPal holds the money or its fate is unknown), PayPal's answer in
words for the team with a way to try again, nothing wrong for the customer, and no task or
schedule raising. Then PayPal answers normally again, and the try again ends the story.
"""

import pytest
from django.urls import reverse

from payments import paypal
from payments.holds import hold_watch
from payments.models import HoldState, ReplacementChoice
from rma.cases.models import Action, Case
from tests.payments.holds import (
    add_address,
    advance_case,
    choose_advance,
    come_back_from_paypal,
    loopback_authorization,
    shipped_ahead_case,
)

pytestmark = pytest.mark.django_db

# The calls about a hold: (method, path prefix) on the loopback PayPal.
CALLS = {
    "orders create": ("POST", "/v2/checkout/orders"),
    "orders authorize": ("POST", "/v2/checkout/orders/"),
    "orders get": ("GET", "/v2/checkout/orders/"),
    "authorizations get": ("GET", "/v2/payments/authorizations/"),
    "void": ("POST", "/v2/payments/authorizations/"),
    "capture": ("POST", "/v2/payments/authorizations/"),
}
ISSUES_422 = {
    "orders create": ["CURRENCY_NOT_SUPPORTED", "PAYEE_ACCOUNT_RESTRICTED"],
    "orders authorize": [
        "INSTRUMENT_DECLINED",
        "ORDER_NOT_APPROVED",
        "ORDER_ALREADY_AUTHORIZED",
        "ORDER_EXPIRED",
    ],
    "orders get": ["UNPROCESSABLE_ENTITY"],
    "authorizations get": ["UNPROCESSABLE_ENTITY"],
    "void": ["AUTHORIZATION_EXPIRED", "AUTHORIZATION_ALREADY_CAPTURED", "AUTHORIZATION_ALREADY_VOIDED"],
    "capture": [
        "AUTHORIZATION_EXPIRED",
        "AUTHORIZATION_VOIDED",
        "AUTHORIZATION_ALREADY_CAPTURED",
        "INSTRUMENT_DECLINED",
    ],
}
ERRORS = [
    (400, "INVALID_PARAMETER_VALUE"),
    (401, ""),
    (403, "PERMISSION_DENIED"),
    (404, "INVALID_RESOURCE_ID"),
    (409, "PREVIOUS_REQUEST_IN_PROGRESS"),
    (429, ""),
    (500, ""),
    (503, ""),
]


def _in_order(change):
    """A change to the authorization inside an order's answer."""

    def alter(order):
        for unit in order.get("purchase_units") or []:
            for authorization in (unit.get("payments") or {}).get("authorizations") or []:
                change(authorization)
        return order

    return alter


def _order_amount(value, currency):
    def alter(order):
        order["purchase_units"][0]["amount"] = {"currency_code": currency, "value": value}
        return order

    return alter


def _order_reference(order):
    order["purchase_units"][0]["reference_id"] = "RMA-2026-999999"
    return order


ALTERED = {
    "orders create": {
        "status": {"status": "COMPLETED"},
        "amount": _order_amount("1.00", "USD"),
        "currency": _order_amount("129.00", "EUR"),
        "reference": _order_reference,
    },
    "orders authorize": {
        "status DENIED": _in_order(lambda auth: auth.update(status="DENIED")),
        "status PENDING": _in_order(lambda auth: auth.update(status="PENDING")),
        "amount": _in_order(lambda auth: auth.update(amount={"currency_code": "USD", "value": "1.00"})),
        "currency": _in_order(lambda auth: auth.update(amount={"currency_code": "EUR", "value": "129.00"})),
        "order id": {"id": "SOMEOTHERORDER"},
    },
    "orders get": {
        "status DENIED": _in_order(lambda auth: auth.update(status="DENIED")),
        "amount": _in_order(lambda auth: auth.update(amount={"currency_code": "USD", "value": "1.00"})),
        "currency": _in_order(lambda auth: auth.update(amount={"currency_code": "EUR", "value": "129.00"})),
        "order id": {"id": "SOMEOTHERORDER"},
    },
    "authorizations get": {"status": {"status": "CREATED"}, "id": {"id": "SOMEOTHERAUTH"}},
    "capture": {
        "status PENDING": {"status": "PENDING"},
        "status DECLINED": {"status": "DECLINED"},
        "amount": {"amount": {"currency_code": "USD", "value": "1.00"}},
        "currency": {"amount": {"currency_code": "EUR", "value": "129.00"}},
        "no id": {"id": ""},
    },
}


def _rows():
    for call in CALLS:
        for status, issue in ERRORS:
            yield pytest.param(call, ("fail", status, issue), id=f"{call}-{status}")
        for issue in ISSUES_422[call]:
            yield pytest.param(call, ("fail", 422, issue), id=f"{call}-422-{issue}")
        yield pytest.param(call, ("timeout",), id=f"{call}-timeout")
        for name, change in ALTERED.get(call, {}).items():
            yield pytest.param(call, ("alter", change), id=f"{call}-2xx-{name}")


def _script(paypal_server, call, answer):
    method, path = CALLS[call]
    if answer[0] == "fail":
        paypal_server.state.fail(method, path, answer[1], answer[2])
    elif answer[0] == "timeout":
        paypal_server.state.time_out(method, path, seconds=4)
    elif callable(answer[1]):
        paypal_server.state.alter(method, path, answer[1])
    else:
        paypal_server.state.alter(method, path, **answer[1])


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


# What the customer may never read on a case whose hold PayPal did not settle.
WRONG_FOR_THE_CUSTOMER = ("refused", "check it on PayPal", "Server Error", "Traceback")
CLEAR_MESSAGES = (
    "PayPal could not prepare the hold just now",
    "PayPal did not prepare the hold we asked for",
    "PayPal did not answer. Your approval is kept",
    "PayPal did not place the hold",
)


def _customer_reads_nothing_wrong(client, case):
    client.force_login(case.customer)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    for wrong in WRONG_FOR_THE_CUSTOMER:
        assert wrong not in text
    return text


def _team_sees_paypals_words(staff_client, case, choice, retry_url=None):
    page = staff_client.get(reverse("admin:rma_case_change", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert choice.paypal_error
    assert choice.paypal_error[:60].replace("'", "&#x27;") in text
    if retry_url:
        assert retry_url in text
    return text


@pytest.mark.parametrize(("call", "answer"), [row for row in _rows() if row.values[0].startswith("orders")])
def test_placing_a_hold_when_paypal_answers(call, answer, client, paypal_server, agent_client, committed):
    case = advance_case()
    add_address(case)
    if call == "orders create":
        _script(paypal_server, call, answer)
        with committed():
            response = choose_advance(client, case)
        shown = client.get(reverse("payments:method", kwargs={"number": case.number}))
        assert response.status_code in (302, 400)
        page = (response.content.decode() if response.status_code == 400 else "") + shown.content.decode()
    else:
        choose_advance(client, case)
        order_id = ReplacementChoice.objects.get(case=case).order_id
        paypal_server.state.approve(order_id)
        if call == "orders get":
            # An earlier try authorized it and its answer was lost: PayPal says so, then shows it.
            paypal.authorize_order(order_id=order_id, request_id="an-earlier-try")
        _script(paypal_server, call, answer)
        with committed():
            response = come_back_from_paypal(client, case, order_id)
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()

    assert any(message in page for message in CLEAR_MESSAGES)
    choice = ReplacementChoice.objects.get(case=case)
    case.refresh_from_db()
    assert choice.hold_state in (HoldState.NONE, HoldState.APPROVING)
    assert not choice.authorization_id and case.hold_placed_at is None
    assert case.status == Case.Status.AWAITING_INFO
    _team_sees_paypals_words(agent_client, case, choice)
    _customer_reads_nothing_wrong(client, case)
    with committed():
        hold_watch()

    # PayPal answers normally again: the customer confirms the kept approval, or chooses again.
    paypal_server.state.scripted.clear()
    if choice.hold_state == HoldState.APPROVING:
        assert "I approved it on PayPal: confirm the hold" in page
        come_back_from_paypal(client, case, choice.order_id)
    else:
        assert 'name="method" value="advance"' in page
        choose_advance(client, case)
        again = ReplacementChoice.objects.get(case=case)
        paypal_server.state.approve(again.order_id)
        come_back_from_paypal(client, case, again.order_id)
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.AUTHORIZED
    assert choice.amount == 129 and choice.currency == "USD"


@pytest.mark.parametrize(
    ("call", "answer"), [row for row in _rows() if not row.values[0].startswith("orders")]
)
def test_settling_a_hold_when_paypal_answers(
    call, answer, client, paypal_server, agent_client, supervisor_client, committed
):
    authorization_id = loopback_authorization(paypal_server)
    capture = call == "capture"
    case = shipped_ahead_case(days_since_hold=26 if capture else 5, authorization_id=authorization_id)
    staff = supervisor_client if capture else agent_client
    action = Action.CAPTURE_HOLD if capture else Action.RECEIVE_RETURN
    _script(paypal_server, call, answer)

    with committed():
        response = staff.post(reverse("admin:rma_case_transition", args=[case.pk, action]), {"comment": ""})

    assert response.status_code == 302
    assert staff.get(response["Location"]).status_code == 200
    case.refresh_from_db()
    choice = ReplacementChoice.objects.get(case=case)
    assert case.status == Case.Status.AWAITING_RETURN
    assert choice.hold_state in (HoldState.FAILED, HoldState.VOIDING, HoldState.CAPTURING)
    assert choice.settlement_failed
    retry_url = reverse("admin:payments_retry_hold", args=[case.pk])
    _team_sees_paypals_words(staff, case, choice, retry_url)
    if capture:
        assert (
            retry_url
            not in agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
        )
    text = _customer_reads_nothing_wrong(client, case)
    assert "was released; nothing was charged" not in text and "The held" not in text
    assert 'data-status="awaiting_return"' in text
    with committed():
        hold_watch()

    # PayPal answers normally again: the team asks again from the case page, and the case completes.
    paypal_server.state.scripted.clear()
    with committed():
        staff.post(retry_url)
    case.refresh_from_db()
    choice.refresh_from_db()
    assert choice.hold_state == (HoldState.CAPTURED if capture else HoldState.VOIDED)
    assert case.status == Case.Status.COMPLETED
    assert paypal_server.state.authorizations[authorization_id]["status"] == (
        "CAPTURED" if capture else "VOIDED"
    )

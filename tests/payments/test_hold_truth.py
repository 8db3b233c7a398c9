"""
An advance replacement's case says what PayPal did, no more: a hold is recorded only when
PayPal placed the one asked for, the case completes only when PayPal confirms the hold
released or captured, the return window runs from the shipment, and the customer's page
follows the case.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from payments.holds import hold_watch
from payments.models import HoldState, ReplacementChoice
from rma.backoffice.forms import CaseAdminForm
from rma.cases.models import Action, Case, CaseEvent, HoldSettlement
from rma.required.advance import case_capture_hold, case_receive_return, case_ship_ahead
from tests.factories import AgentFactory, CaseFactory, SupervisorFactory, WarehouseFactory
from tests.payments.holds import (
    advance_case,
    choose_advance,
    come_back_from_paypal,
    loopback_authorization,
    shipped_ahead_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _approved_order(client, case, paypal_server) -> ReplacementChoice:
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)
    paypal_server.state.approve(choice.order_id)
    return choice


def _authorization_answer(change):
    """Alter the authorization inside PayPal's answer to authorizing an order."""

    def alter(order):
        change(order["purchase_units"][0]["payments"]["authorizations"][0])
        return order

    return alter


# --- 1. PayPal's answer is checked before a hold is recorded ------------------------------


def test_an_authorization_paypal_denies_is_not_recorded_as_a_hold(client, paypal_server):
    case = advance_case()
    choice = _approved_order(client, case, paypal_server)
    paypal_server.state.alter(
        "POST", "/v2/checkout/orders/", _authorization_answer(lambda auth: auth.update(status="DENIED"))
    )

    response = come_back_from_paypal(client, case, choice.order_id)

    page = client.get(response["Location"]).content.decode()
    assert "PayPal did not place the hold we asked for" in page
    choice.refresh_from_db()
    case.refresh_from_db()
    assert choice.hold_state == HoldState.NONE and not choice.authorization_id
    assert case.hold_placed_at is None and not case.ships_ahead
    assert "status DENIED" in choice.paypal_error
    assert not CaseEvent.objects.filter(case=case, action=Action.HOLD_PLACE).exists()


def test_an_authorization_for_another_amount_is_released_and_not_recorded(client, paypal_server):
    case = advance_case()
    choice = _approved_order(client, case, paypal_server)
    paypal_server.state.alter(
        "POST",
        "/v2/checkout/orders/",
        _authorization_answer(lambda auth: auth.update(amount={"currency_code": "USD", "value": "1.00"})),
    )

    come_back_from_paypal(client, case, choice.order_id)

    choice.refresh_from_db()
    assert choice.hold_state == HoldState.NONE
    assert "PayPal authorized 1.00 USD" in choice.paypal_error and "not 129.00 USD" in choice.paypal_error
    assert "It was released." in choice.paypal_error
    [authorization] = paypal_server.state.authorizations.values()
    assert authorization["status"] == "VOIDED"


def test_an_authorization_of_another_order_is_not_recorded(client, paypal_server):
    case = advance_case()
    choice = _approved_order(client, case, paypal_server)
    paypal_server.state.alter("POST", "/v2/checkout/orders/", id="SOMEOTHERORDER")

    come_back_from_paypal(client, case, choice.order_id)

    choice.refresh_from_db()
    assert choice.hold_state == HoldState.NONE
    assert "order SOMEOTHERORDER" in choice.paypal_error


# --- 2. A refused capture or release leaves the case open, with PayPal's words and a retry ---


def test_a_refused_capture_leaves_the_case_open_with_paypals_words_and_a_supervisor_retry(
    paypal_server, committed, client, agent_client, supervisor_client
):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=26, authorization_id=authorization_id)
    paypal_server.state.fail("POST", "/v2/payments/authorizations/", 422, "AUTHORIZATION_EXPIRED", times=1)

    with committed():
        case_capture_hold(case=case, actor=SupervisorFactory())

    case.refresh_from_db()
    choice = ReplacementChoice.objects.get(case=case)
    assert case.status == Case.Status.AWAITING_RETURN and case.hold_settlement == HoldSettlement.CAPTURE
    assert choice.hold_state == HoldState.FAILED
    assert choice.paypal_error.startswith("The authorization has expired")
    client.force_login(case.customer)
    customer_page = client.get(case.get_absolute_url()).content.decode()
    assert "refused" not in customer_page and "check it on PayPal" not in customer_page
    assert "the held amount is being charged" in customer_page
    retry_url = reverse("admin:payments_retry_hold", args=[case.pk])
    assert (
        retry_url not in agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
    )
    assert agent_client.post(retry_url).status_code == 403
    admin_page = supervisor_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()
    assert "The authorization has expired" in admin_page and retry_url in admin_page

    with committed():
        supervisor_client.post(retry_url)

    case.refresh_from_db()
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.CAPTURED
    assert case.status == Case.Status.COMPLETED
    captures = paypal_server.state.calls(f"/v2/payments/authorizations/{authorization_id}/capture")
    assert captures[-1].headers["PayPal-Request-Id"].endswith("-capture-1")
    assert CaseEvent.objects.get(case=case, action=Action.HOLD_CAPTURED).to_status == Case.Status.COMPLETED


def test_a_refused_release_after_the_return_leaves_the_case_open_and_an_agent_retries(
    paypal_server, committed, agent_client
):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=5, authorization_id=authorization_id)
    paypal_server.state.fail("POST", "/v2/payments/authorizations/", 403, "PERMISSION_DENIED", times=1)

    with committed():
        case_receive_return(case=case, actor=AgentFactory())

    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_RETURN and case.hold_settlement == HoldSettlement.RELEASE
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.FAILED
    with committed():
        agent_client.post(reverse("admin:payments_retry_hold", args=[case.pk]))

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert paypal_server.state.authorizations[authorization_id]["status"] == "VOIDED"


def test_a_release_paypal_answers_without_voiding_does_not_complete_the_case(paypal_server, committed):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=5, authorization_id=authorization_id)
    paypal_server.state.alter("GET", "/v2/payments/authorizations/", status="CREATED")

    with committed():
        case_receive_return(case=case, actor=AgentFactory())

    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_RETURN
    assert "not released" in ReplacementChoice.objects.get(case=case).paypal_error


def test_the_return_received_cannot_be_marked_twice_while_paypal_releases(paypal_server):
    case = shipped_ahead_case(days_since_hold=5, authorization_id=loopback_authorization(paypal_server))
    paypal_server.state.fail_with = 503
    case_receive_return(case=case, actor=AgentFactory())

    with pytest.raises(Exception, match="being released"):
        case_receive_return(case=case, actor=AgentFactory())


def test_the_watch_goes_on_when_one_hold_cannot_be_settled(paypal_server, committed, monkeypatch):
    broken = shipped_ahead_case(days_since_hold=28, authorization_id=loopback_authorization(paypal_server))
    other = shipped_ahead_case(
        days_since_hold=28, authorization_id=loopback_authorization(paypal_server, "AUTH0000000000002")
    )
    Case.objects.filter(pk=broken.pk).update(replacement_method="")  # no longer ships ahead: refused

    with committed():
        counts = hold_watch()

    assert counts["failed"] == 1 and counts["captured"] == 1
    other.refresh_from_db()
    assert other.status == Case.Status.COMPLETED


# --- 3. The customer's page follows the case ------------------------------------------------


def test_a_case_closed_by_capturing_the_hold_does_not_say_the_return_was_sent(
    paypal_server, committed, client
):
    case = shipped_ahead_case(days_since_hold=26, authorization_id=loopback_authorization(paypal_server))
    with committed():
        case_capture_hold(case=case, actor=SupervisorFactory())
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED

    client.force_login(case.customer)
    page = client.get(case.get_absolute_url()).content.decode()

    assert 'data-step="return" data-step-state="missed"' in page
    assert 'data-step="return" data-step-state="done"' not in page
    assert "Send it after your replacement ships" not in page
    assert "Not received" in page
    assert "The PayPal hold was charged" in page


# --- 4. The return window runs from the shipment ---------------------------------------------


def _processing_with_hold(days_since_hold: int) -> Case:
    case = shipped_ahead_case(days_since_hold=days_since_hold)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PROCESSING, return_due_at=None, due_at=None)
    case.refresh_from_db()
    return case


def test_the_return_window_counts_from_the_shipment():
    case = _processing_with_hold(days_since_hold=1)

    before = timezone.now()
    case = case_ship_ahead(
        case=case, actor=AgentFactory(), outbound_carrier="UPS", outbound_tracking_number="1Z1"
    )

    assert (
        before + datetime.timedelta(days=25)
        <= case.return_due_at
        <= timezone.now() + datetime.timedelta(days=25)
    )
    assert case.due_at == case.return_due_at


def test_a_late_shipment_gets_a_return_date_a_day_before_the_hold_must_be_settled():
    case = _processing_with_hold(days_since_hold=10)

    case = case_ship_ahead(
        case=case, actor=AgentFactory(), outbound_carrier="UPS", outbound_tracking_number="1Z1"
    )

    assert case.return_due_at == case.hold_placed_at + datetime.timedelta(days=27)


# --- 5. The hold's currency ------------------------------------------------------------------


def test_the_hold_currency_is_a_paypal_currency_defaulting_to_the_warehouses():
    case = CaseFactory(
        status=Case.Status.DRAFT,
        advance_replacement=True,
        hold_amount=Decimal("99.00"),
        warehouse=WarehouseFactory(name="Lyon", currency="EUR"),
    )

    case.full_clean(exclude=["number", "customer"])
    assert case.hold_currency == "EUR"
    case.hold_currency = "XYZ"
    with pytest.raises(ValidationError) as refused:
        case.full_clean(exclude=["number", "customer"])
    assert "hold_currency" in refused.value.message_dict
    assert ("JPY", "JPY") in CaseAdminForm().fields["hold_currency"].choices


# --- 6. The cancel link acts only with the pending order's token ------------------------------


@pytest.mark.parametrize("token", ["", "SOMEOTHERORDER"])
def test_the_cancel_link_without_the_pending_orders_token_changes_nothing(client, paypal_server, token):
    case = advance_case()
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)

    response = client.get(
        reverse("payments:method_cancel", kwargs={"number": case.number}), {"token": token} if token else {}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:method", kwargs={"number": case.number})
    page = client.get(response["Location"]).content.decode()
    assert "You left PayPal without approving" not in page
    assert "Your hold is waiting for your approval on PayPal" in page
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.APPROVING and choice.order_id
    assert not CaseEvent.objects.filter(case=case, action=Action.HOLD_CANCEL).exists()

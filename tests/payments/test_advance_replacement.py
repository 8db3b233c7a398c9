"""
Advance replacement against the loopback PayPal: the method step, the hold (an order with
intent AUTHORIZE, approved and authorized), the replacement shipped ahead, the hold released
when the return arrives and captured when it does not, and the watch on PayPal's 29 days.
"""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import paypal
from payments.holds import hold_settled, hold_watch
from payments.models import HoldState, ReplacementChoice
from payments.tasks import release_hold
from rma.backoffice.queues import queue_cases
from rma.cases.models import Action, Case, CaseEvent, ReplacementMethod
from rma.cases.services import case_complete
from rma.cases.workflow import CaseActionError
from rma.required.advance import case_capture_hold, case_extend_return, case_receive_return, case_ship_ahead
from rma.required.models import PartState
from rma.required.services import case_accept
from tests.factories import AgentFactory, SupervisorFactory
from tests.payments.holds import (
    add_address,
    advance_case,
    choose_advance,
    come_back_from_paypal,
    loopback_authorization,
    place_hold,
    shipped_ahead_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a service queued for after its commit (emails, PayPal tasks), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_choosing_advance_creates_an_authorize_order_and_sends_the_customer_to_paypal(client, paypal_server):
    case = advance_case()

    response = choose_advance(client, case)

    [create] = paypal_server.state.calls("/v2/checkout/orders")
    body = json.loads(create.body)
    assert body["intent"] == "AUTHORIZE"
    assert body["purchase_units"][0]["amount"] == {"currency_code": "USD", "value": "129.00"}
    assert create.headers["PayPal-Request-Id"]
    context = body["payment_source"]["paypal"]["experience_context"]
    assert context["return_url"].endswith(f"/rma/{case.number}/method/paypal/return/")
    assert context["cancel_url"].endswith(f"/rma/{case.number}/method/paypal/cancel/")
    choice = ReplacementChoice.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == choice.approval_url
    assert choice.hold_state == HoldState.APPROVING
    assert choice.state == PartState.TO_DO
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        Action.METHOD_CHOOSE,
        Action.HOLD_APPROVAL,
    ]


def test_the_approved_order_is_authorized_and_the_hold_recorded(client, paypal_server, mailoutbox, committed):
    case = advance_case()

    with committed():
        choice = place_hold(client, case, paypal_server)

    [authorization] = paypal_server.state.authorizations.values()
    assert choice.authorization_id == authorization["id"]
    assert str(choice.amount) == "129.00" and choice.currency == "USD"
    assert choice.expires_at == datetime.datetime(2026, 12, 31, 10, tzinfo=datetime.UTC)
    assert choice.state == PartState.SUBMITTED
    case.refresh_from_db()
    assert case.replacement_method == ReplacementMethod.ADVANCE
    assert case.return_due_at is None  # due once the replacement ships
    # The return follows the shipment: only the address is still needed before the review.
    assert case.status == Case.Status.AWAITING_INFO
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-part="method" data-part-state="submitted"' in page
    assert "Send it after your replacement ships" in page
    assert 'hold-amount">129.00 USD<' in page
    assert [mail.subject for mail in mailoutbox] == [f"{case.number}: the PayPal hold is placed"]


def test_the_hold_and_the_address_take_the_case_to_review_without_the_return(client, paypal_server):
    case = advance_case()
    add_address(case)

    place_hold(client, case, paypal_server)

    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW


def test_a_double_submit_of_the_approval_return_authorizes_once(client, paypal_server):
    case = advance_case()
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)
    paypal_server.state.approve(choice.order_id)

    first = come_back_from_paypal(client, case, choice.order_id)
    second = come_back_from_paypal(client, case, choice.order_id)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == case.get_absolute_url()
    assert len(paypal_server.state.authorizations) == 1
    assert CaseEvent.objects.filter(case=case, action=Action.HOLD_PLACE).count() == 1


def test_two_authorize_calls_with_one_request_id_get_one_authorization(paypal_server):
    order = paypal.create_hold_order(
        amount="129.00",
        currency="USD",
        reference="RMA-1",
        description="hold",
        return_url="https://portal.example/return",
        cancel_url="https://portal.example/cancel",
        request_id="case-1-order",
    )
    paypal_server.state.approve(order.order_id)

    first = paypal.authorize_order(order_id=order.order_id, request_id="case-1-authorize")
    again = paypal.authorize_order(order_id=order.order_id, request_id="case-1-authorize")

    assert first == again
    assert len(paypal_server.state.authorizations) == 1


def test_a_cancelled_approval_brings_the_customer_back_to_the_choice(client, paypal_server):
    case = advance_case()
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)

    response = client.get(
        reverse("payments:method_cancel", kwargs={"number": case.number}),
        {"token": choice.order_id},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("payments:method", kwargs={"number": case.number})
    page = response.content.decode()
    assert "You left PayPal without approving the hold, so nothing is held" in page
    assert 'name="method" value="advance"' in page
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.NONE
    assert not paypal_server.state.authorizations
    assert CaseEvent.objects.filter(case=case, action=Action.HOLD_CANCEL).exists()


def test_an_order_paypal_refuses_to_authorize_brings_the_customer_back_with_a_message(client, paypal_server):
    case = advance_case()
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)  # never approved on PayPal

    response = come_back_from_paypal(client, case, choice.order_id)

    assert response["Location"] == reverse("payments:method", kwargs={"number": case.number})
    page = client.get(response["Location"]).content.decode()
    assert "PayPal did not place the hold, so nothing is held on your account" in page
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.NONE


def test_paypal_down_on_the_way_back_keeps_the_approval_for_another_try(client, paypal_server):
    case = advance_case()
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)
    paypal_server.state.approve(choice.order_id)
    paypal_server.state.fail_with = 503

    response = come_back_from_paypal(client, case, choice.order_id)

    page = client.get(response["Location"]).content.decode()
    assert "Your approval is kept" in page
    assert "I approved it on PayPal: confirm the hold" in page
    paypal_server.state.fail_with = 0
    client.post(reverse("payments:method_return", kwargs={"number": case.number}), {"token": choice.order_id})
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.AUTHORIZED


def test_the_standard_way_can_be_changed_to_advance_until_the_hold_is_placed(client, paypal_server):
    case = advance_case()
    client.force_login(case.customer)
    url = reverse("payments:method", kwargs={"number": case.number})

    client.post(url, {"method": "standard"})
    case.refresh_from_db()
    assert case.replacement_method == ReplacementMethod.STANDARD
    place_hold(client, case, paypal_server)
    response = client.post(url, {"method": "standard"})

    case.refresh_from_db()
    assert case.replacement_method == ReplacementMethod.ADVANCE
    assert response.status_code == 302
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.AUTHORIZED


def test_without_paypal_the_advance_method_is_not_offered_and_the_page_says_why(client, paypal_off):
    case = advance_case()
    client.force_login(case.customer)
    url = reverse("payments:method", kwargs={"number": case.number})

    page = client.get(url).content.decode()
    refused = client.post(url, {"method": "advance"})

    assert 'value="advance" id="method-advance" disabled' in page
    assert "our connection to PayPal is not set up" in page
    assert refused.status_code == 400
    assert "Advance replacement is not available at the moment" in refused.content.decode()
    assert not ReplacementChoice.objects.filter(case=case, method="advance").exists()


def test_a_replacement_without_advance_offered_has_no_method_step(client):
    case = advance_case(advance_replacement=False)
    client.force_login(case.customer)

    assert client.get(reverse("payments:method", kwargs={"number": case.number})).status_code == 404


def test_returned_on_time_the_case_completes_and_the_hold_is_voided(
    client, paypal_server, mailoutbox, committed
):
    case = advance_case()
    add_address(case)
    choice = place_hold(client, case, paypal_server)
    agent = AgentFactory()
    case_accept(case=case, actor=agent)
    with pytest.raises(CaseActionError):
        case_complete(case=case, actor=agent, outbound_carrier="UPS", outbound_tracking_number="1Z1")

    case = case_ship_ahead(
        case=case, actor=agent, outbound_carrier="UPS", outbound_tracking_number="1Z999AA1"
    )
    assert case.status == Case.Status.AWAITING_RETURN
    assert case.due_at == case.return_due_at
    with committed():
        case_receive_return(case=case, actor=agent)

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert paypal_server.state.authorizations[choice.authorization_id]["status"] == "VOIDED"
    void = paypal_server.state.calls(f"/v2/payments/authorizations/{choice.authorization_id}/void")[0]
    assert void.headers["PayPal-Request-Id"].endswith("-void")
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.VOIDED
    assert f"{case.number}: the PayPal hold is released" in [mail.subject for mail in mailoutbox]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "was released; nothing was charged" in page


def test_past_the_window_a_supervisor_captures_the_hold(client, paypal_server, mailoutbox, committed):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=26, authorization_id=authorization_id)

    with pytest.raises(CaseActionError):
        case_capture_hold(case=case, actor=AgentFactory())
    with committed():
        case_capture_hold(case=case, actor=SupervisorFactory())

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert paypal_server.state.authorizations[authorization_id]["status"] == "CAPTURED"
    choice = ReplacementChoice.objects.get(case=case)
    assert choice.hold_state == HoldState.CAPTURED and choice.capture_id
    assert f"{case.number}: the PayPal hold was captured" in [mail.subject for mail in mailoutbox]


def test_the_hold_cannot_be_captured_while_the_return_window_is_open(paypal_server):
    case = shipped_ahead_case(days_since_hold=3, authorization_id=loopback_authorization(paypal_server))

    with pytest.raises(CaseActionError, match="due by"):
        case_capture_hold(case=case, actor=SupervisorFactory())

    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_RETURN


def test_a_supervisor_extends_the_window_with_a_reason_up_to_a_day_before_the_portal_settles(paypal_server):
    case = shipped_ahead_case(days_since_hold=24)
    supervisor = SupervisorFactory()
    too_late = timezone.localdate(case.hold_placed_at) + datetime.timedelta(days=30)

    with pytest.raises(CaseActionError):
        case_extend_return(case=case, actor=supervisor, comment="", return_due_on=too_late)
    with pytest.raises(CaseActionError, match="PayPal keeps the hold"):
        case_extend_return(case=case, actor=supervisor, comment="Parcel delayed", return_due_on=too_late)
    new_date = timezone.localdate(case.hold_placed_at) + datetime.timedelta(days=27)
    case = case_extend_return(case=case, actor=supervisor, comment="Parcel delayed", return_due_on=new_date)

    assert timezone.localdate(case.due_at) == new_date == timezone.localdate(case.return_due_at)
    assert case.status == Case.Status.AWAITING_RETURN


def test_paypal_down_during_the_void_is_resumed_and_nothing_is_lost(paypal_server, committed):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=5, authorization_id=authorization_id)
    paypal_server.state.fail_with = 503

    with committed():
        case_receive_return(case=case, actor=AgentFactory())

    choice = ReplacementChoice.objects.get(case=case)
    assert choice.hold_state == HoldState.VOIDING
    assert paypal_server.state.authorizations[authorization_id]["status"] == "CREATED"
    paypal_server.state.fail_with = 0
    assert hold_watch()["resumed"] == 0  # too early: its task and the outbox are still on it
    with committed():
        counts = hold_watch(now=timezone.now() + datetime.timedelta(hours=7))

    assert counts["resumed"] == 1
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.VOIDED
    assert paypal_server.state.authorizations[authorization_id]["status"] == "VOIDED"


def test_the_watch_flags_a_hold_from_day_25_once(paypal_server):
    case = shipped_ahead_case(days_since_hold=25, authorization_id=loopback_authorization(paypal_server))

    assert hold_watch()["flagged"] == 1
    assert hold_watch()["flagged"] == 0

    assert CaseEvent.objects.filter(case=case, action=Action.HOLD_FLAG).count() == 1
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.AUTHORIZED


def test_on_day_28_the_watch_captures_a_hold_whose_return_never_came(paypal_server, committed):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=28, authorization_id=authorization_id)

    with committed():
        assert hold_watch()["captured"] == 1

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert paypal_server.state.authorizations[authorization_id]["status"] == "CAPTURED"
    event = CaseEvent.objects.get(case=case, action=Action.CAPTURE_HOLD)
    assert event.actor is None


def test_on_day_28_the_watch_releases_a_hold_whose_case_is_closed(paypal_server, committed):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=28, authorization_id=authorization_id)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.COMPLETED)

    with committed():
        assert hold_watch()["released"] == 1

    assert paypal_server.state.authorizations[authorization_id]["status"] == "VOIDED"
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.VOIDED


def test_a_hold_is_released_only_once(paypal_server, committed):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=5, authorization_id=authorization_id)
    with committed():
        case_receive_return(case=case, actor=AgentFactory())

    assert release_hold.apply(kwargs={"case_id": case.pk}).result == "nothing to do"
    assert len(paypal_server.state.calls(f"/v2/payments/authorizations/{authorization_id}/void")) == 1
    assert CaseEvent.objects.filter(case=case, action=Action.HOLD_VOID).count() == 1


def test_the_admin_offers_ship_ahead_instead_of_complete_for_a_case_with_a_hold(agent_client):
    case = shipped_ahead_case()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PROCESSING)

    page = agent_client.get(reverse("admin:rma_case_change", args=[case.pk])).content.decode()

    assert reverse("admin:rma_case_transition", args=[case.pk, Action.SHIP_AHEAD]) in page
    assert reverse("admin:rma_case_transition", args=[case.pk, Action.COMPLETE]) not in page


def test_a_supervisor_captures_through_the_confirmation_page(
    supervisor_client, paypal_server, committed, mailoutbox
):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=26, authorization_id=authorization_id)
    url = reverse("admin:rma_case_transition", args=[case.pk, Action.CAPTURE_HOLD])

    confirmation = supervisor_client.get(url)
    assert confirmation.status_code == 200
    assert "PayPal takes the held amount from the customer for good" in confirmation.content.decode()
    assert paypal_server.state.authorizations[authorization_id]["status"] == "CREATED"
    with committed():
        supervisor_client.post(url, {"comment": ""})

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert paypal_server.state.authorizations[authorization_id]["status"] == "CAPTURED"


def test_an_agent_cannot_open_the_capture_page(agent_client):
    case = shipped_ahead_case(days_since_hold=26)

    response = agent_client.get(reverse("admin:rma_case_transition", args=[case.pk, Action.CAPTURE_HOLD]))

    assert response.status_code == 403


def test_an_overdue_return_is_in_the_team_queue_of_holds_to_settle(agent):
    overdue = shipped_ahead_case(days_since_hold=26)
    in_time = shipped_ahead_case(days_since_hold=3)

    listed = queue_cases(Case.objects.all(), key="hold_to_settle", user=agent)

    assert list(listed) == [overdue]
    assert in_time not in listed


def test_a_hold_paypal_refuses_to_settle_is_marked_failed_and_the_team_is_told(
    paypal_server, mailoutbox, committed
):
    case = shipped_ahead_case(days_since_hold=3, authorization_id=loopback_authorization(paypal_server))

    with committed():
        choice = hold_settled(case_id=case.pk, error="AUTHORIZATION_EXPIRED")

    assert choice.hold_state == HoldState.FAILED
    assert case.events.filter(action=Action.HOLD_ERROR).count() == 1
    [mail] = [mail for mail in mailoutbox if "refused to settle" in mail.subject]
    assert mail.subject == f"{case.number}: PayPal refused to settle the hold"
    assert mail.to != [case.customer.email]
    assert "AUTHORIZATION_EXPIRED" in mail.body

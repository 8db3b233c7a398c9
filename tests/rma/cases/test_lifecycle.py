"""
Every (status, action, actor) combination, checked against the lifecycle written out here.

The expected table below is deliberately a second, independent copy of DESIGN.md's
lifecycle: a change to ``rma.models.TRANSITIONS`` that drifts from it fails these tests.
"""

import datetime

import pytest
from django.utils import timezone

from rma.cases.models import Action, Case, CaseEvent, ReplacementMethod, Role
from rma.cases.workflow import CaseActionError, CaseStatusError
from rma.lifecycle import TRANSITION_SERVICES
from tests.factories import AgentFactory, CaseFactory, CustomerFactory, SupervisorFactory, every_part_in

pytestmark = pytest.mark.django_db

S = Case.Status
CUSTOMER_SIDE = {"customer", "agent", "supervisor"}  # staff act on the customer's behalf
TEAM = {"agent", "supervisor"}

# (status, action) -> (status reached, actors allowed). Everything else is refused.
EXPECTED = {
    # A customer's warranty claim: answered with a solution, or declined with a reason.
    (S.REQUESTED, Action.ANSWER_CLAIM): (S.PENDING_CONFIRM, TEAM),
    (S.REQUESTED, Action.DECLINE_CLAIM): (S.CANCELLED, TEAM),
    (S.DRAFT, Action.SUBMIT_FOR_APPROVAL): (S.PENDING_APPROVAL, TEAM),
    (S.DRAFT, Action.PUBLISH): (S.PENDING_CONFIRM, TEAM),
    (S.PENDING_APPROVAL, Action.APPROVE): (S.PENDING_CONFIRM, {"supervisor"}),
    (S.PENDING_APPROVAL, Action.SEND_BACK): (S.DRAFT, {"supervisor"}),
    (S.PENDING_CONFIRM, Action.AGREE): (S.AWAITING_INFO, CUSTOMER_SIDE),
    (S.PENDING_CONFIRM, Action.DISAGREE): (S.DISAGREED, CUSTOMER_SIDE),
    (S.DISAGREED, Action.REVISE): (S.PENDING_CONFIRM, TEAM),
    (S.DISAGREED, Action.CANCEL): (S.CANCELLED, TEAM),
    (S.AWAITING_INFO, Action.MARK_INFO_COMPLETE): (S.UNDER_REVIEW, CUSTOMER_SIDE | {"system"}),
    (S.UNDER_REVIEW, Action.ACCEPT): (S.PROCESSING, TEAM),
    (S.UNDER_REVIEW, Action.REQUEST_INFO): (S.AWAITING_INFO, TEAM),
    (S.PROCESSING, Action.COMPLETE): (S.COMPLETED, TEAM),
    # Advance replacement: shipped ahead, then the return arrives or the hold is captured.
    (S.PROCESSING, Action.SHIP_AHEAD): (S.AWAITING_RETURN, TEAM),
    # The hold's fate decided, the case awaits PayPal; it completes when PayPal confirms.
    (S.AWAITING_RETURN, Action.RECEIVE_RETURN): (S.AWAITING_RETURN, TEAM),
    (S.AWAITING_RETURN, Action.CAPTURE_HOLD): (S.AWAITING_RETURN, {"supervisor", "system"}),
    (S.AWAITING_RETURN, Action.EXTEND_RETURN): (S.AWAITING_RETURN, {"supervisor"}),
    (S.AWAITING_RETURN, Action.HOLD_VOID): (S.COMPLETED, {"system"}),
    (S.AWAITING_RETURN, Action.HOLD_CAPTURED): (S.COMPLETED, {"system"}),
}
# The steps of a replacement shipped ahead against a PayPal hold (placed 26 days ago here, so
# the return window has passed and a capture is possible).
ADVANCE_ACTIONS = {
    Action.SHIP_AHEAD,
    Action.RECEIVE_RETURN,
    Action.CAPTURE_HOLD,
    Action.EXTEND_RETURN,
    Action.HOLD_VOID,
    Action.HOLD_CAPTURED,
}
CUSTOMER_ACTIONS = {Action.AGREE, Action.DISAGREE, Action.MARK_INFO_COMPLETE}
ACTORS = ("customer", "other_customer", "agent", "supervisor", "system")
EXPECTED_ROLE = {
    "customer": Role.CUSTOMER,
    "agent": Role.AGENT,
    "supervisor": Role.SUPERVISOR,
    "system": Role.SYSTEM,
}


def _actor(name, case):
    return {
        "customer": lambda: case.customer,
        "other_customer": CustomerFactory,
        "agent": AgentFactory,
        "supervisor": SupervisorFactory,
        "system": lambda: None,
    }[name]()


def _call(action, case, actor, on_behalf):
    kwargs = {"case": case, "actor": actor, "comment": "Because the customer asked for it."}
    if action in CUSTOMER_ACTIONS:
        kwargs["on_behalf"] = on_behalf
    if action == Action.DISAGREE:
        kwargs["comment"] = "The camera is scratched; I want a replacement, not a refund."
    if action in (Action.COMPLETE, Action.SHIP_AHEAD):
        kwargs.update(outbound_carrier="UPS", outbound_tracking_number="1Z999AA10123456784")
    if action == Action.EXTEND_RETURN:
        kwargs["return_due_on"] = timezone.localdate(case.hold_placed_at) + datetime.timedelta(days=27)
    return TRANSITION_SERVICES[action](**kwargs)


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("action", [row for row in TRANSITION_SERVICES])
@pytest.mark.parametrize("status", list(S))
def test_every_status_action_and_actor(status, action, actor_name):
    case = CaseFactory(status=status)
    if action in ADVANCE_ACTIONS:
        placed = timezone.now() - datetime.timedelta(days=26)
        Case.objects.filter(pk=case.pk).update(
            replacement_method=ReplacementMethod.ADVANCE,
            hold_placed_at=placed,
            return_due_at=placed + datetime.timedelta(days=25),
        )
        case.refresh_from_db()
    if action == Action.MARK_INFO_COMPLETE:
        every_part_in(case)  # the step needs every part in; tests/uploads checks what happens without
    actor = _actor(actor_name, case)
    on_behalf = action in CUSTOMER_ACTIONS and actor_name in TEAM
    events_before = CaseEvent.objects.count()
    target, allowed = EXPECTED.get((status, action), (None, set()))

    if actor_name in allowed:
        moved = _call(action, case, actor, on_behalf)
        case.refresh_from_db()
        assert case.status == moved.status == target
        event = CaseEvent.objects.get(case=case)
        assert CaseEvent.objects.count() == events_before + 1
        assert (event.action, event.from_status, event.to_status) == (action, status, target)
        assert event.actor == actor
        assert event.actor_role == EXPECTED_ROLE[actor_name]
        assert event.on_behalf is on_behalf
    else:
        with pytest.raises(CaseActionError):
            _call(action, case, actor, on_behalf)
        case.refresh_from_db()
        assert case.status == status
        assert CaseEvent.objects.count() == events_before


def test_every_row_of_the_expected_table_has_a_service():
    assert {action for _status, action in EXPECTED} == set(TRANSITION_SERVICES)


@pytest.mark.parametrize("action", sorted(CUSTOMER_ACTIONS))
def test_staff_take_a_customer_step_only_on_the_customers_behalf(action):
    source = {Action.AGREE: S.PENDING_CONFIRM, Action.DISAGREE: S.PENDING_CONFIRM}.get(
        action, S.AWAITING_INFO
    )
    case = CaseFactory(status=source)
    with pytest.raises(CaseActionError):
        _call(action, case, AgentFactory(), on_behalf=False)
    case.refresh_from_db()
    assert case.status == source
    assert not CaseEvent.objects.filter(case=case).exists()


def test_a_customer_cannot_claim_to_act_on_someone_elses_behalf():
    case = CaseFactory(status=S.PENDING_CONFIRM)
    with pytest.raises(CaseActionError):
        _call(Action.AGREE, case, case.customer, on_behalf=True)
    assert not CaseEvent.objects.filter(case=case).exists()


def test_staff_without_the_change_permission_cannot_act_on_behalf():
    case = CaseFactory(status=S.PENDING_CONFIRM)
    staff_without_group = AgentFactory(groups=[])
    with pytest.raises(CaseActionError):
        _call(Action.AGREE, case, staff_without_group, on_behalf=True)
    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM


def test_a_repeated_agree_is_refused_with_a_clear_message_and_no_second_event():
    case = CaseFactory(status=S.PENDING_CONFIRM)
    _call(Action.AGREE, case, case.customer, on_behalf=False)
    with pytest.raises(CaseStatusError) as refused:
        _call(Action.AGREE, case, case.customer, on_behalf=False)
    assert "Nothing was changed" in refused.value.message
    assert CaseEvent.objects.filter(case=case, action=Action.AGREE).count() == 1

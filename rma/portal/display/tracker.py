"""The step tracker: the way the case goes, each step done, current or to come, in small
named steps; where the case stands comes from its status's row (``stage``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rma.cases.deadlines import case_due_at
from rma.cases.models import Action, Case, CaseEvent, HoldSettlement, Stage, status_facts
from rma.portal.display.dates import day_whole
from rma.required.parts import Part

Status = Case.Status
Solution = Case.SolutionType


class StepState:
    DONE = "done"
    CURRENT = "current"
    TO_COME = "to_come"
    # A step the customer did not take and no longer can (a return that never came).
    MISSED = "missed"


@dataclass(frozen=True)
class TrackerStep:
    """One step of the way a case goes: done (with its date), current (with its due date), or to come."""

    key: str
    title: str
    state: str
    when: datetime.datetime | None = None
    late: bool = False

    @property
    def state_label(self) -> str:
        """The step's state in a word or two, for a compact tracker."""
        return {
            StepState.DONE: _("done"),
            StepState.CURRENT: _("current step"),
            StepState.MISSED: _("not done"),
        }.get(self.state, _("to come"))

    @property
    def state_text(self) -> str:
        """The step's state, with its date when it has one."""
        if self.state == StepState.DONE:
            if not self.when:
                return pgettext("step", "Done")
            return _("Done on %(date)s") % {"date": day_whole(self.when)}
        if self.state == StepState.CURRENT and self.late and self.when:
            return _("Now, due since %(date)s") % {"date": day_whole(self.when)}
        if self.state == StepState.CURRENT:
            if not self.when:
                return pgettext("step", "Now")
            return _("Now, by %(date)s") % {"date": day_whole(self.when)}
        if self.state == StepState.MISSED:
            return _("Not received in time")
        return _("To come")


def final_step_title(case: Case) -> str:
    if not case.solution_type:  # a claim the team has not answered yet
        return _("We carry out the solution")
    if case.solution_type == Solution.REFUND:
        return _("We send the refund")
    if case.solution_type == Solution.REPLACEMENT:
        return _("We ship the replacement")
    return _("We ship the items again")


def hold_captured(case: Case, events: Iterable[CaseEvent] | None = None) -> bool:
    """Whether the hold of the case is being charged, or was: the return did not come."""
    if case.hold_settlement:
        return case.hold_settlement == HoldSettlement.CAPTURE
    return case.status == Status.COMPLETED and bool(_last(events, Action.CAPTURE_HOLD, Action.HOLD_CAPTURED))


def hold_end_title(case: Case, events: Iterable[CaseEvent] | None) -> str:
    """The last step of an advance replacement: the hold released, or charged."""
    if hold_captured(case, events):
        if case.status == Status.COMPLETED:
            return _("The PayPal hold was charged")
        return _("We charge the PayPal hold")
    return _("We receive your return and release the hold")


def _stage_state(case: Case, stage: str) -> str:
    """A step of ``stage`` is done once the case's status is past it, current at it, else to
    come (the status's row says where it stands: ``stage``)."""
    here, there = Stage.ORDER.index(status_facts(case.status).stage), Stage.ORDER.index(stage)
    if here > there:
        return StepState.DONE
    return StepState.CURRENT if here == there else StepState.TO_COME


def _finished(case: Case) -> bool:
    """Every step done: the status stands at the tracker's end."""
    return status_facts(case.status).stage == Stage.FINISHED


def _last(events: Iterable[CaseEvent] | None, *actions: str) -> datetime.datetime | None:
    moments = [event.created_at for event in events or () if event.action in actions]
    return max(moments) if moments else None


@dataclass(frozen=True)
class _Clock:
    """What dates the tracker's steps: the customer's timeline, and the current step's due time."""

    events: list[CaseEvent] | None
    due: datetime.datetime | None


def _agree_step(case: Case, clock: _Clock) -> TrackerStep:
    state = _stage_state(case, Stage.AGREE)
    if state == StepState.DONE:
        when = _last(clock.events, Action.AGREE)
    else:
        # The customer's own step shows its due time while it is theirs to take.
        when = clock.due if status_facts(case.status).yours else None
    return TrackerStep("agree", _("Agree to the solution"), state, when)


def _part_steps(case: Case, parts: Sequence[Part], clock: _Clock) -> list[TrackerStep]:
    """The parts sent before the review: the first one still missing is the current step."""
    steps = []
    stage_state = _stage_state(case, Stage.INFORMATION)
    current_taken = False
    for part in parts:
        if stage_state == StepState.CURRENT and not part.is_in:
            state = StepState.TO_COME if current_taken else StepState.CURRENT
            when = None if current_taken else clock.due
            current_taken = True
        elif stage_state != StepState.TO_COME:
            state, when = StepState.DONE, part.submitted_at
        else:
            state, when = StepState.TO_COME, None
        steps.append(TrackerStep(part.key, part.step_title, state, when))
    return steps


def _review_step(case: Case, parts: Sequence[Part], clock: _Clock) -> TrackerStep:
    state = _stage_state(case, Stage.REVIEW)
    when = None
    if state == StepState.CURRENT:
        when = clock.due
    elif state == StepState.DONE:
        reviewed = [part.reviewed_at for part in parts if part.reviewed_at]
        when = _last(clock.events, Action.ACCEPT) or (max(reviewed) if reviewed else None)
    return TrackerStep("review", _("Our review"), state, when)


def _after_shipment_state(case: Case, part: Part, clock: _Clock) -> tuple[str, datetime.datetime | None]:
    """The state of a part sent after the replacement shipped ahead (the return), and its date."""
    if part.is_in:
        return StepState.DONE, part.submitted_at
    if hold_captured(case, clock.events):
        return StepState.MISSED, None
    if case.hold_settlement == HoldSettlement.RELEASE or case.status == Status.COMPLETED:
        return StepState.DONE, _last(clock.events, Action.RECEIVE_RETURN)
    if case.status == Status.AWAITING_RETURN:
        return StepState.CURRENT, clock.due
    return StepState.TO_COME, None


def _ship_ahead_steps(case: Case, after: Sequence[Part], clock: _Clock) -> list[TrackerStep]:
    """The replacement ships first, the customer's return follows, then the hold ends."""
    state = _stage_state(case, Stage.SHIPMENT)
    when = {StepState.DONE: _last(clock.events, Action.SHIP_AHEAD), StepState.CURRENT: clock.due}
    steps = [TrackerStep("ship_ahead", final_step_title(case), state, when.get(state))]
    for part in after:
        part_state, part_when = _after_shipment_state(case, part, clock)
        steps.append(TrackerStep(part.key, part.step_title, part_state, part_when))
    returned = all(part.is_in for part in after) or case.settling_hold
    if _finished(case):
        end = TrackerStep("done", hold_end_title(case, clock.events), StepState.DONE, case.status_changed_at)
    elif _stage_state(case, Stage.RETURN) == StepState.CURRENT and returned:
        end = TrackerStep("done", hold_end_title(case, clock.events), StepState.CURRENT, clock.due)
    else:
        end = TrackerStep("done", hold_end_title(case, clock.events), StepState.TO_COME)
    return [*steps, end]


def _final_step(case: Case, clock: _Clock) -> TrackerStep:
    """The team's last step: done once the case finished, current while it ships."""
    title = final_step_title(case)
    if _finished(case):
        return TrackerStep("done", title, StepState.DONE, case.status_changed_at)
    if _stage_state(case, Stage.SHIPMENT) == StepState.CURRENT:
        return TrackerStep("done", title, StepState.CURRENT, clock.due)
    return TrackerStep("done", title, StepState.TO_COME)


def tracker(
    case: Case,
    parts: Sequence[Part],
    *,
    events: Iterable[CaseEvent] | None = None,
    now: datetime.datetime | None = None,
) -> list[TrackerStep]:
    """The steps of this case, from its solution and the parts it needs, each with its state.

    ``events`` (the customer's timeline) dates the steps done; without them (the list's
    cards) only what the case row and its parts hold is dated. Where the case stands comes
    from its status's row (``stage``).
    """
    if status_facts(case.status).stage == Stage.CLOSED:
        return [
            TrackerStep(
                "closed", pgettext("step of a case", "Closed"), StepState.DONE, case.status_changed_at
            )
        ]
    due = case_due_at(case)
    clock = _Clock(list(events) if events is not None else None, due)
    # A part sent after the replacement shipped ahead (an advance replacement's return) comes
    # after the shipment in the tracker, and is not part of the review.
    before = [part for part in parts if not part.after_shipment]
    after = [part for part in parts if part.after_shipment]
    steps = [_agree_step(case, clock), *_part_steps(case, before, clock)]
    if status_facts(case.status).stage == Stage.CLAIM:
        # A claim the team is looking at: its answer comes before anything else.
        claim = TrackerStep("claim", _("The warranty team is looking at your claim"), StepState.CURRENT, due)
        steps.insert(0, claim)
    if before:
        steps.append(_review_step(case, before, clock))
    steps.extend(_ship_ahead_steps(case, after, clock) if after else [_final_step(case, clock)])
    # The current step's date is its due time: once that has passed, the step says so.
    late = due is not None and (now or timezone.now()) > due
    return [
        replace(step, late=True) if step.state == StepState.CURRENT and step.when and late else step
        for step in steps
    ]


def current_step(steps: Sequence[TrackerStep]) -> tuple[int, TrackerStep] | None:
    """The current step and its position (from 1), if the case has one."""
    for position, step in enumerate(steps, start=1):
        if step.state == StepState.CURRENT:
            return position, step
    return None

"""
How a case reads to its customer, derived from its status and the parts its solution needs.

Every sentence of the case page's next-step box, solution panel, step tracker and help links
comes from here (``case_words``), so what the page says always fits the case: nothing about
a return on a case that needs none, no "once you agree" after the customer agreed, a late
team saying it is late. Wording only; the rules stay in ``rma.cases`` and ``rma.required``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rma.cases.deadlines import case_due_at
from rma.cases.models import Action, Case, CaseEvent, HoldSettlement, ReplacementMethod, Stage, status_facts
from rma.required.parts import Part
from rma_portal.formats import country_name, format_money, join_list

Status = Case.Status
Solution = Case.SolutionType

# The help answer behind each kind of part; a part without its own answer links none.
HELP_OF_PART = {"method": "method", "return": "return", "payment": "payment", "address": "address"}
# Parts sent as pictures: the answer about uploads helps with them.
PARTS_WITH_PICTURES = frozenset({"return", "payment"})


def _day(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATE_FORMAT")


def _day_whole(moment: datetime.datetime | datetime.date) -> str:
    """The day held together by no-break spaces: a date in the tracker or the next step is
    never split over two lines ("au plus tard le 20 / décembre 2026" at 360 px)."""
    return _day(moment).replace(" ", "\N{NO-BREAK SPACE}")


# --- The solution panel -------------------------------------------------------------------


def solution_sentences(case: Case) -> list[str]:
    """What the customer gets, in one or two plain sentences."""
    if case.solution_type == Solution.REFUND:
        if case.refund_amount is not None:
            amount = format_money(case.refund_amount, case.refund_currency)
            sentences = [_("We refund you %(amount)s.") % {"amount": amount}]
        else:
            sentences = [_("We refund you for the items below.")]
    elif case.solution_type == Solution.REPLACEMENT:
        sentences = [_("We send you a replacement for the items below.")]
    else:
        sentences = [_("We send you the items below again.")]
    if case.solution_note:
        sentences.append(case.solution_note)
    return sentences


def part_request(case: Case, part: Part) -> str:
    """What one part asks of the customer, in a sentence short enough to read before deciding."""
    if part.key == "method":
        return _(
            "Choose how you get the replacement: send the item first, or get the replacement "
            "first against a PayPal hold of %(amount)s."
        ) % {"amount": format_money(case.hold_amount, case.hold_currency)}
    if part.key == "return" and part.after_shipment:
        return _(
            "Once your replacement has shipped, send the item back to our warehouse (the address is on "
            "this page) by a tracked service, then give us the tracking number and photos of the label "
            "and the receipt."
        )
    if part.key == "return" and part.sent_back_pieces:
        return _(
            "Send us again only what the warranty team asked for: %(pieces)s. The rest of your return "
            "information is kept."
        ) % {"pieces": join_list(part.sent_back_pieces)}
    if part.key == "return":
        return _(
            "Send the items back to our warehouse (the address is on this page) by a tracked service, "
            "then give us the tracking number and photos of the label and the receipt."
        )
    if part.key == "payment":
        return _(
            "Pay %(amount)s by PayPal and send us the payment proof; the payment page shows the PayPal "
            "account to pay."
        ) % {"amount": format_money(case.payment_amount, case.payment_currency)}
    if part.key == "address":
        return _("Confirm the address we ship to (the country stays %(country)s).") % {
            "country": country_name(case.country)
        }
    return part.title


def what_follows(case: Case, parts: Sequence[Part]) -> str:
    """What the team does once the customer's part is done, before it is done."""
    keys = {part.key for part in parts}
    if case.solution_type == Solution.REFUND:
        if not parts:
            return _("Nothing to send back and nothing to pay: once you agree, we send the refund.")
        if "return" in keys:
            return _("We send the refund once your return has reached us and we have checked what you sent.")
        return _("We send the refund once we have checked what you sent.")
    if case.solution_type == Solution.REPLACEMENT:
        if case.ships_ahead:
            return _(
                "We ship the replacement once we have checked what you sent. You then send the item "
                "back within 25 days, and we release the PayPal hold when it arrives."
            )
        if "method" in keys and case.replacement_method != ReplacementMethod.STANDARD:
            return _(
                "With the standard way, we ship the replacement once your return has reached us; with "
                "advance replacement, we ship it first and you send the item back afterwards."
            )
        if "return" in keys:
            return _(
                "We ship the replacement once your return has reached us and we have checked what you sent."
            )
        return _("We ship the replacement once we have checked what you sent.")
    if "return" in keys:
        return _("We ship the items again once your return has reached us and we have checked what you sent.")
    return _("We ship the items again once we have checked what you sent.")


# --- The next-step box --------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """Whose move it is on a case, what that move is, by when, and whether that time passed."""

    yours: bool
    text: str
    due: datetime.datetime | None = None
    late: bool = False
    due_text: str = ""


def _awaiting_return_text(case: Case, parts: Sequence[Part]) -> tuple[bool, str]:
    if case.hold_settlement == HoldSettlement.RELEASE:
        return False, _("Our move: your item arrived. We are releasing the PayPal hold; nothing is charged.")
    if case.hold_settlement == HoldSettlement.CAPTURE:
        return False, _(
            "Our move: your item did not reach us in time, so the held amount is being charged. "
            "If you did send it, write to us below with its tracking number."
        )
    if any(part.after_shipment and not part.is_in for part in parts) or not parts:
        return True, _(
            "Your move: your replacement is on its way. Send the original item back and give "
            "us the return information below; when it arrives we release the PayPal hold."
        )
    return False, _("Our move: your return is on its way to us; when it arrives we release the PayPal hold.")


def _processing_text(case: Case) -> str:
    if case.solution_type == Solution.REFUND:
        return _("Our move: the warranty team sends your refund.")
    if case.solution_type == Solution.REPLACEMENT:
        return _("Our move: the warranty team ships your replacement.")
    return _("Our move: the warranty team ships your items again.")


def _next_step_text(case: Case, parts: Sequence[Part] = ()) -> tuple[bool, str]:
    """Whose move it is and what it is: the status's own sentence (its row's
    ``customer_next``), or for the statuses whose sentence depends on the case, this one's."""
    if case.status == Status.AWAITING_RETURN:
        return _awaiting_return_text(case, parts)
    if case.status == Status.PROCESSING:
        return False, _processing_text(case)
    facts = status_facts(case.status)
    if facts.customer_next:
        return facts.yours, str(facts.customer_next)
    # A status the customer never sees.
    return False, _("Nothing left to do: this RMA solution was closed.")


def next_step(case: Case, parts: Sequence[Part] = (), *, now: datetime.datetime | None = None) -> NextStep:
    """The "next step" box of the case page."""
    yours, text = _next_step_text(case, parts)
    if case.is_closed:
        return NextStep(yours, text)
    # One due time per status, set by the transition that started it (rma.cases.deadlines).
    due = case_due_at(case)
    if due is None:
        return NextStep(yours, text)
    late = (now or timezone.now()) > due
    date = _day_whole(due)
    if yours and late:
        due_text = _(
            "The date we asked for, %(date)s, has passed. Please do it as soon as you can, or write "
            "to us below if you need more time."
        ) % {"date": date}
    elif yours:
        due_text = _("Please do it by %(date)s.") % {"date": date}
    elif late:
        due_text = _(
            "We are late: we aimed to finish this step by %(date)s. The team has been told your case "
            "is overdue; you do not need to do anything. If it is urgent, write to us below."
        ) % {"date": date}
    else:
        due_text = _("We aim to finish by %(date)s.") % {"date": date}
    return NextStep(yours, text, due, late, due_text)


# --- The step tracker ---------------------------------------------------------------------


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
            return _("Done on %(date)s") % {"date": _day_whole(self.when)}
        if self.state == StepState.CURRENT and self.late and self.when:
            return _("Now, due since %(date)s") % {"date": _day_whole(self.when)}
        if self.state == StepState.CURRENT:
            if not self.when:
                return pgettext("step", "Now")
            return _("Now, by %(date)s") % {"date": _day_whole(self.when)}
        if self.state == StepState.MISSED:
            return _("Not received in time")
        return _("To come")


def part_step_title(part: Part) -> str:
    """A part as a step of the tracker: what the customer does."""
    titles = {
        "return": _("Send the return"),
        "payment": _("Send the payment proof"),
        "address": _("Confirm the address"),
        "method": _("Choose how you get the replacement"),
    }
    return titles.get(part.key, part.title)


def final_step_title(case: Case) -> str:
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
        steps.append(TrackerStep(part.key, part_step_title(part), state, when))
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
        steps.append(TrackerStep(part.key, part_step_title(part), part_state, part_when))
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


# --- The checklist -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistLine:
    """One part of the case page's checklist: its state in words, whether it still asks
    something of the customer (``tone``: action, done or none) and whether it is sent later."""

    part: Part
    label: str
    tone: str = ""
    later: bool = False
    note: str = ""


def checklist_line(case: Case, part: Part) -> ChecklistLine:
    """A part as the checklist says it: a return that can no longer be sent says so, instead
    of asking for it."""
    if part.after_shipment and not part.is_in and (case.settling_hold or case.is_closed):
        if hold_captured(case):
            note = _("The return did not reach us in time, so the held amount is charged.")
            return ChecklistLine(part, _("Not received"), note=note)
        return ChecklistLine(part, _("Received"), tone="done")
    tone = {"to_do": "action", "sent_back": "action", "accepted": "done", "waived": "done"}.get(
        part.state, ""
    )
    later = part.after_shipment and part.state == "to_do" and not part.takes_now
    return ChecklistLine(part, part.state_label, tone=tone, later=later)


# --- Everything the case page says --------------------------------------------------------


@dataclass(frozen=True)
class CaseWords:
    """The sentences of one case page, all derived from the case's status and needed parts."""

    next_step: NextStep
    solution: list[str]
    requests_title: str = ""
    requests: list[str] = field(default_factory=list)
    follows: str = ""
    commitment: str = ""
    show_return_address: bool = False
    show_amount_due: bool = False
    help_anchors: tuple[str, ...] = ()
    steps: list[TrackerStep] = field(default_factory=list)
    checklist: list[ChecklistLine] = field(default_factory=list)


def customer_sends(case: Case) -> bool:
    """Whether the case waits on the customer to send something, past their agreement (the
    required information, or the return of a replacement shipped ahead)."""
    facts = status_facts(case.status)
    return facts.yours and facts.customer_agreed


def help_anchors(case: Case, parts: Sequence[Part]) -> tuple[str, ...]:
    """The help answers that fit the case's step, and only those."""
    if case.status == Status.PENDING_CONFIRM:
        return ("respond", "statuses", "serial-number")
    if customer_sends(case):
        taken_now = [part for part in parts if part.takes_now]
        open_parts = [part for part in taken_now if not part.is_in] or taken_now
        anchors = [HELP_OF_PART[part.key] for part in open_parts if part.key in HELP_OF_PART]
        if case.status == Status.AWAITING_RETURN:
            # The answer about advance replacement explains the hold the case now carries.
            anchors.insert(0, "method")
        if any(part.key in PARTS_WITH_PICTURES for part in open_parts):
            anchors.append("images")
        return (*anchors, "trouble")
    return ("statuses",)


def case_words(
    case: Case,
    parts: Sequence[Part],
    *,
    events: Iterable[CaseEvent] | None = None,
    now: datetime.datetime | None = None,
) -> CaseWords:
    """What the case page says about ``case``, whose solution needs ``parts``."""
    status = case.status
    requests, requests_title, follows, commitment = [], "", "", ""
    if status == Status.PENDING_CONFIRM:
        requests = [part_request(case, part) for part in parts]
        requests_title = _("What agreeing commits you to") if parts else ""
        follows = what_follows(case, parts)
        commitment = _("Once you agree, you can no longer turn the solution down here.")
    elif customer_sends(case):
        open_parts = [part for part in parts if part.takes_now and not part.is_in]
        requests = [part_request(case, part) for part in open_parts]
        requests_title = _("What we still need from you") if open_parts else ""
        if status == Status.AWAITING_INFO:
            follows = what_follows(case, parts)
        elif not case.settling_hold:
            follows = _("When your return reaches us, we release the PayPal hold and nothing is charged.")
    # The return address and the amount are shown while the customer may still have to use them.
    still_to_send = {
        part.key
        for part in parts
        if status == Status.PENDING_CONFIRM or customer_sends(case) and part.takes_now and not part.is_in
    }
    return CaseWords(
        next_step=next_step(case, parts, now=now),
        solution=solution_sentences(case),
        requests_title=requests_title,
        requests=requests,
        follows=follows,
        commitment=commitment,
        show_return_address="return" in still_to_send and case.warehouse_id is not None,
        show_amount_due="payment" in still_to_send,
        help_anchors=help_anchors(case, parts),
        steps=tracker(case, parts, events=events, now=now),
        checklist=[checklist_line(case, part) for part in parts],
    )


# --- The timeline -------------------------------------------------------------------------


def event_sentence(event: CaseEvent) -> str:
    """One timeline entry as the customer reads it."""
    sentences = {
        Action.PUBLISH: _("The warranty team offered this solution."),
        Action.APPROVE: _("The warranty team offered this solution."),
        Action.AGREE: _("The solution was confirmed."),
        Action.DISAGREE: _("The solution was rejected."),
        Action.REVISE: _("The warranty team revised the solution."),
        Action.CANCEL: _("The warranty team closed this RMA solution."),
        Action.MARK_INFO_COMPLETE: _("All the required information was received."),
        Action.ACCEPT: _("The warranty team accepted the information."),
        Action.REQUEST_INFO: _("The warranty team asked for information again."),
        Action.COMPLETE: _("The RMA solution was completed."),
        Action.RETURN_SUBMIT: _("Your return information was received."),
        Action.ADDRESS_CONFIRM: _("Your shipping address was received."),
        Action.PAYMENT_SUBMIT: _("Your payment proof was received."),
        Action.INVOICE_SENT: _("A PayPal invoice link was sent to you."),
        Action.PART_WAIVE: _("The warranty team decided part of the information is not needed."),
        Action.METHOD_CHOOSE: _("You chose how to get your replacement."),
        Action.HOLD_CANCEL: _("No PayPal hold was placed; the choice of method is open again."),
        Action.RECEIVE_RETURN: _("Your returned item arrived. The PayPal hold is being released."),
        Action.CAPTURE_HOLD: _("The return did not arrive in time: the PayPal hold is being charged."),
        Action.EXTEND_RETURN: _("The warranty team gave you more time to send the item back."),
    }
    amount = (
        format_money(event.data.get("amount") or 0, event.data.get("currency", ""))
        if event.data.get("amount")
        else ""
    )
    if event.action == Action.HOLD_PLACE:
        return _("PayPal now holds %(amount)s on your account until your return arrives.") % {
            "amount": amount
        }
    if event.action == Action.HOLD_VOID:
        return _("The PayPal hold of %(amount)s was released; nothing was charged.") % {"amount": amount}
    if event.action == Action.HOLD_CAPTURED:
        return _("The held %(amount)s was charged.") % {"amount": amount}
    if event.action == Action.SHIP_AHEAD:
        return _(
            "Your replacement was shipped ahead of your return with %(carrier)s, "
            "tracking number %(tracking)s."
        ) % {
            "carrier": event.data.get("outbound_carrier", ""),
            "tracking": event.data.get("outbound_tracking_number", ""),
        }
    text = sentences.get(event.action, Action(event.action).label)
    if event.action == Action.COMPLETE:
        if event.data.get("outbound_tracking_number"):
            text += " " + _("Shipped with %(carrier)s, tracking number %(tracking)s.") % {
                "carrier": event.data.get("outbound_carrier", ""),
                "tracking": event.data["outbound_tracking_number"],
            }
        elif event.data.get("refund_reference"):
            text += " " + _("Refund reference: %(reference)s.") % {
                "reference": event.data["refund_reference"]
            }
    return text


# --- An item's warranty -------------------------------------------------------------------


def warranty_sentence(item) -> str:
    """Whether ``item`` was in warranty when the case was opened, and until when, in plain words."""
    verdict = item.warranty
    if verdict.in_warranty:
        return _("In warranty: covered until %(date)s.") % {"date": _day(verdict.ends_on)}
    return _("Out of warranty: the warranty ended on %(date)s.") % {"date": _day(verdict.ends_on)}

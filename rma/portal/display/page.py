"""Everything the case page says (``case_words``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from rma.cases.models import Case, CaseEvent, status_facts
from rma.portal.display.checklist import ChecklistLine, checklist_line
from rma.portal.display.next_step import NextStep, next_step
from rma.portal.display.solution import part_request, solution_sentences, what_follows
from rma.portal.display.tracker import TrackerStep, tracker
from rma.required.parts import Part

Status = Case.Status


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
    facts = status_facts(case.customer_status)
    return facts.yours and facts.customer_agreed


def help_anchors(case: Case, parts: Sequence[Part]) -> tuple[str, ...]:
    """The help answers that fit the case's step, and only those."""
    if case.customer_status == Status.PENDING_CONFIRM:
        return ("respond", "statuses", "serial-number")
    if customer_sends(case):
        taken_now = [part for part in parts if part.takes_now]
        open_parts = [part for part in taken_now if not part.is_in] or taken_now
        anchors = [part.help_anchor for part in open_parts if part.help_anchor]
        if case.customer_status == Status.AWAITING_RETURN:
            # The answer about advance replacement explains the hold the case now carries.
            anchors.insert(0, "method")
        if any(part.has_pictures for part in open_parts):
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
    status = case.customer_status
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

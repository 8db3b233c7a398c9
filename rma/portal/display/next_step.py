"""The next-step box: whose move it is, what it is, by when."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from rma.cases.deadlines import case_due_at
from rma.cases.models import Case, CaseMessage, HoldSettlement, status_facts
from rma.portal.display.dates import day_whole
from rma.required.parts import Part

Status = Case.Status
Solution = Case.SolutionType


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


def _claim_question_open(case: Case) -> bool:
    """A claim whose conversation ends with the team's question (the case page's ``thread``):
    the claim waits on the customer's answer."""
    thread = getattr(case, "thread", None) or []
    return case.status == Status.REQUESTED and bool(thread) and thread[-1].sender == CaseMessage.Sender.TEAM


def next_step(case: Case, parts: Sequence[Part] = (), *, now: datetime.datetime | None = None) -> NextStep:
    """The "next step" box of the case page."""
    if _claim_question_open(case):
        return NextStep(
            True,
            _(
                "Your move: the warranty team asked you something about your claim. Answer in the "
                "messages below; the team goes on with your claim once it has your answer."
            ),
        )
    yours, text = _next_step_text(case, parts)
    if case.is_closed:
        return NextStep(yours, text)
    # One due time per status, set by the transition that started it (rma.cases.deadlines).
    due = case_due_at(case)
    if due is None:
        return NextStep(yours, text)
    late = (now or timezone.now()) > due
    date = day_whole(due)
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

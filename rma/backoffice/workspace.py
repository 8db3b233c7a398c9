"""
The top of the case page, the agent's workspace: what happens next and by when, who the
customer is (their language, their other cases), and the required information with its
pictures. Read once per page, in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.db.models import Count, Window
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rma.cases.deadlines import deadline_for
from rma.cases.models import Case, HoldSettlement, status_facts
from rma.required.parts import Part, PartReview, missing_parts, needed_part_models, part_of, required_parts
from rma_portal.formats import join_list

Status = Case.Status

# How many of the customer's other cases the page lists; the rest are a link to the list.
OTHER_CASES_SHOWN = 5


@dataclass(frozen=True)
class NextStep:
    """What the case waits for, in one sentence, and its due time."""

    sentence: str
    due_at: datetime.datetime | None
    overdue: bool

    @property
    def due_sentence(self) -> str:
        if self.due_at is None:
            return ""
        when = date_format(timezone.localtime(self.due_at), "DATETIME_FORMAT")
        if self.overdue:
            return _("Overdue since %(date)s") % {"date": when}
        return _("Due: %(date)s") % {"date": when}


@dataclass
class Workspace:
    next_step: NextStep
    other_cases: list[Case]
    other_case_count: int
    parts: list[tuple[Part, PartReview]] = field(default_factory=list)


def next_step_sentence(case: Case) -> str:
    """Who moves ``case`` on next, and how, in the team's words."""
    if case.status == Status.DRAFT:
        if case.goes_to_approval:
            return _("The team finishes the solution and submits it for a supervisor's approval.")
        return _("The team finishes the solution and publishes it to the customer.")
    if case.status == Status.AWAITING_INFO:
        missing = [str(model.title) for model in missing_parts(case)]
        if missing:
            return _("The customer sends what is still missing: %(parts)s.") % {"parts": join_list(missing)}
        return _("Everything is in: the case moves to review.")
    if case.status == Status.PROCESSING:
        if case.solution_type == Case.SolutionType.REFUND:
            return _("The team sends the refund and completes the case with its reference.")
        if case.ships_ahead:
            return _("The team ships the replacement ahead of the return, with its tracking number.")
        return _("The team ships to the customer and completes the case with the tracking number.")
    if case.status == Status.AWAITING_RETURN and case.hold_settlement == HoldSettlement.RELEASE:
        return _(
            "The return arrived: PayPal releases the hold, and the case completes when PayPal confirms "
            "it. If PayPal does not, its answer and a button to ask again show under the required "
            "information."
        )
    if case.status == Status.AWAITING_RETURN and case.hold_settlement == HoldSettlement.CAPTURE:
        return _(
            "PayPal captures the hold, and the case completes when PayPal confirms it. If PayPal does "
            "not, its answer and a button for a supervisor to ask again show under the required "
            "information."
        )
    if case.status == Status.AWAITING_RETURN:
        return _(
            "The customer sends the item back: mark the return received to release the PayPal hold, "
            "or, once the return date has passed, a supervisor captures the hold or extends the date."
        )
    # The status's own sentence, from its row of the status table.
    return str(status_facts(case.status).team_next)


def next_step_for(case: Case) -> NextStep:
    deadline = deadline_for(case)
    sentence = next_step_sentence(case)
    if case.customer_wrote_at and not case.is_closed:
        when = date_format(timezone.localtime(case.customer_wrote_at), "DATETIME_FORMAT")
        sentence = _("The team answers the customer's message of %(date)s. Then: %(next)s") % {
            "date": when,
            "next": sentence,
        }
    return NextStep(sentence=sentence, due_at=deadline.due_at, overdue=deadline.overdue)


def part_sections(site: admin.AdminSite, case: Case, user=None) -> list[tuple[Part, PartReview]]:
    """Each part the solution needs, with what was sent of it (its pictures included) and the
    tools ``user`` may use on it; a part nothing was sent for yet is its title and state only."""
    sections = []
    for part, model in zip(required_parts(case), needed_part_models(case), strict=True):
        review = site.get_model_admin(model).review_section(case) if part_of(case, model) else PartReview()
        sections.append((part, review.keep_tools_of(user)))
    return sections


def workspace_for(site: admin.AdminSite, case: Case, user=None) -> Workspace:
    """Everything the top of the case page shows about ``case``."""
    # The first few and how many there are, in one query.
    others = Case.objects.filter(customer_id=case.customer_id).exclude(pk=case.pk)
    shown = list(
        others.annotate(total=Window(Count("pk"))).order_by("-created_at", "-id")[:OTHER_CASES_SHOWN]
    )
    count = shown[0].total if shown else 0
    return Workspace(
        next_step=next_step_for(case),
        other_cases=shown[:OTHER_CASES_SHOWN],
        other_case_count=count,
        parts=part_sections(site, case, user),
    )

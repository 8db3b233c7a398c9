"""
Reads a customer may make. Anything not theirs, or not yet shown to them, is a plain 404.

A case in a hidden status stays shown when it began as the customer's warranty claim: they
see it as a claim being looked at (``Case.customer_status``), so lists are filed, filtered
and ordered by that status, never by the team's draft or approval state.

Views never fetch a case themselves: they go through these functions, so the rule "a
customer sees only their own visible cases" lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rma.cases.models import (
    Action,
    Case,
    CaseEvent,
    CaseItem,
    CaseMessage,
    Status,
    part_accessors,
    status_facts,
    statuses_where,
)


@dataclass(frozen=True)
class CustomerGroup:
    """A heading of the customer's case list; the statuses filed under it say so in their
    rows of the status table (``customer_group``)."""

    key: str
    title: str

    @property
    def statuses(self) -> frozenset[str]:
        return statuses_where(customer_group=self.key)


CUSTOMER_GROUPS: tuple[CustomerGroup, ...] = (
    CustomerGroup("pending_confirmation", _("Pending confirmation")),
    CustomerGroup("action_required", _("Action required")),
    CustomerGroup("in_progress", _("In progress")),
    CustomerGroup("closed", pgettext_lazy("cases that are finished", "Closed")),
)


def group_of_status(status: str) -> CustomerGroup | None:
    """The heading ``status`` is filed under in the customer's list (none when hidden)."""
    key = status_facts(status).customer_group
    return next((group for group in CUSTOMER_GROUPS if group.key == key), None)


def visible_cases(*, user: Any) -> QuerySet[Case]:
    """The cases ``user`` may see as a customer: theirs, and past the team's drafting, or
    begun as their claim (``Case.is_visible_to_customer``); the claim joined, for
    ``Case.customer_status``."""
    if not user.is_authenticated:
        return Case.objects.none()
    return (
        Case.objects.filter(customer=user)
        .filter(~Q(status__in=Case.HIDDEN_STATUSES) | Q(claim__isnull=False))
        .select_related("claim")
    )


def case_list_for_customer(*, user: Any, status: str | None = None) -> QuerySet[Case]:
    """The customer's cases, group by group, newest first within a group.

    ``status`` narrows the list to one status (``pending_confirm``) or one group
    (``action_required``); an unknown value narrows it to nothing rather than to everything.
    """
    cases = visible_cases(user=user).annotate(shown_status=Case.customer_status_expression())
    if status:
        groups = {group.key: group for group in CUSTOMER_GROUPS}
        if status in groups:
            cases = cases.filter(shown_status__in=groups[status].statuses)
        else:
            cases = cases.filter(shown_status=status)
    rank = SqlCase(
        *[
            When(shown_status__in=list(group.statuses), then=Value(position))
            for position, group in enumerate(CUSTOMER_GROUPS)
        ],
        default=Value(len(CUSTOMER_GROUPS)),
        output_field=IntegerField(),
    )
    return (
        cases.annotate(group_rank=rank)
        .order_by("group_rank", "-created_at", "-id")
        .prefetch_related(Prefetch("items", queryset=CaseItem.objects.only("id", "case_id", "product_model")))
    )


def case_for_customer(*, user: Any, number: str) -> Case:
    """One of the customer's visible cases, with what its page shows; 404 otherwise."""
    case = (
        visible_cases(user=user)
        # The parts of the required-information checklist come in the same query.
        .select_related("warehouse", *part_accessors())
        .prefetch_related(
            # An item's warranty verdict reads its product, its registration and the unit it
            # replaced, if any (and that unit's own).
            Prefetch(
                "items",
                queryset=CaseItem.objects.with_warranty_facts().select_related(
                    "replaces__case", "replaces__product", "replaces__replaces"
                ),
            ),
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(action__in=CaseEvent.CUSTOMER_VISIBLE_ACTIONS)
                # A claim's solution sent to a supervisor is not offered yet: its approval is.
                .exclude(action=Action.ANSWER_CLAIM, to_status=Status.PENDING_APPROVAL)
                .order_by("created_at", "id"),
                to_attr="customer_timeline",
            ),
            Prefetch(
                "messages",
                queryset=CaseMessage.objects.only(
                    "id", "case_id", "sender", "body", "created_at", "by_email", "attachments"
                ),
                to_attr="thread",
            ),
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404("No such RMA solution.")
    return case


def case_number_for_customer(*, user: Any, number: str) -> Case:
    """The bare case row for an action URL; 404 for anything the customer may not see."""
    case = visible_cases(user=user).filter(number=number).first()
    if case is None:
        raise Http404("No such RMA solution.")
    return case

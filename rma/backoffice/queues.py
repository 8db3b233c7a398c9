"""
The agents' work queues: named slices of the case list, each with its count.

A queue is a condition on cases, given the person looking and the time. The admin's case
list offers them as a filter (``QueueFilter``) and as tabs above the list. Every queue holds
open cases only, so the counts come from one aggregate over the open cases, read from their
partial index (``rma_case_open``): a small share of a table of a million, but still a fifth
of it, on every view of the list. So the counts of the queues everyone shares are kept in
the cache for ``RMA_QUEUE_COUNTS_SECONDS`` (the tabs may lag a change by that long; the list
under them never does), and a person's own queue ("My cases") is counted at each view, from
the index of the cases by agent.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rma.cases.deadlines import Party, statuses_waiting_on
from rma.cases.models import OPEN_STATUSES, Case, statuses_where
from rma_portal.cache import unless_unreachable

Status = Case.Status
OPEN = Q(status__in=OPEN_STATUSES)


@dataclass(frozen=True)
class Queue:
    key: str
    title: str | Promise
    condition: Callable[[Any, datetime.datetime], Q]
    # Whether the queue depends on who looks (its count is then never shared).
    personal: bool = False


QUEUES: tuple[Queue, ...] = (
    # Warranty claims customers sent (rma.claims), waiting for the team's answer.
    Queue("new_claims", _("New claims"), lambda user, now: Q(status=Status.REQUESTED)),
    Queue("mine", _("My cases"), lambda user, now: OPEN & Q(assigned_agent_id=user.pk), personal=True),
    Queue("unassigned", _("Unassigned"), lambda user, now: OPEN & Q(assigned_agent__isnull=True)),
    # A customer's message the team has not answered puts the case in our queue, whatever its
    # (open) status. The whole condition inside the open statuses, so the open cases' index
    # serves it; read from the table each time, so a status another app declares counts too.
    Queue(
        "waiting_on_us",
        _("Waiting on us"),
        lambda user, now: (
            Q(status__in=sorted(statuses_where(final=False)))
            & (Q(status__in=statuses_waiting_on(Party.TEAM)) | Q(customer_wrote_at__isnull=False))
        ),
    ),
    Queue(
        "waiting_on_customer",
        _("Waiting on the customer"),
        lambda user, now: Q(status__in=statuses_waiting_on(Party.CUSTOMER), customer_wrote_at__isnull=True),
    ),
    Queue("overdue", _("Overdue"), lambda user, now: OPEN & Q(due_at__lt=now)),
    Queue("disagreed", _("Disagreed"), lambda user, now: Q(status=Status.DISAGREED)),
    Queue("awaiting_approval", _("Awaiting approval"), lambda user, now: Q(status=Status.PENDING_APPROVAL)),
    # Advance replacements whose return window passed: a supervisor captures the hold or extends.
    Queue(
        "hold_to_settle",
        _("Return overdue: PayPal hold"),
        lambda user, now: Q(status=Status.AWAITING_RETURN, due_at__lt=now),
    ),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}


def queue_cases(
    cases: QuerySet[Case], *, key: str, user: Any, now: datetime.datetime | None = None
) -> QuerySet[Case]:
    """``cases`` narrowed to the queue ``key`` as ``user`` sees it."""
    queue = QUEUES_BY_KEY[key]
    return cases.filter(queue.condition(user, now or timezone.now()))


SHARED_COUNTS_KEY = "rma:queue-counts"


def _count(cases: QuerySet[Case], queues, *, user: Any, now: datetime.datetime) -> dict[str, int]:
    counts = (
        cases.filter(OPEN)
        .order_by()
        # Counting a column of the partial index (never null): PostgreSQL reads the index alone.
        .aggregate(**{queue.key: Count("status", filter=queue.condition(user, now)) for queue in queues})
    )
    return {queue.key: counts[queue.key] or 0 for queue in queues}


def queue_counts(cases: QuerySet[Case], *, user: Any, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many of ``cases`` (the case list's, the same for all staff) each queue holds: the
    shared queues from the cache when counted in the last ``RMA_QUEUE_COUNTS_SECONDS``, else
    in one query over the open cases; the person's own queue counted now."""
    now = now or timezone.now()
    seconds = settings.RMA_QUEUE_COUNTS_SECONDS
    # With Redis away the tabs are counted at each view, as with no cache at all.
    shared = (
        unless_unreachable("queue counts", lambda: cache.get(SHARED_COUNTS_KEY), None) if seconds else None
    )
    if shared is None:
        shared = _count(cases, [queue for queue in QUEUES if not queue.personal], user=user, now=now)
        if seconds:
            unless_unreachable("queue counts", lambda: cache.set(SHARED_COUNTS_KEY, shared, seconds), None)
    personal = _count(cases, [queue for queue in QUEUES if queue.personal], user=user, now=now)
    counts = {**shared, **personal}
    return {queue.key: counts.get(queue.key, 0) for queue in QUEUES}


class QueueFilter(admin.SimpleListFilter):
    """The queues as a filter of the case list."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        # The counts are on the tabs above the list (one query for all of them).
        return [(queue.key, queue.title) for queue in QUEUES]

    def queryset(self, request, queryset):
        if self.value() in QUEUES_BY_KEY:
            return queue_cases(queryset, key=self.value(), user=request.user)
        return queryset

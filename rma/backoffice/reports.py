"""
The supervisors' figures: what came in, what went out, how long it took, and who holds what.

Completion is read from the audit trail, not from ``Case.completed_at``: that field is also
set when a case is cancelled, and a case revised after a disagreement becomes visible more
than once. Here a case counts as completed once, at its first ``complete`` event; a
cancelled case is never completed; "visible" is the first time the customer could see the
solution (its first move to ``pending_confirm``), so a re-offered solution keeps its start.
Each event writes these moments onto its case as it is saved (``CaseEvent.save``), so a
report counts cases per day on indexed columns and never aggregates the events.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from rma.backoffice.models import CaseDayFigure, CaseStatusFigure
from rma.cases.models import OPEN_STATUSES, Case

Status = Case.Status


@dataclass(frozen=True)
class WeekRow:
    """One week (Monday to Sunday, local time) of the period."""

    week_start: datetime.date
    opened: int
    completed: int
    cancelled: int


@dataclass(frozen=True)
class SolutionRow:
    solution_type: str
    label: str
    opened: int
    completed: int


@dataclass(frozen=True)
class StatusRow:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class AgentRow:
    """One agent's load now and output in the period; ``agent`` is ``None`` for unassigned."""

    agent: Any | None
    name: str
    open_now: int
    completed: int
    median_days: float | None


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    weeks: list[WeekRow] = field(default_factory=list)
    by_solution: list[SolutionRow] = field(default_factory=list)
    by_status: list[StatusRow] = field(default_factory=list)
    per_agent: list[AgentRow] = field(default_factory=list)
    opened: int = 0
    completed: int = 0
    cancelled: int = 0
    median_days: float | None = None


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware datetimes: from ``start`` 00:00 to the end of ``end``, local time."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    return since, until


def _median_days(durations: Iterable[datetime.timedelta]) -> float | None:
    values = [duration.total_seconds() / 86400 for duration in durations]
    return round(statistics.median(values), 2) if values else None


class _Seconds(Func):
    """The length of an interval in seconds (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _medians(completed: QuerySet[Case]) -> tuple[float | None, dict, Counter]:
    """Median days from first visible to completed, overall and per assigned agent, and how
    many cases each agent completed (those never visible count, without a duration)."""
    completed = completed.order_by()
    if connections[completed.db].vendor != "postgresql":
        durations: dict[int | None, list[datetime.timedelta]] = defaultdict(list)
        counts: Counter = Counter()
        rows = completed.values_list("assigned_agent_id", "first_visible_at", "first_completed_at")
        for agent_id, visible_at, completed_at in rows:
            counts[agent_id] += 1
            if visible_at is not None:
                durations[agent_id].append(completed_at - visible_at)
        overall = _median_days(duration for values in durations.values() for duration in values)
        return overall, {agent_id: _median_days(values) for agent_id, values in durations.items()}, counts
    length = _Seconds(
        ExpressionWrapper(F("first_completed_at") - F("first_visible_at"), output_field=DurationField())
    )
    # One pass for all: ROLLUP adds the overall row, which GROUPING() tells from "unassigned";
    # the median skips the cases never visible (no duration), the count does not.
    # The inner query is Django's own SQL, its values passed apart as parameters.
    durations, params = completed.values_list("assigned_agent_id", length).query.sql_with_params()
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)"
    sql = (
        f"SELECT agent, {median}, GROUPING(agent), count(*) FROM ({durations}) AS durations (agent, seconds)"  # noqa: S608
    )
    with connections[completed.db].cursor() as cursor:
        cursor.execute(sql + " GROUP BY ROLLUP (agent)", params)
        rows = cursor.fetchall()
    overall = next((seconds for _agent, seconds, total, _n in rows if total), None)
    medians = {agent: _days(seconds) for agent, seconds, total, _n in rows if not total}
    return _days(overall), medians, Counter({agent: n for agent, _s, total, n in rows if not total})


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 2)


def _per_day(narrow: dict, start: datetime.date, end: datetime.date) -> tuple[list, list, list]:
    """(day, solution, ``None``, count) of the cases opened, completed and cancelled on each
    day of the period, added up from the figures kept per day (``rma.backoffice.figures``)."""
    rows = (
        CaseDayFigure.objects.filter(day__gte=start, day__lte=end, **narrow)
        .order_by()
        .values_list("day", "solution_type")
        .annotate(opened=Sum("opened"), completed=Sum("completed"), cancelled=Sum("cancelled"))
    )
    opened, completed, cancelled = [], [], []
    for day, solution, n_opened, n_completed, n_cancelled in rows:
        opened.append((day, solution, None, n_opened))
        completed.append((day, solution, None, n_completed))
        cancelled.append((day, solution, None, n_cancelled))
    return opened, completed, cancelled


def _totals(rows: list, position: int) -> Counter:
    totals: Counter = Counter()
    for row in rows:
        totals[week_start(row[0]) if position == 0 else row[position]] += row[3]
    return totals


def build_report(*, start: datetime.date, end: datetime.date, narrow: dict | None = None) -> Report:
    """Every figure of the reports page for the period ``start``..``end`` (both included).

    ``narrow`` narrows the report to a solution or a warehouse (``{"solution_type": ...,
    "warehouse": ...}``). "By status now" and each agent's open cases describe the present,
    not the period. The counts come from the figures kept per day and per status
    (``rma.backoffice.figures``); the medians and each agent's completions from the cases
    completed in the period, read from the index on ``first_completed_at``.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    narrow = narrow or {}
    cases = Case.objects.filter(**narrow)
    since, until = _bounds(start, end)

    opened, completed, cancelled = _per_day(narrow, start, end)
    completed_cases = cases.filter(first_completed_at__gte=since, first_completed_at__lt=until)

    report = Report(start=start, end=end)
    report.opened = sum(row[3] for row in opened)
    report.completed = sum(row[3] for row in completed)
    report.cancelled = sum(row[3] for row in cancelled)
    report.median_days, median_per_agent, completed_per_agent = _medians(completed_cases)

    opened_by_week, completed_by_week = _totals(opened, 0), _totals(completed, 0)
    cancelled_by_week = _totals(cancelled, 0)
    monday = week_start(start)
    while monday <= end:
        report.weeks.append(
            WeekRow(monday, opened_by_week[monday], completed_by_week[monday], cancelled_by_week[monday])
        )
        monday += datetime.timedelta(days=7)

    opened_by_solution, completed_by_solution = _totals(opened, 1), _totals(completed, 1)
    report.by_solution = [
        SolutionRow(value, str(label), opened_by_solution[value], completed_by_solution[value])
        for value, label in Case.SolutionType.choices
    ]

    now_counts = dict(
        CaseStatusFigure.objects.filter(**narrow).order_by().values_list("status").annotate(n=Sum("count"))
    )
    report.by_status = [
        StatusRow(value, str(label), now_counts.get(value, 0)) for value, label in Status.choices
    ]

    report.per_agent = _per_agent(cases, completed_per_agent, median_per_agent)
    return report


def _per_agent(cases: QuerySet[Case], completed_count: Counter, medians: dict) -> list[AgentRow]:
    open_now = dict(
        # The open cases' partial index alone: it holds the agent, and the status is counted.
        cases.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("assigned_agent_id")
        .annotate(n=Count("status"))
        .values_list("assigned_agent_id", "n")
    )
    agent_ids = {agent_id for agent_id in (*open_now, *completed_count) if agent_id is not None}
    agents = get_user_model().objects.in_bulk(agent_ids)
    rows = [
        AgentRow(
            agent=agents.get(agent_id),
            name=_agent_name(agents.get(agent_id)),
            open_now=open_now.get(agent_id, 0),
            completed=completed_count[agent_id],
            median_days=medians.get(agent_id),
        )
        for agent_id in agent_ids
    ]
    rows.sort(key=lambda row: row.name.lower())
    if None in open_now or None in completed_count:
        rows.append(
            AgentRow(
                agent=None,
                name=_("Unassigned"),
                open_now=open_now.get(None, 0),
                completed=completed_count[None],
                median_days=medians.get(None),
            )
        )
    return rows


def _agent_name(agent: Any | None) -> str:
    if agent is None:
        return _("Unassigned")
    return getattr(agent, "full_name", "") or agent.email

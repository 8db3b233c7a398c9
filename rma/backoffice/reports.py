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
from collections.abc import Iterable, Sequence
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
    IntegerField,
    QuerySet,
    Value,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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


def _medians(completed: QuerySet[Case]) -> tuple[float | None, dict[int | None, float | None]]:
    """Median days from first visible to completed: overall, and per assigned agent."""
    timed = completed.filter(first_visible_at__isnull=False).order_by()
    if connections[timed.db].vendor != "postgresql":
        durations: dict[int | None, list[datetime.timedelta]] = defaultdict(list)
        rows = timed.values_list("assigned_agent_id", "first_visible_at", "first_completed_at")
        for agent_id, visible_at, completed_at in rows:
            durations[agent_id].append(completed_at - visible_at)
        overall = _median_days(duration for values in durations.values() for duration in values)
        return overall, {agent_id: _median_days(values) for agent_id, values in durations.items()}
    length = _Seconds(
        ExpressionWrapper(F("first_completed_at") - F("first_visible_at"), output_field=DurationField())
    )
    # One pass for both: ROLLUP adds the overall row, which GROUPING() tells from "unassigned".
    # The inner query is Django's own SQL, its values passed apart as parameters.
    durations, params = timed.values_list("assigned_agent_id", length).query.sql_with_params()
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)"
    sql = f"SELECT agent, {median}, GROUPING(agent) FROM ({durations}) AS durations (agent, seconds)"  # noqa: S608
    with connections[timed.db].cursor() as cursor:
        cursor.execute(sql + " GROUP BY ROLLUP (agent)", params)
        rows = cursor.fetchall()
    overall = next((seconds for _agent, seconds, total in rows if total), None)
    return _days(overall), {agent: _days(seconds) for agent, seconds, total in rows if not total}


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 2)


def _by_day(cases: QuerySet[Case], field: str, since, until, agent: bool = True) -> list:
    """(local day, solution, agent or ``None``, count) of ``cases`` whose ``field`` falls in
    the period, counted in the database from the index on ``field``."""
    tz = timezone.get_current_timezone()
    agent_column = "assigned_agent_id" if agent else Value(None, output_field=IntegerField())
    return list(
        cases.filter(**{f"{field}__gte": since, f"{field}__lt": until})
        .order_by()
        .values_list(TruncDate(field, tzinfo=tz), "solution_type", agent_column)
        .annotate(n=Count("pk"))
    )


def _totals(rows: list, position: int) -> Counter:
    totals: Counter = Counter()
    for row in rows:
        totals[week_start(row[0]) if position == 0 else row[position]] += row[3]
    return totals


def build_report(*, start: datetime.date, end: datetime.date, cases: QuerySet[Case] | None = None) -> Report:
    """Every figure of the reports page for the period ``start``..``end`` (both included).

    ``cases`` narrows the report (for example to one warehouse); it defaults to every case.
    "By status now" and each agent's open cases describe the present, not the period. The
    figures come from the milestones kept on each case (``first_visible_at``,
    ``first_completed_at``, ``first_cancelled_at``), counted per day in the database.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    cases = Case.objects.all() if cases is None else cases
    since, until = _bounds(start, end)

    opened = _by_day(cases, "created_at", since, until, agent=False)
    completed_cases = cases.filter(first_completed_at__gte=since, first_completed_at__lt=until)
    completed = _by_day(cases, "first_completed_at", since, until)
    # A case completed at some point is never counted as cancelled.
    cancelled = _by_day(cases.filter(first_completed_at__isnull=True), "first_cancelled_at", since, until)

    report = Report(start=start, end=end)
    report.opened = sum(row[3] for row in opened)
    report.completed = sum(row[3] for row in completed)
    report.cancelled = sum(row[3] for row in cancelled)
    report.median_days, median_per_agent = _medians(completed_cases)

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

    now_counts = dict(cases.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))
    report.by_status = [
        StatusRow(value, str(label), now_counts.get(value, 0)) for value, label in Status.choices
    ]

    report.per_agent = _per_agent(cases, _totals(completed, 2), median_per_agent)
    return report


def _per_agent(
    cases: QuerySet[Case], completed_count: Counter, medians: dict[int | None, float | None]
) -> list[AgentRow]:
    open_now = dict(
        cases.filter(status__in=OPEN_STATUSES)  # the open cases' partial index
        .order_by()
        .values("assigned_agent_id")
        .annotate(n=Count("id"))
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


# --- Charts -------------------------------------------------------------------------------

CHART_COLOURS = ("#0b5cad", "#1f7a3f", "#b3261e", "#8a5a00")


def bar_chart_svg(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    row_height: int = 22,
    width: int = 640,
    label_width: int = 180,
) -> SafeString:
    """A horizontal bar chart as inline SVG, one group of bars per label.

    Everything is drawn with attributes (no ``style``), so it renders under a strict
    Content-Security-Policy; the values are also written as text, and the SVG carries a
    title and description for screen readers. Labels are escaped.
    """
    bars_width = width - label_width - 60
    peak = max((value for _name, values in series for value in values), default=0) or 1
    bar_height = max(4, (row_height - 4) // max(1, len(series)))
    group_height = bar_height * len(series) + 8
    legend_height = 24 if len(series) > 1 else 0
    height = legend_height + group_height * len(labels) + 4
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_number(values[index])}" for name, values in series)
        for index, label in enumerate(labels)
    )
    parts = []
    if legend_height:
        parts.append(
            format_html_join(
                "",
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="15" class="chart__legend">{}</text>',
                (
                    (
                        label_width + position * 140,
                        CHART_COLOURS[position % 4],
                        label_width + position * 140 + 16,
                        name,
                    )
                    for position, (name, _values) in enumerate(series)
                ),
            )
        )
    for index, label in enumerate(labels):
        top = legend_height + index * group_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>',
                label_width - 8,
                top + group_height // 2 + 4,
                label,
            )
        )
        for position, (_name, values) in enumerate(series):
            value = values[index]
            length = round(bars_width * value / peak, 1) if value else 0
            y = top + 4 + position * bar_height
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="chart__bar"/>'
                    '<text x="{}" y="{}" class="chart__value">{}</text>',
                    label_width,
                    y,
                    length,
                    bar_height - 1,
                    CHART_COLOURS[position % 4],
                    label_width + length + 4,
                    y + bar_height - 2,
                    _number(value),
                )
            )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{}" height="{}" '
        'viewBox="0 0 {} {}" font-size="12" font-family="system-ui, sans-serif">'
        "<title>{}</title><desc>{}</desc>{}</svg>",
        width,
        height,
        width,
        height,
        title,
        description,
        SafeString("".join(parts)),
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"

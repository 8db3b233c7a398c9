"""
Deadlines: whose move a case waits on, and by when.

Every status that waits on someone has an allowance: its row's ``deadline`` in the status
table (``rma.cases.models.statuses``), configured per status in ``settings.RMA_DEADLINES``
(``{"awaiting_info": "14d", "under_review": "2wd", ...}``): ``d`` counts calendar days,
``wd`` working days (Monday to Friday, minus the dates in ``settings.RMA_HOLIDAYS``), ``h``
hours. A status missing from the setting keeps its row's default; an empty value or ``none``
gives that status no deadline. Final statuses never have one.

The due time is counted from the moment the case entered its status, in the portal's time
zone (so "2 working days" from Friday 15:00 is Tuesday 15:00, whatever the clocks do).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from rma.cases.models import Case, Party, all_status_facts, status_facts


def waiting_on() -> dict[str, str]:
    """Whose move each status is (the status table's ``waits_on``); final statuses wait on nobody."""
    return {row.status: row.waits_on for row in all_status_facts() if row.waits_on}


def statuses_waiting_on(party: str) -> list[str]:
    """The statuses whose move is ``party``'s, sorted."""
    return sorted(status for status, whose in waiting_on().items() if whose == party)


def default_deadlines() -> dict[str, str]:
    """The allowance of each status by default (the status table's ``deadline``)."""
    return {row.status: row.deadline for row in all_status_facts() if row.deadline}


_ALLOWANCE = re.compile(r"^\s*(\d+)\s*(wd|d|h)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Allowance:
    """How long a status may last: ``amount`` of ``unit`` (``d``, ``wd`` or ``h``)."""

    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Allowance:
        match = _ALLOWANCE.match(text or "")
        if not match:
            raise ValueError(f"not a deadline: {text!r} (expected e.g. 14d, 2wd or 36h)")
        return cls(int(match.group(1)), match.group(2).lower())

    def due_from(self, start: datetime.datetime) -> datetime.datetime:
        if self.unit == "h":
            return start + datetime.timedelta(hours=self.amount)
        if self.unit == "wd":
            return add_working_days(start, self.amount)
        local = timezone.localtime(start)
        day = local.date() + datetime.timedelta(days=self.amount)
        return _aware(datetime.datetime.combine(day, local.time()))


def allowances() -> dict[str, Allowance]:
    """The allowance of each waiting status, the setting laid over the defaults."""
    configured = getattr(settings, "RMA_DEADLINES", None) or {}
    return dict(_allowances(tuple(sorted({**default_deadlines(), **configured}.items()))))


@lru_cache(maxsize=8)
def _allowances(pairs: tuple[tuple[str, str], ...]) -> dict[str, Allowance]:
    result = {}
    for status, text in pairs:
        if status not in waiting_on():
            raise ValueError(f"RMA_DEADLINES: {status!r} is not a status that waits on anyone")
        if (text or "").strip().lower() in ("", "none"):
            continue
        result[status] = Allowance.parse(text)
    return result


def holidays() -> frozenset[datetime.date]:
    """Dates that are not working days, from ``settings.RMA_HOLIDAYS`` (ISO dates)."""
    return frozenset(
        datetime.date.fromisoformat(value.strip())
        for value in getattr(settings, "RMA_HOLIDAYS", ())
        if value.strip()
    )


def is_working_day(day: datetime.date, closed: frozenset[datetime.date] | None = None) -> bool:
    closed = holidays() if closed is None else closed
    return day.weekday() < 5 and day not in closed


def _aware(naive: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(naive, timezone.get_current_timezone())


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` moved on by ``days`` working days, at the same local time of day.

    A start outside working days counts from the beginning of the next working day: a case
    that arrives on Saturday with 2 working days is due at midnight ending Tuesday.
    """
    closed = holidays()
    local = timezone.localtime(start)
    day, clock = local.date(), local.time()
    if not is_working_day(day, closed):
        while not is_working_day(day, closed):
            day += datetime.timedelta(days=1)
        clock = datetime.time(0, 0)
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, closed):
            remaining -= 1
    return _aware(datetime.datetime.combine(day, clock))


def due_at_for(status: str, since: datetime.datetime) -> datetime.datetime | None:
    """When a case that entered ``status`` at ``since`` is due to move on, if ever."""
    allowance = allowances().get(status)
    return allowance.due_from(since) if allowance else None


def due_at_on_entering(case: Case, status: str, since: datetime.datetime) -> datetime.datetime | None:
    """When ``case``, entering ``status`` at ``since``, is due to move on: the date it carries
    for a dated status (its row's ``due_field``), else the status's allowance."""
    due_field = status_facts(status).due_field
    if due_field:
        return getattr(case, due_field)
    return due_at_for(status, since)


def whose_move(status: str) -> str | None:
    """Who the case waits on in ``status`` (a ``Party``); ``None`` once it is final."""
    return status_facts(status).waits_on


def reminder_lead() -> datetime.timedelta:
    """How long before a customer's deadline they are reminded."""
    return datetime.timedelta(hours=getattr(settings, "RMA_REMINDER_LEAD_HOURS", 72))


@dataclass(frozen=True)
class Deadline:
    """Where a case stands against its clock."""

    party: Party | None
    due_at: datetime.datetime | None
    overdue: bool


def case_due_at(case: Case) -> datetime.datetime | None:
    """The case's due time: the one stored by its last transition, else computed."""
    stored = getattr(case, "due_at", None)
    if stored is not None:
        return stored
    return due_at_for(case.status, case.status_changed_at)


def deadline_for(case: Case, *, now: datetime.datetime | None = None) -> Deadline:
    """Whose move ``case`` is, when it is due and whether that time has passed."""
    now = now or timezone.now()
    due = case_due_at(case)
    return Deadline(party=whose_move(case.status), due_at=due, overdue=due is not None and now > due)

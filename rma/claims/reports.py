"""
What the team learns from the warranty claims of a period: claims per week by reason and by
product model, the share sent in warranty, and how long a claim waited for its solution
(from sending to the first time the customer could read a solution, ``Case.first_visible_at``).
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from rma.cases.models import CaseItem
from rma.claims.models import Claim


@dataclass
class ClaimsReport:
    """The figures of the claims sent from ``start`` to ``end`` (dates, both included)."""

    start: datetime.date
    end: datetime.date
    total: int = 0
    in_warranty: int = 0
    # Monday of each week -> reason label -> claims; and the same by product model.
    by_reason: dict[datetime.date, Counter] = field(default_factory=dict)
    by_product: dict[datetime.date, Counter] = field(default_factory=dict)
    answered: int = 0
    median_hours_to_solution: float | None = None
    declined: int = 0

    @property
    def share_in_warranty(self) -> float | None:
        return self.in_warranty / self.total if self.total else None

    @property
    def weeks(self) -> list[datetime.date]:
        return sorted(set(self.by_reason) | set(self.by_product))

    def reason_rows(self) -> list[tuple[str, list[int], int]]:
        return _rows(self.by_reason, self.weeks)

    def product_rows(self) -> list[tuple[str, list[int], int]]:
        return _rows(self.by_product, self.weeks)


def _rows(
    table: dict[datetime.date, Counter], weeks: list[datetime.date]
) -> list[tuple[str, list[int], int]]:
    names = sorted({name for counts in table.values() for name in counts})
    rows = [(name, [table.get(week, Counter())[name] for week in weeks]) for name in names]
    return sorted(((name, counts, sum(counts)) for name, counts in rows), key=lambda row: (-row[2], row[0]))


def _week_of(moment: datetime.datetime) -> datetime.date:
    day = timezone.localdate(moment)
    return day - datetime.timedelta(days=day.weekday())


def claims_report(*, start: datetime.date, end: datetime.date) -> ClaimsReport:
    """The claims sent between ``start`` and ``end`` (local dates), in one query."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = list(
        Claim.objects.filter(created_at__gte=since, created_at__lt=until)
        .order_by("created_at")
        .values_list(
            "case_id",
            "created_at",
            "reason",
            "in_warranty",
            "case__first_visible_at",
            "case__first_cancelled_at",
        )
    )
    models: dict[int, str] = {}
    for case_id, model in (
        CaseItem.objects.filter(case_id__in=[row[0] for row in rows])
        .order_by("id")
        .values_list("case_id", "product_model")
    ):
        models.setdefault(case_id, model)
    reasons = dict(Claim.Reason.choices)
    report = ClaimsReport(start=start, end=end)
    hours = []
    for case_id, created_at, reason, in_warranty, visible_at, cancelled_at in rows:
        week = _week_of(created_at)
        report.total += 1
        report.in_warranty += bool(in_warranty)
        report.by_reason.setdefault(week, Counter())[str(reasons.get(reason, reason))] += 1
        report.by_product.setdefault(week, Counter())[models.get(case_id) or _("Not known")] += 1
        if visible_at:
            report.answered += 1
            hours.append((visible_at - created_at).total_seconds() / 3600)
        elif cancelled_at:
            report.declined += 1
    report.median_hours_to_solution = statistics.median(hours) if hours else None
    return report


def claim_reasons(case_ids: Iterable[int]) -> dict[int, str]:
    """The reason of each case that is a claim, in words, for the CSV export (one query)."""
    reasons = dict(Claim.Reason.choices)
    return {
        case_id: str(reasons.get(reason, reason))
        for case_id, reason in Claim.objects.filter(case_id__in=list(case_ids)).values_list(
            "case_id", "reason"
        )
    }

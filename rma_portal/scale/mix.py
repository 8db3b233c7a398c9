"""
The mix of the seeded cases (how many are open, in which status, how soon they close) and
the rows every case draws on (``Context``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from rma.cases.deadlines import allowances
from rma.cases.models import Case

Status = Case.Status
# Weights of the open statuses, out of about a fifth of the cases that are open.
OPEN_WEIGHTS = {
    Status.DRAFT: 8,
    Status.PENDING_APPROVAL: 4,
    Status.PENDING_CONFIRM: 14,
    Status.DISAGREED: 5,
    Status.AWAITING_INFO: 25,
    Status.UNDER_REVIEW: 10,
    Status.PROCESSING: 22,
    Status.AWAITING_RETURN: 6,
}
OTHER_OPEN_WEIGHT = 8
# A case of age d days is still open with probability OPEN_AT_START * exp(-d / OPEN_DECAY_DAYS):
# over five years that is about a fifth, the recent ones mostly open, a tail of stale ones.
OPEN_AT_START = 0.9
OPEN_DECAY_DAYS = 405
CANCELLED_SHARE = 0.15
# The path a case walks; the approval, disagreement and advance steps only on some cases.
PATH = (
    Status.DRAFT,
    Status.PENDING_APPROVAL,
    Status.PENDING_CONFIRM,
    Status.DISAGREED,
    Status.AWAITING_INFO,
    Status.UNDER_REVIEW,
    Status.PROCESSING,
    Status.AWAITING_RETURN,
    Status.COMPLETED,
)


def open_statuses() -> list[str]:
    return [status for status in Status.values if status not in Case.FINAL_STATUSES]


@dataclass
class Context:
    """The rows every case draws on: people, warehouses (id, country, currency), products."""

    agents: list[int]
    supervisors: list[int]
    owners: list[int]  # the customer of each case ordinal, spread over time
    warehouses: list[tuple[int, str, str]]
    products: list[tuple[int, str, str]]
    total: int
    spread_days: int
    now: datetime.datetime
    due_days: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        statuses = open_statuses()
        self.open_choices = statuses
        self.open_weights = [OPEN_WEIGHTS.get(status, OTHER_OPEN_WEIGHT) for status in statuses]
        for status, allowance in allowances().items():
            days = {"d": 1, "wd": 1.4, "h": 1 / 24}[allowance.unit.lower()] * allowance.amount
            self.due_days[status] = days

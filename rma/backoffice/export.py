"""
The CSV export of the case list: every row joined in SQL and read in one query, so a
million cases stream in flat memory.

On PostgreSQL the database writes the lines (``COPY (SELECT ...) TO STDOUT``, in
``export_sql``): the labels in the current language, the local times and the apostrophe
before a formula are computed in the query, and Python passes the lines on. Elsewhere (the
embedded SQLite of ``make run``) the rows are read through one server-side cursor and each
line is written here. Both give the same bytes for the same cases.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone

from rma.backoffice.export_columns import EXPORT_CHUNK, Echo, Labels, csv_cell, header_line, joined_rows
from rma.backoffice.export_sql import copied_rows
from rma.cases.models import Case

ROW_FIELDS = (
    "number",
    "customer_email",
    "status",
    "solution_type",
    "return_required",
    "warehouse_name",
    "payment_amount",
    "payment_currency",
    "refund_amount",
    "refund_currency",
    "agent_email",
    "items_cell",
    "created_at",
    "status_changed_at",
    "completed_at",
    "claim_reason",
)


def export_rows(cases: QuerySet[Case]) -> Iterator[str | bytes]:
    """The CSV lines of ``cases`` (the header first), with the labels of the current language
    and the times of the current time zone: written by PostgreSQL where it can, else here."""
    copied = copied_rows(cases)
    return copied if copied is not None else written_rows(cases)


def written_rows(cases: QuerySet[Case]) -> Iterator[str]:
    """The CSV lines of ``cases``, each written in Python from rows read through a
    server-side cursor."""
    rows = joined_rows(cases).values_list(*ROW_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    return _written(rows, header_line(), Labels(), timezone.get_current_timezone())


def _amount(amount, currency: str) -> str:
    return f"{amount} {currency}" if amount is not None else ""


def _when(moment: datetime.datetime | None, tz: datetime.tzinfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else ""


def _written(rows: Iterable[tuple], header: str, labels: Labels, tz: datetime.tzinfo) -> Iterator[str]:
    yield header
    writer = csv.writer(Echo())
    lines = []
    for row in rows:
        (number, customer, status, solution, return_required, warehouse, payment, payment_currency,
         refund, refund_currency, agent, items, created_at, status_changed_at, completed_at,
         reason) = row  # fmt: skip
        values = (
            number,
            customer,
            labels.statuses.get(status, status),
            labels.solutions.get(solution, solution),
            labels.yes if return_required else labels.no,
            warehouse or "",
            _amount(payment, payment_currency),
            _amount(refund, refund_currency),
            agent or "",
            items or "",
            _when(created_at, tz),
            _when(status_changed_at, tz),
            _when(completed_at, tz),
            labels.reasons.get(reason, reason or ""),
        )
        lines.append(writer.writerow([csv_cell(value) for value in values]))
        if len(lines) == EXPORT_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)

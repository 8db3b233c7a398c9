"""
The CSV export of the case list: every row joined in SQL and read through one server-side
cursor, so a million cases stream in flat memory with one query.

The customer's and the agent's addresses, the warehouse's name and the items (as one cell)
come with each case from the database; Python only writes the labels and the local times.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator

from django.db.models import Aggregate, CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.models import Case, CaseItem
from rma.claims.models import Claim

CSV_COLUMNS = (
    ("number", gettext_lazy("RMA number")),
    ("customer", gettext_lazy("Customer")),
    ("status", gettext_lazy("Status")),
    ("solution_type", gettext_lazy("Solution")),
    ("return_required", gettext_lazy("Return required")),
    ("warehouse", gettext_lazy("Warehouse")),
    ("payment", gettext_lazy("Supplementary payment")),
    ("refund", gettext_lazy("Refund")),
    ("assigned_agent", gettext_lazy("Assigned agent")),
    ("items", gettext_lazy("Items (model, S/N or UID, quantity)")),
    ("created_at", gettext_lazy("Created")),
    ("status_changed_at", gettext_lazy("Status changed")),
    ("completed_at", gettext_lazy("Closed")),
    ("claim_reason", gettext_lazy("Claim reason")),
)
# A spreadsheet runs a cell that starts like a formula; a leading apostrophe keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched from the server-side cursor at a time.
EXPORT_CHUNK = 2000


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _amount(amount, currency: str) -> str:
    return f"{amount} {currency}" if amount is not None else ""


def _when(moment: datetime.datetime | None, tz: datetime.tzinfo | None = None) -> str:
    if not moment:
        return ""
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


class JoinedText(Aggregate):
    """The texts of a group joined with "; ", in the order of the rows' ids."""

    function = "STRING_AGG"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="STRING_AGG(%(expressions)s, '; ' ORDER BY id)", **extra
        )

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor != "postgresql":
            extra.setdefault("template", "GROUP_CONCAT(%(expressions)s, '; ')")
        return super().as_sql(compiler, connection, **extra)


def _items_cell() -> Subquery:
    """Each case's items as one cell: "model S/N-or-UID xquantity; ...", in the order added."""
    line = Concat(
        "product_model",
        Value(" "),
        Coalesce(NullIf("serial_number", Value("")), "uid"),
        Value(" x"),
        Cast("quantity", CharField()),
        output_field=CharField(),
    )
    items = (
        CaseItem.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(cell=JoinedText(line))
        .values("cell")
    )
    return Subquery(items, output_field=CharField())


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


def export_rows(cases: QuerySet[Case]) -> Iterator[str]:
    """The CSV lines of ``cases``, read in one query through a server-side cursor."""
    writer = csv.writer(_Echo())
    yield writer.writerow([str(label) for _name, label in CSV_COLUMNS])
    statuses = {value: str(label) for value, label in Case.Status.choices}
    solutions = {value: str(label) for value, label in Case.SolutionType.choices}
    reasons = {value: str(label) for value, label in Claim.Reason.choices}
    yes, no = _("yes"), _("no")
    tz = timezone.get_current_timezone()
    rows = (
        cases.select_related(None)
        .annotate(
            customer_email=F("customer__email"),
            warehouse_name=F("warehouse__name"),
            agent_email=F("assigned_agent__email"),
            items_cell=_items_cell(),
            claim_reason=F("claim__reason"),
        )
        .values_list(*ROW_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    lines = []
    for row in rows:
        (number, customer, status, solution, return_required, warehouse, payment, payment_currency,
         refund, refund_currency, agent, items, created_at, status_changed_at, completed_at,
         reason) = row  # fmt: skip
        values = (
            number,
            customer,
            statuses.get(status, status),
            solutions.get(solution, solution),
            yes if return_required else no,
            warehouse or "",
            _amount(payment, payment_currency),
            _amount(refund, refund_currency),
            agent or "",
            items or "",
            _when(created_at, tz),
            _when(status_changed_at, tz),
            _when(completed_at, tz),
            reasons.get(reason, reason or ""),
        )
        lines.append(writer.writerow([csv_cell(value) for value in values]))
        if len(lines) == EXPORT_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)

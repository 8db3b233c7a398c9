"""
What the CSV export of the case list shows: its columns and their labels, how a cell keeps a
formula as text, and the one query that joins each case with its customer, warehouse, agent,
items and claim. Both ways of writing the lines (``export`` in Python, ``export_sql`` by
PostgreSQL's ``COPY``) start from here.
"""

from __future__ import annotations

import csv

from django.db.models import Aggregate, CharField, F, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
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
# Lines handed to the response at a time.
EXPORT_CHUNK = 2000


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def header_line() -> str:
    """The first line: the columns' names in the current language."""
    return csv.writer(Echo()).writerow([str(label) for _name, label in CSV_COLUMNS])


class Labels:
    """The words the cells show for stored values, in the current language (read once)."""

    def __init__(self) -> None:
        self.statuses = {value: str(label) for value, label in Case.Status.choices}
        self.solutions = {value: str(label) for value, label in Case.SolutionType.choices}
        self.reasons = {value: str(label) for value, label in Claim.Reason.choices}
        self.yes, self.no = _("yes"), _("no")


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


def items_cell(finish=None) -> Subquery:
    """Each case's items as one cell: "model S/N-or-UID xquantity; ...", in the order added.
    ``finish`` makes the joined text into the written cell inside the subquery, where the
    aggregate is computed once however often the finished cell names it."""
    line = Concat(
        "product_model",
        Value(" "),
        Coalesce(NullIf("serial_number", Value("")), "uid"),
        Value(" x"),
        Cast("quantity", CharField()),
        output_field=CharField(),
    )
    joined = JoinedText(line)
    items = (
        CaseItem.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(cell=finish(joined) if finish else joined)
        .values("cell")
    )
    return Subquery(items, output_field=CharField())


def joined_rows(cases: QuerySet[Case], items: Subquery | Func | None = None) -> QuerySet[Case]:
    """``cases`` with what the export shows of their customer, warehouse, agent, items and
    claim, all in the one query."""
    return cases.select_related(None).annotate(
        customer_email=F("customer__email"),
        warehouse_name=F("warehouse__name"),
        agent_email=F("assigned_agent__email"),
        items_cell=items if items is not None else items_cell(),
        claim_reason=F("claim__reason"),
    )

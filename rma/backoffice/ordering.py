"""
The orders of the case list: one per sortable column, each the order of an index.

A million cases can be sorted only the way an index already holds them: the list reads its
page from the index and stops. So a column's order is its index's whole key (the newest
first among equal values), a second column clicked into the sort (``?o=5.1``) is dropped
(its combination has no index), and the due dates sort with the cases that have none last
both ways (``rma_case_due`` and ``rma_case_due_desc``).
"""

from __future__ import annotations

from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import F

DEFAULT = ("-created_at", "-id")
# The field a column sorts by -> (ascending, descending).
ORDERS = {
    "number": (("number",), ("-number",)),
    "status": (("status", "-created_at", "-id"), ("-status", "created_at", "id")),
    "due_at": ((F("due_at").asc(nulls_last=True), "id"), (F("due_at").desc(nulls_last=True), "-id")),
    "solution_type": (("solution_type", "-created_at", "-id"), ("-solution_type", "created_at", "id")),
    "warehouse_id": (("warehouse_id", "-created_at", "-id"), ("-warehouse_id", "created_at", "id")),
    "created_at": (("created_at", "id"), ("-created_at", "-id")),
}


def first_sort(value: str) -> str:
    """The first column of an ``?o=`` value: the only one the list sorts by."""
    return value.split(".")[0] if value else ""


class CaseChangeList(ChangeList):
    """The admin's change list, sorted only in the orders of ``ORDERS``."""

    def _sorted_column(self) -> tuple[str | None, bool]:
        value = first_sort(self.params.get(ORDER_VAR, ""))
        _none, prefix, index = value.rpartition("-")
        try:
            field = self.get_ordering_field(self.list_display[int(index)])
        except (IndexError, ValueError):
            return None, False
        return (field if isinstance(field, str) else None), prefix == "-"

    def get_ordering(self, request, queryset):
        field, descending = self._sorted_column()
        if field is None or field.lstrip("-") not in ORDERS:
            return list(DEFAULT)
        return list(ORDERS[field.lstrip("-")][1 if descending else 0])

    def get_ordering_field_columns(self):
        # The headers show the one column the list is sorted by.
        value = self.params.get(ORDER_VAR)
        if value:
            self.params[ORDER_VAR] = first_sort(value)
        try:
            return super().get_ordering_field_columns()
        finally:
            if value:
                self.params[ORDER_VAR] = value

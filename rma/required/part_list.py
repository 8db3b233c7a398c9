"""
The list page of a kind of required part: which of the rows shown carry an identifier (a
tracking or transaction number) that another case's part carries too.

Asked for the rows of the page only, in one query once the page is read, rather than as a
subquery of every row the list walks through: a page deep in a list of half a million
parts would probe the index once for each row it skips.
"""

from __future__ import annotations

from django.contrib.admin.views.main import ChangeList
from django.db.models import Count


class PartChangeList(ChangeList):
    """The admin's change list, with ``identifier_used_elsewhere`` on each row shown."""

    def get_results(self, request) -> None:
        super().get_results(request)
        field = getattr(self.model, "identifier_field", "")
        if not field:
            return
        values = {getattr(row, field) for row in self.result_list} - {""}
        shared = set(
            self.model.objects.filter(**{f"{field}__in": values})
            .order_by()
            .values(field)
            .annotate(cases=Count("case_id", distinct=True))
            .filter(cases__gt=1)
            .values_list(field, flat=True)
        )
        for row in self.result_list:
            row.identifier_used_elsewhere = getattr(row, field) in shared

"""
Pages of a long list that cost the same on page 1 and on the last page offered.

A list of a million cases is read by searching and filtering, not by paging to the end, so
the case list offers its first ``MAX_PAGES`` pages and counts no further. It does not count
that far either: a page counts the rows of ``LOOKAHEAD_PAGES`` pages past itself (page 1,
the one opened most, reads at most 11 pages' worth of index entries), as a ``COUNT`` over
``LIMIT`` rows in the list's order. The total of a list longer than that is PostgreSQL's own
estimate (``estimated_total``), shown as such.
"""

from __future__ import annotations

import json

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import EmptyPage, Paginator
from django.db import DatabaseError, connections
from django.utils.functional import cached_property

MAX_PAGES = 200
LOOKAHEAD_PAGES = 10


class CappedPaginator(Paginator):
    """A paginator that counts at most ``LOOKAHEAD_PAGES`` pages past ``page`` (the page
    asked for), and never more than ``max_pages`` pages' worth of rows."""

    max_pages = MAX_PAGES
    lookahead_pages = LOOKAHEAD_PAGES

    def __init__(self, *args, page: int = 1, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page_asked = max(1, page)

    @property
    def limit(self) -> int:
        return self.per_page * min(self.max_pages, self.page_asked + self.lookahead_pages)

    @cached_property
    def _counted(self) -> int:
        # One row more than the limit tells whether there are more. The rows are counted
        # in the list's order, so PostgreSQL reads them from the index the page uses
        # (without it, the first rows of a plain scan would do, and a rare filter would
        # scan the whole table for them).
        try:
            return self.object_list[: self.limit + 1].count()
        except ValueError as error:
            # A filter value no lookup can use (a year beyond the calendar): the admin
            # answers it like any other wrong filter, with the list unfiltered and a note.
            raise IncorrectLookupParameters(error) from error

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def capped(self) -> bool:
        """Whether the list holds more rows than were counted."""
        return self._counted > self.limit

    @property
    def last_page_offered(self) -> bool:
        """Whether the pages counted reach the last page the list offers."""
        return self.limit >= self.per_page * self.max_pages

    @cached_property
    def estimated_total(self) -> int | None:
        """PostgreSQL's estimate of the rows of a list longer than was counted (``None`` when
        it was counted whole, or the database gives no estimate)."""
        if not self.capped or connections[self.object_list.db].vendor != "postgresql":
            return None
        try:
            plan = json.loads(self.object_list.order_by().explain(format="json"))
        except (DatabaseError, ValueError, TypeError):
            return None
        rows = int(plan[0]["Plan"].get("Plan Rows", 0))
        return rows if rows > self.limit else None

    def validate_number(self, number) -> int:
        """A page past the end is the last page (a shorter list after a filter changed)."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            return max(1, self.num_pages)


def page_asked(request) -> int:
    """The page of the admin's list that ``request`` asks for (1 when it names none or junk)."""
    value = request.GET.get(PAGE_VAR, "")
    return int(value) if value.isdigit() else 1


class CappedPaging:
    """For a ``ModelAdmin`` of a big list: its paginator counts from the page asked for."""

    show_full_result_count = False
    paginator = CappedPaginator

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, page=page_asked(request))

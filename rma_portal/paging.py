"""
Pages of a long list that cost the same on page 1 and on the last page offered.

A list of a million cases is read by searching and filtering, not by paging to the end, so
the case list offers its first ``MAX_PAGES`` pages and counts no further: the count is a
``COUNT`` over ``LIMIT`` rows, read from an index, never over the whole table.
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import EmptyPage, Paginator
from django.utils.functional import cached_property

MAX_PAGES = 200


class CappedPaginator(Paginator):
    """A paginator that counts at most ``max_pages`` pages' worth of rows."""

    max_pages = MAX_PAGES

    @property
    def limit(self) -> int:
        return self.per_page * self.max_pages

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
        """Whether the list holds more rows than its pages offer."""
        return self._counted > self.limit

    def validate_number(self, number) -> int:
        """A page past the end is the last page (a shorter list after a filter changed)."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            return max(1, self.num_pages)

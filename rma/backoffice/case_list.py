"""
The case list of the back office: its columns, filters, sorts, search and pages.

Every sort is one column an index serves in the list's order (``CaseChangeList``): a second
column chosen by clicking (``?o=5.1``) is dropped rather than sorted over a million rows,
and the due dates sort with the cases without one last, either way.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.backoffice.actions import CASE_ACTIONS
from rma.backoffice.ordering import CaseChangeList
from rma.backoffice.queues import QueueFilter
from rma.cases.deadlines import deadline_for
from rma.cases.models import Case
from rma.required.search import matching_case_ids
from rma_portal.paging import CappedPaginator, CappedPaging


class CaseListMixin(CappedPaging):
    """The list page of ``CaseAdmin``."""

    list_display = (
        "number",
        "customer",
        "status",
        "due_display",
        "solution_type",
        "warehouse_display",
        "assigned_agent",
        "created_at",
    )
    # Each sortable column has an index in the list's order (rma.cases.models.Case.Meta).
    sortable_by = ("number", "status", "due_display", "solution_type", "warehouse_display", "created_at")
    list_filter = (
        QueueFilter,
        "status",
        "solution_type",
        "warehouse",
        # The agents to choose from are the staff (the field's limit_choices_to), read from a
        # small index rather than from every case.
        "assigned_agent",
        "needs_approval",
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("customer", "warehouse", "assigned_agent")
    # The search box recognises what was typed (rma.required.search, in get_search_results);
    # the field named here only shows the box.
    search_fields = ("number",)
    search_help_text = gettext_lazy(
        "A case number, an S/N or UID, a return tracking number, a PayPal transaction number, "
        "a customer's name, or their email address (or a part of it with its @)."
    )
    actions = CASE_ACTIONS
    list_per_page = 50
    ordering = ("-created_at", "-id")

    @admin.display(description=gettext_lazy("Due"), ordering="due_at")
    def due_display(self, case: Case) -> str:
        deadline = deadline_for(case)
        if deadline.due_at is None:
            return "—"
        # The admin's own format, as its date columns and read-only fields show theirs.
        when = date_format(timezone.localtime(deadline.due_at), "DATETIME_FORMAT")
        if deadline.overdue:
            return format_html('<span class="overdue">{} ({})</span>', when, _("overdue"))
        return when

    @admin.display(description=gettext_lazy("warehouse"), ordering="warehouse_id")
    def warehouse_display(self, case: Case) -> str:
        return str(case.warehouse) if case.warehouse_id else "—"

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=matching_case_ids(search_term)), False

    def changelist_view(self, request, extra_context=None):
        page = request.GET.get(PAGE_VAR, "")
        if page.isdigit() and int(page) > CappedPaginator.max_pages:
            self.message_user(
                request,
                _(
                    "The list shows its first %(pages)s pages. Narrow it with the search box "
                    "or the filters to find the cases further down."
                )
                % {"pages": CappedPaginator.max_pages},
                messages.WARNING,
            )
            query = request.GET.copy()
            query[PAGE_VAR] = str(CappedPaginator.max_pages)
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        # The approval queue shows why each solution makes an exception to the policy.
        if request.GET.get("queue") == "awaiting_approval" or request.GET.get("status__exact") == (
            Case.Status.PENDING_APPROVAL
        ):
            return (*self.list_display, "exception_reason_display")
        return self.list_display

    @admin.display(description=gettext_lazy("Exception reason"))
    def exception_reason_display(self, case: Case) -> str:
        return case.policy_exception_reason or "—"

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

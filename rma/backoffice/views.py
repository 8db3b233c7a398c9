"""
Admin pages beside the case list: the supervisors' reports, and the CSV export of the case
list exactly as the agent filtered it.

Both are served inside the admin site (``admin_site.admin_view``), so they need a staff
sign-in with its second factor, and both show the same figures: one permission
(``REPORTS_PERMISSION``, checked by ``may_see_reports``) opens both or neither.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.backoffice.reports import Report, bar_chart_svg, build_report
from rma.cases.models import Case, CaseItem, Warehouse
from rma.claims.reports import claim_reasons, claims_report

REPORTS_PERMISSION = "rma.view_reports"
DEFAULT_WEEKS = 8


class ReportPeriodForm(forms.Form):
    """The period and the optional narrowing of the reports page."""

    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    solution_type = forms.ChoiceField(
        label=gettext_lazy("Solution"),
        required=False,
        choices=[("", gettext_lazy("All"))] + list(Case.SolutionType.choices),
    )
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"),
        required=False,
        queryset=Warehouse.objects.all(),
        empty_label=gettext_lazy("All"),
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or end - datetime.timedelta(weeks=DEFAULT_WEEKS, days=-1)
        if start > end:
            raise forms.ValidationError(_("The period must start on or before the day it ends."))
        if (end - start).days > 366 * 2:
            raise forms.ValidationError(_("Choose a period of two years at most."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def cases(self) -> QuerySet[Case]:
        cases = Case.objects.all()
        if self.cleaned_data.get("solution_type"):
            cases = cases.filter(solution_type=self.cleaned_data["solution_type"])
        if self.cleaned_data.get("warehouse"):
            cases = cases.filter(warehouse=self.cleaned_data["warehouse"])
        return cases


def charts(report: Report) -> dict[str, str]:
    """The report's charts, where a picture reads better than a table."""
    return {
        "weeks": bar_chart_svg(
            title=_("Cases opened and completed per week"),
            labels=[date_format(row.week_start, "MONTH_DAY_FORMAT") for row in report.weeks],
            series=[
                (_("Opened"), [row.opened for row in report.weeks]),
                (_("Completed"), [row.completed for row in report.weeks]),
            ],
        ),
        "statuses": bar_chart_svg(
            title=_("Cases by status now"),
            labels=[row.label for row in report.by_status],
            series=[(_("Cases"), [row.count for row in report.by_status])],
        ),
        "agents": bar_chart_svg(
            title=_("Open cases per agent now"),
            labels=[row.name for row in report.per_agent],
            series=[(_("Open"), [row.open_now for row in report.per_agent])],
        ),
    }


def may_see_reports(user) -> bool:
    """Whether ``user`` may read the reports and export the case list: one rule for both."""
    return user.is_active and user.is_staff and user.has_perm(REPORTS_PERMISSION)


def reports_view(request: HttpRequest) -> HttpResponse:
    """The supervisors' reports page."""
    if not may_see_reports(request.user):
        raise PermissionDenied
    form = ReportPeriodForm(request.GET)
    report = None
    if form.is_valid():
        report = build_report(
            start=form.cleaned_data["start"], end=form.cleaned_data["end"], cases=form.cases()
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Reports"),
        "opts": Case._meta,
        "form": form,
        "report": report,
        "charts": charts(report) if report else {},
        "claims": claims_report(start=report.start, end=report.end) if report else None,
    }
    return TemplateResponse(request, "admin/rma/reports.html", context)


# --- CSV export of the filtered case list --------------------------------------------------

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


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _amount(amount, currency: str) -> str:
    return f"{amount} {currency}" if amount is not None else ""


def _when(moment: datetime.datetime | None, tz: datetime.tzinfo | None = None) -> str:
    if not moment:
        return ""
    return moment.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


# The columns read for each case: plain values, no model instances, and no join: the
# people and warehouses of a chunk are read in a query of their own.
ROW_FIELDS = (
    "pk",
    "number",
    "customer_id",
    "status",
    "solution_type",
    "return_required",
    "warehouse_id",
    "payment_amount",
    "payment_currency",
    "refund_amount",
    "refund_currency",
    "assigned_agent_id",
    "created_at",
    "status_changed_at",
    "completed_at",
)
EXPORT_CHUNK = 2000


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def _items_by_case(case_ids: list[int]) -> dict[int, str]:
    """Each case's items as one cell, for a chunk of cases in one query."""
    items = defaultdict(list)
    rows = (
        CaseItem.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "id")
        .values_list("case_id", "product_model", "serial_number", "uid", "quantity")
    )
    for case_id, product_model, serial_number, uid, quantity in rows:
        items[case_id].append(f"{product_model} {serial_number or uid} x{quantity}")
    return {case_id: "; ".join(lines) for case_id, lines in items.items()}


def export_rows(cases: QuerySet[Case]) -> Iterator[str]:
    """The CSV lines of ``cases``, streamed in chunks: flat memory whatever their number."""
    writer = csv.writer(_Echo())
    yield writer.writerow([str(label) for _name, label in CSV_COLUMNS])
    statuses = {value: str(label) for value, label in Case.Status.choices}
    solutions = {value: str(label) for value, label in Case.SolutionType.choices}
    yes, no = _("yes"), _("no")
    tz = timezone.get_current_timezone()
    warehouses = dict(Warehouse.objects.values_list("pk", "name"))
    rows = cases.values_list(*ROW_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        items = _items_by_case([row[0] for row in chunk])
        reasons = claim_reasons(row[0] for row in chunk)
        people = {row[2] for row in chunk} | {row[11] for row in chunk if row[11]}
        emails = dict(get_user_model().objects.filter(pk__in=people).values_list("pk", "email"))
        lines = []
        for row in chunk:
            (pk, number, customer, status, solution, return_required, warehouse, payment, payment_currency,
             refund, refund_currency, agent, created_at, status_changed_at, completed_at) = row  # fmt: skip
            values = [
                number,
                emails.get(customer, ""),
                statuses.get(status, status),
                solutions.get(solution, solution),
                yes if return_required else no,
                warehouses.get(warehouse, ""),
                _amount(payment, payment_currency),
                _amount(refund, refund_currency),
                emails.get(agent, "") if agent else "",
                items.get(pk, ""),
                _when(created_at, tz),
                _when(status_changed_at, tz),
                _when(completed_at, tz),
                reasons.get(pk, ""),
            ]
            lines.append(writer.writerow([csv_cell(value) for value in values]))
        yield "".join(lines)


def filtered_cases(request: HttpRequest) -> QuerySet[Case]:
    """The cases the admin's case list shows for the same query string (filters, search)."""
    model_admin = admin.site.get_model_admin(Case)
    changelist = model_admin.get_changelist_instance(request)
    return changelist.get_queryset(request)


def export_view(request: HttpRequest) -> HttpResponse:
    """The case list as filtered in the admin, as a CSV file."""
    if not may_see_reports(request.user) or not admin.site.is_registered(Case):
        raise PermissionDenied
    if not admin.site.get_model_admin(Case).has_view_permission(request):
        raise PermissionDenied
    try:
        cases = filtered_cases(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest(_("This filter is not valid."))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(export_rows(cases), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rma-cases-{stamp}.csv"'
    return response


def urls():
    """The admin-side URLs of this module, for ``rma_portal.urls`` (before the admin's own)."""
    return [
        path("admin/rma/reports/", admin.site.admin_view(reports_view), name="rma_reports"),
        path("admin/rma/case/export.csv", admin.site.admin_view(export_view), name="rma_case_export"),
    ]

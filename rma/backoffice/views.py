"""
Admin pages beside the case list: the supervisors' reports, and the CSV export of the case
list exactly as the agent filtered it.

Both are served inside the admin site (``admin_site.admin_view``), so they need a staff
sign-in with its second factor, and both show the same figures: one permission
(``REPORTS_PERMISSION``, checked by ``may_see_reports``) opens both or neither.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.backoffice.charts import bar_chart_svg
from rma.backoffice.export import export_rows
from rma.backoffice.reports import Report, build_report
from rma.cases.models import Case, Warehouse
from rma.claims.reports import claims_report

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

    def narrowing(self) -> dict:
        """The report's narrowing, as filters of the cases (and of their figures)."""
        narrow = {}
        if self.cleaned_data.get("solution_type"):
            narrow["solution_type"] = self.cleaned_data["solution_type"]
        if self.cleaned_data.get("warehouse"):
            narrow["warehouse"] = self.cleaned_data["warehouse"]
        return narrow


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
            start=form.cleaned_data["start"], end=form.cleaned_data["end"], narrow=form.narrowing()
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


# --- CSV export of the filtered case list (rma.backoffice.export) -----------------------


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

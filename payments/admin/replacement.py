"""The admin of the replacement method and its PayPal hold."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments import holds
from payments.admin.base import CasePartAdmin
from payments.bindings import MethodBinding
from payments.models import (
    HoldState,
    ReplacementChoice,
)
from rma.cases.http import request_meta
from rma.cases.models import Case, HoldSettlement
from rma.cases.workflow import CaseActionError
from rma.required.parts import PartReview, PartTool, part_of
from rma_portal.formats import format_money


@admin.register(ReplacementChoice)
class ReplacementChoiceAdmin(CasePartAdmin):
    """The replacement method and the PayPal hold: read-only; the hold's release and capture
    are steps of the case (its buttons), the watch on holds settles any left by day 28."""

    binding = MethodBinding()

    list_display = (
        "case_number",
        "method",
        "hold_state",
        "amount",
        "currency",
        "authorized_at",
        "expires_at",
        "flagged_at",
        "state",
    )
    list_filter = ("method", "hold_state", "state")
    search_fields = ("case__number", "authorization_id", "order_id", "case__customer__email")
    list_select_related = ("case",)
    fieldsets = (
        (None, {"fields": ("case_link", "method", "state", "submitted_at", "submitted_by", "on_behalf")}),
        (
            gettext_lazy("PayPal hold"),
            {
                "fields": (
                    "hold_state",
                    "amount",
                    "currency",
                    "order_id",
                    "authorization_id",
                    "authorization_status",
                    "authorized_at",
                    "expires_at",
                    "flagged_at",
                    "settled_at",
                    "capture_id",
                    "paypal_error",
                )
            },
        ),
    )

    def review_section(self, case: Case) -> PartReview:
        """The method, and the hold when there is one, as the reviewer of a case sees it."""
        review = PartReview()
        choice = part_of(case, ReplacementChoice)  # joined with the case on its page
        if choice is None or not choice.method:
            review.details.append((_("Method"), _("not chosen yet")))
            if choice is not None and choice.paypal_error:
                review.details.append((_("PayPal's last answer"), choice.paypal_error))
            return review
        review.details.append((_("Method"), choice.get_method_display()))
        if choice.hold_state != HoldState.NONE:
            review.details += [
                (_("PayPal hold"), choice.get_hold_state_display()),
                (_("Amount held"), format_money(choice.amount, choice.currency)),
                (_("PayPal authorization ID"), choice.authorization_id or "—"),
                (
                    _("Hold expires"),
                    date_format(timezone.localtime(choice.expires_at), "DATETIME_FORMAT")
                    if choice.expires_at
                    else "—",
                ),
            ]
        if choice.paypal_error:
            review.details.append((_("PayPal's last answer"), choice.paypal_error))
        if choice.settlement_failed:
            capture = case.hold_settlement == HoldSettlement.CAPTURE
            review.warnings.append(
                (
                    _("PayPal has not captured the hold: %(answer)s The case stays open until it does.")
                    if capture
                    else _("PayPal has not released the hold: %(answer)s The case stays open until it does.")
                )
                % {"answer": choice.paypal_error}
            )
            review.tools.append(
                PartTool(
                    label=_("Ask PayPal again to capture the hold")
                    if capture
                    else _("Ask PayPal again to release the hold"),
                    url=reverse("admin:payments_retry_hold", args=[case.pk]),
                    permission="rma.approve_case" if capture else "rma.change_case",
                )
            )
        return review

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "submitted_by")

    def get_urls(self):
        return [
            path(
                "retry-hold/<int:case_id>/",
                self.admin_site.admin_view(self.retry_hold_view),
                name="payments_retry_hold",
            ),
            *super().get_urls(),
        ]

    def retry_hold_view(self, request: HttpRequest, case_id: int) -> HttpResponse:
        """From a case's page: confirm (GET), then ask PayPal again to settle the hold (POST)."""
        case = Case.objects.filter(pk=case_id).first()
        choice = ReplacementChoice.objects.filter(case_id=case_id).first()
        if case is None or choice is None:
            raise Http404("No such hold.")
        capture = case.hold_settlement == HoldSettlement.CAPTURE
        if not request.user.has_perm("rma.approve_case" if capture else "rma.change_case"):
            raise PermissionDenied
        change_url = reverse("admin:rma_case_change", args=[case.pk])
        if request.method == "POST":
            try:
                holds.hold_settle_retry(case=case, actor=request.user, meta=request_meta(request))
            except CaseActionError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("PayPal is asked again; the case completes when PayPal confirms it."),
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": (
                _("Ask PayPal again to capture the hold of %(number)s")
                if capture
                else _("Ask PayPal again to release the hold of %(number)s")
            )
            % {"number": case.number},
            "case": case,
            "choice": choice,
            "capture": capture,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/payments/retry_hold.html", context)

"""
The required information in admin: the parts, and the review of a case's submission.

Return shipments are read-only (they come from the customer), with thumbnails and the
tracking numbers used on more than one case flagged. Agents record the address they have on
file for a case here; the customer still confirms or corrects it on the address page.

The review page shows each required part of a case as its own admin presents it
(``PartAdminMixin.review_section``; the payment proof's admin is in ``payments.admin``),
and takes one decision: accept everything, or send chosen parts or pieces back with a reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.models import Action, Case, transition_for
from rma.cases.workflow import CaseActionError, RequestMeta, can_take
from rma.required.forms import ReviewForm
from rma.required.models import ReturnShipment, ShippingAddress
from rma.required.parts import Part, PartReview, needed_part_models, required_parts
from rma.required.search import matching_case_ids
from rma.required.selectors import duplicate_tracking_cases
from rma.required.services import address_on_file_save, case_accept, submission_send_back


class PartAdminMixin:
    """The admin of a kind of required part: how the part shows on a case's review page,
    and its list, searched like the case list and flagging identifiers used on another case."""

    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(case_id__in=matching_case_ids(search_term)), False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        field = self.model.identifier_field
        if not field:
            return queryset
        # One index probe per row shown, rather than grouping every part of every case.
        elsewhere = (
            self.model.objects.filter(**{field: OuterRef(field)})
            .exclude(case_id=OuterRef("case_id"))
            .exclude(**{field: ""})
        )
        return queryset.annotate(identifier_used_elsewhere=Exists(elsewhere))

    def review_section(self, case: Case) -> PartReview:
        return PartReview()


def review_sections(site: admin.AdminSite, case: Case) -> list[tuple[Part, PartReview]]:
    """Each required part of ``case`` with what the reviewer needs to see of it."""
    sections = []
    for part, model in zip(required_parts(case), needed_part_models(case), strict=True):
        part_admin = site.get_model_admin(model)
        sections.append((part, part_admin.review_section(case)))
    return sections


def review_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Show a case's submission (GET) and take the reviewer's decision (POST)."""
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404("No such case.")
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    change_url = reverse("admin:rma_case_change", args=[case.pk])
    may_review = case.status == Case.Status.UNDER_REVIEW and can_take(
        transition_for(Action.ACCEPT), case=case, user=request.user
    )
    form = ReviewForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST":
        if not may_review:
            model_admin.message_user(
                request, _("Nothing was changed: this case is not under review."), messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        if form.is_valid():
            meta = RequestMeta.from_request(request)
            try:
                if form.cleaned_data["decision"] == "accept":
                    case = case_accept(case=case, actor=request.user, meta=meta)
                    done = _("Accepted: the case is now “%(status)s”.")
                else:
                    case = submission_send_back(
                        case=case,
                        actor=request.user,
                        parts=form.cleaned_data["parts"],
                        reason=form.cleaned_data["reason"],
                        meta=meta,
                    )
                    done = _("Sent back: the case is now “%(status)s” and the customer was told why.")
            except CaseActionError as error:
                model_admin.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            model_admin.message_user(request, done % {"status": case.get_status_display()}, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": case,
        "title": _("Review of %(number)s") % {"number": case.number},
        "sections": review_sections(model_admin.admin_site, case),
        "form": form,
        "may_review": may_review,
        "change_url": change_url,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/rma/case/review.html", context)


def _file_url(shipment: ReturnShipment, piece: str, variant: str) -> str:
    return reverse(
        "rma:case_return_file", kwargs={"number": shipment.case.number, "piece": piece, "variant": variant}
    )


@admin.register(ReturnShipment)
class ReturnShipmentAdmin(PartAdminMixin, admin.ModelAdmin):
    list_display = ("case_number", "carrier", "tracking_number", "used_elsewhere", "state", "submitted_at")
    list_filter = ("state", "carrier")
    search_fields = ("case__number", "tracking_number", "case__customer__email")
    list_select_related = ("case",)
    fields = (
        "case",
        "state",
        "sent_back_items",
        "sent_back_reason",
        "carrier",
        "tracking_number",
        "duplicates",
        "photos",
        "submitted_at",
        "submitted_by",
        "on_behalf",
        "reviewed_at",
        "reviewed_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def review_section(self, case: Case) -> PartReview:
        summary = PartReview()
        shipment = ReturnShipment.objects.filter(case=case).first()
        if shipment is None:
            return summary
        summary.details += [
            (_("Carrier"), shipment.carrier),
            (_("Tracking number"), shipment.tracking_number),
        ]
        duplicates = duplicate_tracking_cases(
            tracking_number=shipment.tracking_number, exclude_case_id=case.pk
        )
        if duplicates:
            summary.warnings.append(
                _("The same tracking number is on: %(cases)s.") % {"cases": ", ".join(duplicates)}
            )
        for piece, caption in (
            ("label_photo", _("Shipping label")),
            ("postage_receipt", _("Postage receipt")),
        ):
            summary.images.append(
                (caption, _file_url(shipment, piece, "thumbnail"), _file_url(shipment, piece, "image"))
            )
        return summary

    @admin.display(description=gettext_lazy("case"), ordering="case__number")
    def case_number(self, shipment: ReturnShipment) -> str:
        return shipment.case.number

    @admin.display(description=gettext_lazy("tracking number on another case"), boolean=True)
    def used_elsewhere(self, shipment: ReturnShipment) -> bool:
        return getattr(shipment, "identifier_used_elsewhere", False)

    @admin.display(description=gettext_lazy("same tracking number on"))
    def duplicates(self, shipment: ReturnShipment) -> str:
        numbers = duplicate_tracking_cases(
            tracking_number=shipment.tracking_number, exclude_case_id=shipment.case_id
        )
        return ", ".join(numbers) or "—"

    @admin.display(description=gettext_lazy("photos"))
    def photos(self, shipment: ReturnShipment) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="200"></a> '
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="200"></a>',
            _file_url(shipment, "label_photo", "image"),
            _file_url(shipment, "label_photo", "thumbnail"),
            gettext_lazy("Shipping label"),
            _file_url(shipment, "postage_receipt", "image"),
            _file_url(shipment, "postage_receipt", "thumbnail"),
            gettext_lazy("Postage receipt"),
        )


class AddressOnFileForm(forms.ModelForm):
    class Meta:
        model = ShippingAddress
        fields = ("case", *ShippingAddress.FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "case" in self.fields:
            self.fields["case"].queryset = Case.objects.filter(
                solution_type__in=(Case.SolutionType.REPLACEMENT, Case.SolutionType.RESEND)
            ).exclude(status__in=Case.FINAL_STATUSES)


@admin.register(ShippingAddress)
class ShippingAddressAdmin(PartAdminMixin, admin.ModelAdmin):
    form = AddressOnFileForm
    list_display = ("case", "full_name", "city", "country", "state", "submitted_at")
    list_filter = ("state", "country")
    search_fields = ("case__number", "full_name", "case__customer__email")
    list_select_related = ("case",)
    readonly_fields = (
        "country",
        "state",
        "sent_back_reason",
        "submitted_at",
        "submitted_by",
        "on_behalf",
        "reviewed_at",
        "reviewed_by",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("case", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def review_section(self, case: Case) -> PartReview:
        summary = PartReview()
        address = ShippingAddress.objects.filter(case=case).first()
        if address is not None:
            summary.details.append((_("Ship to"), " · ".join(address.lines)))
        return summary

    def save_model(self, request, obj: ShippingAddress, form, change: bool) -> None:
        try:
            saved = address_on_file_save(
                case=obj.case,
                actor=request.user,
                fields={name: getattr(obj, name) for name in ShippingAddress.FIELDS},
                meta=RequestMeta.from_request(request),
            )
        except CaseActionError as error:
            raise PermissionDenied(error.message) from error
        obj.pk = saved.pk
        obj._state.adding = False

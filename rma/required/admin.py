"""
The required information in admin: the parts, and the review of a case's submission.

Return shipments are read-only lists (they come from the customer, or from an agent on the
customer's behalf through the case page), with thumbnails and the tracking numbers used on
more than one case flagged. Agents record the address they have on file for a case here;
the customer still confirms or corrects it on the address page.

Each admin here is a ``PartAdminMixin``: how its part shows on the case's review page and
how an agent enters it for the customer (the pages themselves are in
``rma.required.admin_pages``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.http import request_meta
from rma.cases.models import Case
from rma.cases.workflow import CaseActionError, RequestMeta
from rma.required.bindings import AddressBinding, PartBinding, ReturnBinding
from rma.required.list_filters import CarrierFilter, CountryFilter
from rma.required.models import ReturnShipment, ShippingAddress
from rma.required.part_list import PartChangeList
from rma.required.parts import PartReview, part_of
from rma.required.returns_and_addresses import address_on_file_save
from rma.required.search import matching_case_ids
from rma.required.selectors import cases_sharing_identifier, duplicate_tracking_cases
from rma_portal.formats import join_list
from rma_portal.paging import CappedPaging


class PartAdminMixin(CappedPaging):
    """The admin of a kind of required part: how it shows on a case's review page, how an
    agent enters it for the customer with the customer's own form, and its list, searched
    like the case list and flagging identifiers used on another case."""

    binding: PartBinding  # the part's form and service, shared with the customer's step page
    # Big lists (``CappedPaging``): no COUNT over the whole table, pages counted only a few
    # ahead, in the order of the primary key (the order the parts came in).
    ordering = ("-id",)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(case_id__in=matching_case_ids(search_term)), False

    def get_changelist(self, request, **kwargs):
        # Which rows shown carry an identifier another case's part carries too: one query
        # for the page (rma.required.part_list).
        return PartChangeList

    def review_section(self, case: Case) -> PartReview:
        return PartReview()

    def entry_form(self, case: Case, data=None, files=None) -> forms.Form:
        part = part_of(case, self.model)
        pieces = self.binding.open_pieces(case, part) or self.model.pieces
        return self.binding.form(case, data, files, part=part, pieces=pieces, on_behalf=True)

    def enter_for_customer(self, *, case: Case, form: forms.Form, actor, meta: RequestMeta) -> None:
        self.binding.submit(case, form, actor=actor, meta=meta, on_behalf=True)


def _file_url(shipment: ReturnShipment, piece: str, variant: str) -> str:
    return reverse(
        "rma:case_return_file", kwargs={"number": shipment.case.number, "piece": piece, "variant": variant}
    )


@admin.register(ReturnShipment)
class ReturnShipmentAdmin(PartAdminMixin, admin.ModelAdmin):
    binding = ReturnBinding()

    list_display = ("case_number", "carrier", "tracking_number", "used_elsewhere", "state", "submitted_at")
    list_filter = ("state", CarrierFilter)
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
        shipment = part_of(case, ReturnShipment)
        if shipment is None:
            return summary
        shipment.case = case  # its pictures' addresses carry the case number: no second read
        summary.details += [
            (_("Carrier"), shipment.carrier),
            (_("Tracking number"), shipment.tracking_number),
        ]
        duplicates = sorted(row[1] for row in cases_sharing_identifier(case, ReturnShipment))
        if duplicates:
            summary.warnings.append(
                _("The same tracking number is on: %(cases)s.") % {"cases": join_list(duplicates)}
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
        return join_list(numbers) or "—"

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
    binding = AddressBinding()

    form = AddressOnFileForm
    list_display = ("case", "full_name", "city", "country", "state", "submitted_at")
    list_filter = ("state", CountryFilter)
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
        address = part_of(case, ShippingAddress)
        if address is not None:
            summary.details.append((_("Ship to"), " · ".join(address.lines)))
        return summary

    def save_model(self, request, obj: ShippingAddress, form, change: bool) -> None:
        try:
            saved = address_on_file_save(
                case=obj.case,
                actor=request.user,
                fields={name: getattr(obj, name) for name in ShippingAddress.FIELDS},
                meta=request_meta(request),
            )
        except CaseActionError as error:
            raise PermissionDenied(error.message) from error
        obj.pk = saved.pk
        obj._state.adding = False

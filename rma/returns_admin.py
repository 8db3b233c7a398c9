"""
The return shipments and shipping addresses in admin.

Return shipments are read-only (they come from the customer), with thumbnails and the
tracking numbers used on more than one case flagged. Agents record the address they have on
file for a case here; the customer still confirms or corrects it on the address page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from rma.models import Case, ReturnShipment, ShippingAddress
from rma.returns import ADDRESS_FIELDS, address_on_file_save, duplicate_tracking_cases
from rma.services import CaseActionError, RequestMeta


def _file_url(shipment: ReturnShipment, piece: str, variant: str) -> str:
    return reverse(
        "rma:case_return_file", kwargs={"number": shipment.case.number, "piece": piece, "variant": variant}
    )


@admin.register(ReturnShipment)
class ReturnShipmentAdmin(admin.ModelAdmin):
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
        "reviewed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        self._repeated = set(
            ReturnShipment.objects.values("tracking_number")
            .annotate(cases=Count("case", distinct=True))
            .filter(cases__gt=1)
            .values_list("tracking_number", flat=True)
        )
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("case"), ordering="case__number")
    def case_number(self, shipment: ReturnShipment) -> str:
        return shipment.case.number

    @admin.display(description=gettext_lazy("tracking number on another case"), boolean=True)
    def used_elsewhere(self, shipment: ReturnShipment) -> bool:
        return shipment.tracking_number in getattr(self, "_repeated", set())

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
        fields = ("case", *ADDRESS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "case" in self.fields:
            self.fields["case"].queryset = Case.objects.filter(
                solution_type__in=(Case.SolutionType.REPLACEMENT, Case.SolutionType.RESEND)
            ).exclude(status__in=Case.FINAL_STATUSES)


@admin.register(ShippingAddress)
class ShippingAddressAdmin(admin.ModelAdmin):
    form = AddressOnFileForm
    list_display = ("case", "full_name", "city", "country", "state", "confirmed_at")
    list_filter = ("state", "country")
    search_fields = ("case__number", "full_name", "case__customer__email")
    list_select_related = ("case",)
    readonly_fields = ("country", "state", "sent_back_reason", "confirmed_at", "confirmed_by", "reviewed_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("case", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj: ShippingAddress, form, change: bool) -> None:
        try:
            saved = address_on_file_save(
                case=obj.case,
                actor=request.user,
                fields={name: getattr(obj, name) for name in ADDRESS_FIELDS},
                meta=RequestMeta.from_request(request),
            )
        except CaseActionError as error:
            raise PermissionDenied(error.message) from error
        obj.pk = saved.pk
        obj._state.adding = False

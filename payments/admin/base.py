"""What the payment admins share: the receipts inline and the admin of a case's part."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from payments.models import (
    PaymentReceipt,
)
from rma.required.admin import PartAdminMixin


def receipt_url(receipt: PaymentReceipt, variant: str) -> str:
    return reverse(
        "payments:receipt_file",
        kwargs={"number": receipt.payment.case.number, "receipt_id": receipt.pk, "variant": variant},
    )


class PaymentReceiptInline(admin.TabularInline):
    model = PaymentReceipt
    extra = 0
    can_delete = False
    fields = ("preview", "original_name", "dimensions", "size", "is_current", "uploaded_at")
    readonly_fields = fields
    ordering = ("-is_current", "position", "id")

    @admin.display(description=gettext_lazy("image"))
    def preview(self, receipt: PaymentReceipt) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">'
            '<img src="{}" alt="{}" width="160" loading="lazy"></a>',
            receipt_url(receipt, "image"),
            receipt_url(receipt, "thumbnail"),
            receipt.original_name,
        )

    @admin.display(description=gettext_lazy("size (pixels)"))
    def dimensions(self, receipt: PaymentReceipt) -> str:
        return f"{receipt.width} × {receipt.height}"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CasePartAdmin(PartAdminMixin, admin.ModelAdmin):
    """A part of a case shown read-only in its own list: made and changed only through the case."""

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("case"), ordering="case__number")
    def case_number(self, part) -> str:
        return part.case.number

    @admin.display(description=gettext_lazy("case"))
    def case_link(self, part) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:rma_case_change", args=[part.case_id]), part.case.number
        )

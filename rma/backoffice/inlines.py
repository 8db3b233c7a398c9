"""The inlines of the case's admin page: its items, messages and timeline."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from rma.cases.models import (
    CaseEvent,
    CaseItem,
    CaseMessage,
)


class CaseItemInline(admin.TabularInline):
    model = CaseItem
    fields = (
        "product_model",
        "serial_number",
        "uid",
        "quantity",
        "kit_scope",
        "purchase_date",
        "warranty_months",
        "in_warranty_display",
    )
    readonly_fields = ("in_warranty_display",)
    min_num = 1
    extra = 0
    validate_min = True

    def get_queryset(self, request):
        # "In warranty" reads the case's opening date: one join, not a query per item.
        return super().get_queryset(request).select_related("case")

    @admin.display(description=gettext_lazy("In warranty"), boolean=True)
    def in_warranty_display(self, item: CaseItem) -> bool | None:
        return item.in_warranty if item.pk else None

    # Items are part of the solution: frozen once the customer may rely on it.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or obj.is_solution_editable)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_solution_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_solution_editable)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseMessageInline(ReadOnlyInline):
    model = CaseMessage
    fields = ("created_at", "sender", "author", "body")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Messages (write a new one in “Reply to the customer” above)")


class CaseEventInline(ReadOnlyInline):
    """The audit trail: shown in full, never editable."""

    model = CaseEvent
    fields = (
        "created_at",
        "actor",
        "actor_role",
        "on_behalf",
        "action",
        "from_status",
        "to_status",
        "comment",
        "data",
        "ip",
        "user_agent",
    )
    readonly_fields = fields
    ordering = ("created_at", "id")

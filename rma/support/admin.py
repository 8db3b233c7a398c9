"""Support requests in admin: read-only, marked handled once answered."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.support.models import SupportRequest
from rma.support.services import support_requests_mark_handled


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    """Messages sent through "Contact support"; agents mark them handled once answered."""

    list_display = ("created_at", "email", "subject", "case", "customer", "handled_at")
    list_filter = (("handled_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("email", "subject", "case__number")
    list_select_related = ("case", "customer")
    show_full_result_count = False
    readonly_fields = ("created_at", "email", "customer", "case", "subject", "message", "ip", "user_agent")
    fields = readonly_fields + ("handled_at", "handled_by")
    actions = ("mark_handled",)

    def has_add_permission(self, request) -> bool:
        return False  # they come from the form only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Mark the selected requests handled"), permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset) -> None:
        count = support_requests_mark_handled(requests=queryset, actor=request.user)
        self.message_user(
            request, _("%(count)d request(s) marked handled.") % {"count": count}, messages.SUCCESS
        )

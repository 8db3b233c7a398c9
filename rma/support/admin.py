"""Support requests in admin: read-only, marked handled once answered."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.support.emails import screenshot_url
from rma.support.models import SupportRequest, SupportScreenshot
from rma.support.services import support_requests_mark_handled


class SupportScreenshotInline(admin.TabularInline):
    """The screenshots sent with the request, as thumbnails that open the full image."""

    model = SupportScreenshot
    extra = 0
    can_delete = False
    fields = ("preview", "original_name", "dimensions", "size", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("screenshot"))
    def preview(self, screenshot: SupportScreenshot) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">'
            '<img src="{}" alt="{}" width="160" loading="lazy"></a>',
            screenshot_url(screenshot, "image"),
            screenshot_url(screenshot, "thumbnail"),
            screenshot.original_name,
        )

    @admin.display(description=gettext_lazy("size (pixels)"))
    def dimensions(self, screenshot: SupportScreenshot) -> str:
        return f"{screenshot.width} × {screenshot.height}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    """Messages sent through "Contact support"; agents mark them handled once answered."""

    list_display = ("reference", "created_at", "email", "subject", "case", "customer", "handled_at")
    list_filter = (("handled_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("email", "subject", "case__number")
    list_select_related = ("case", "customer")
    show_full_result_count = False
    readonly_fields = (
        "reference",
        "created_at",
        "email",
        "customer",
        "case",
        "subject",
        "message",
        "language",
        "ip",
        "user_agent",
    )
    fields = readonly_fields + ("handled_at", "handled_by")
    actions = ("mark_handled",)
    inlines = (SupportScreenshotInline,)

    @admin.display(description=gettext_lazy("reference"))
    def reference(self, support_request: SupportRequest) -> str:
        return support_request.reference

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

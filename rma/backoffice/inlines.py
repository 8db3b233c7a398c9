"""The inlines of the case's admin page: its items, messages and timeline."""

from __future__ import annotations

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.models import (
    CaseEvent,
    CaseItem,
    CaseMessage,
)


class CaseItemInline(admin.StackedInline):
    model = CaseItem
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("product", "product_model"),
                    ("quantity", "kit_scope"),
                    ("serial_number", "uid"),
                    "unit_value",
                )
            },
        ),
        (
            gettext_lazy("Warranty"),
            {
                "fields": (
                    ("purchase_date", "purchase_channel"),
                    ("condition", "registered_on"),
                    "replaces",
                    ("warranty_override_until", "warranty_override_reason"),
                    "warranty_verdict",
                )
            },
        ),
    )
    readonly_fields = ("warranty_verdict",)
    raw_id_fields = ("replaces",)
    autocomplete_fields = ("product",)
    min_num = 1
    extra = 0
    validate_min = True

    def get_queryset(self, request):
        # The warranty verdict reads the case's opening date: one join, not a query per item.
        return (
            super()
            .get_queryset(request)
            .with_warranty_facts()
            .select_related("case", "replaces__case", "replaces__product")
        )

    @admin.display(description=gettext_lazy("Warranty verdict"))
    def warranty_verdict(self, item: CaseItem) -> str:
        if not item.pk:
            return gettext_lazy("Shown once the item is saved.")
        verdict = item.warranty
        day = date_format(verdict.ends_on, "DATE_FORMAT")
        if verdict.in_warranty:
            state = _("In warranty until %(date)s") % {"date": day}
        else:
            state = _("Out of warranty since the end of %(date)s") % {"date": day}
        return format_html(
            '<strong class="warranty-verdict" data-in-warranty="{}">{}</strong><br>{}<br>{}',
            "yes" if verdict.in_warranty else "no",
            state,
            " ".join(verdict.reasons),
            verdict.refund_reason,
        )

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


class PagedInline(ReadOnlyInline):
    """A read-only list of the case's newest rows, ``page_size`` more with each "show older"
    (offered while the page is full). A POST of the case's form reads them all, so the ids
    it carries are found whatever was added in the meantime."""

    ordering = ("-created_at", "-id")
    page_size = 20
    page_param: str
    shown = page_size
    older_query = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        object_id = match.kwargs.get("object_id", "") if match else ""
        if request.method != "GET" or not str(object_id).isdigit():
            return queryset
        try:
            self.shown = max(self.page_size, int(request.GET.get(self.page_param, self.page_size)))
        except ValueError:
            self.shown = self.page_size
        query = request.GET.copy()
        query[self.page_param] = str(self.shown + self.page_size)
        self.older_query = query.urlencode()
        newest = self.model.objects.filter(case_id=int(object_id)).order_by(*self.ordering).values("pk")
        return queryset.filter(pk__in=newest[: self.shown])


class CaseMessageInline(PagedInline):
    """The conversation, newest first, as a list of messages; the reply box follows it."""

    model = CaseMessage
    fields = ("created_at", "sender", "author", "body")
    readonly_fields = fields
    template = "admin/rma/case/messages.html"
    verbose_name_plural = gettext_lazy("Messages")
    page_param = "messages"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class CaseEventInline(PagedInline):
    """The audit trail, never editable, as a timeline, newest first: who, on whose behalf,
    what and when, with the data each event carried folded away."""

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
    template = "admin/rma/case/timeline.html"
    verbose_name_plural = gettext_lazy("History")
    page_param = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

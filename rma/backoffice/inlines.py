"""The case's admin page below its form: the items (an inline), then its messages and its
history (plain lists, newest first, a page at a time)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from rma.cases.models import (
    CaseEvent,
    CaseItem,
    CaseMessage,
)


def warranty_verdict_html(item: CaseItem) -> str:
    """The policy's verdict on ``item``: in warranty until when, or why not, and the refund rule."""
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


# What a frozen item shows of itself, in this order (its fields, empty ones left out).
FROZEN_ITEM_FACTS = (
    "quantity",
    "kit_scope",
    "serial_number",
    "uid",
    "unit_value",
    "purchase_date",
    "purchase_channel",
    "condition",
    "registered_on",
    "replaces",
    "warranty_override_until",
    "warranty_override_reason",
)


def frozen_item_facts(item: CaseItem) -> list[tuple[str, str]]:
    """The facts of an item of a solution that can no longer change, each with its field's
    name: read as a list, not as a form of read-only fields (the admin's way costs some
    milliseconds a field, which a case of thirty items pays thirty times)."""
    facts = []
    for name in FROZEN_ITEM_FACTS:
        field = CaseItem._meta.get_field(name)
        value = getattr(item, name)
        if value is None or value == "":
            continue
        if field.choices:
            value = getattr(item, f"get_{name}_display")()
        elif isinstance(value, datetime.date):
            value = date_format(value, "DATE_FORMAT")
        facts.append((capfirst(field.verbose_name), str(value)))
    return facts


class CaseItemInline(admin.StackedInline):
    """The items: a form each while the solution may change, a list of facts once it may not
    (``admin/rma/case/items.html``)."""

    model = CaseItem
    template = "admin/rma/case/items.html"
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
        return warranty_verdict_html(item)

    # Items are part of the solution: frozen once the customer may rely on it.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or obj.is_solution_editable)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_solution_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_solution_editable)


@dataclass
class NewestRows:
    """The newest rows of a case's list (its messages, its history), newest first, and the
    query of the page that shows ``PAGE_SIZE`` more ("" when there are no older ones)."""

    rows: list
    older_query: str
    title: str


PAGE_SIZE = 20


def newest_rows(request, queryset: QuerySet, *, param: str, title: str) -> NewestRows:
    """The newest rows of ``queryset``: ``PAGE_SIZE`` at first, as many more as each "show
    older" (``?<param>=40``...) asks. Shown as a plain list, not as forms: nobody edits them,
    and the case's form carries nothing of them."""
    try:
        shown = max(PAGE_SIZE, int(request.GET.get(param, PAGE_SIZE)))
    except ValueError:
        shown = PAGE_SIZE
    rows = list(queryset.order_by("-created_at", "-id")[: shown + 1])
    older = ""
    if len(rows) > shown:
        rows = rows[:shown]
        query = request.GET.copy()
        query[param] = str(shown + PAGE_SIZE)
        older = query.urlencode()
    return NewestRows(rows=rows, older_query=older, title=title)


def conversation_of(request, case) -> NewestRows:
    """The conversation with the customer, newest first; the reply box follows it."""
    messages = CaseMessage.objects.filter(case=case).select_related("author")
    return newest_rows(request, messages, param="messages", title=gettext("Messages"))


def history_of(request, case) -> NewestRows:
    """The audit trail as a timeline, newest first: who, on whose behalf, what and when, with
    the data each event carried folded away."""
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    return newest_rows(request, events, param="history", title=gettext("History"))

"""
The case page of the back office: the solution form, the conversation and the timeline, and
one button per allowed transition.

Agents create a case for a customer by email and move it along the lifecycle with one
button per allowed transition; each button opens a short confirmation page whose POST calls
the same service the customer pages use. Editing, creating and messaging go through
the services too, so every change leaves its event.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.backoffice.claims import claim_panel
from rma.backoffice.forms import transition_label
from rma.backoffice.inlines import CaseItemInline, conversation_of, history_of
from rma.backoffice.steps import case_tools, staff_transitions, transition_view
from rma.backoffice.workspace import workspace_for
from rma.cases.editing import SOLUTION_FIELDS, case_create, case_items_save, case_update, customer_for_email
from rma.cases.http import request_meta
from rma.cases.models import Case, CaseEvent, CaseItem
from rma.cases.services import case_message_post
from rma.cases.warranty import refund_refusals
from rma.cases.workflow import CaseActionError
from rma.required.admin_pages import open_parts, part_entry_view, review_view, waive_view
from rma.required.parts import part_models


class CasePageMixin:
    """The add and change pages of ``CaseAdmin``."""

    # The messages and the history follow the items as plain lists (``render_change_form``).
    inlines = (CaseItemInline,)
    change_form_template = "admin/rma/case/change_form.html"
    # The case page belongs to the customer: staff would get a 404 there.
    view_on_site = False

    STATUS_FIELDS = (
        "number",
        "customer",
        "customer_language",
        "status",
        "revision",
        "created_at",
        "updated_at",
        "status_changed_at",
        "due_at",
        "completed_at",
        "refund_reference",
        "outbound_carrier",
        "replacement_method",
        "hold_placed_at",
        "return_due_at",
        "outbound_tracking_number",
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cases carry an audit trail; a case that should not go on is cancelled

    def has_approve_permission(self, request) -> bool:
        """Bulk approval is offered to supervisors only."""
        return request.user.has_perm("rma.approve_case")

    @admin.display(description=gettext_lazy("Customer's language"))
    def customer_language(self, case: Case) -> str:
        """The language the customer reads: the solution note and replies go out as written."""
        code = case.customer.language or settings.LANGUAGE_CODE
        name = translation.get_language_info(code)["name_local"]
        if not case.customer.language:
            note = _("%(language)s (not chosen yet): write the note to the customer in it")
        else:
            note = _("%(language)s: write the note to the customer in it")
        return note % {"language": name}

    def get_queryset(self, request):
        # The case page shows the customer, warehouse and agent too: one query for all.
        return super().get_queryset(request).select_related("customer", "warehouse", "assigned_agent")

    def get_object(self, request, object_id, from_field=None):
        """The case with its newest event's id, which its change form carries to notice a
        change made meanwhile; read in the same query."""
        newest = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-pk").values("pk")[:1]
        # The parts of the required information come along: the page reads each of them.
        parts = [model.case_accessor for model in part_models()]
        queryset = (
            self.get_queryset(request)
            .select_related(*parts)
            .annotate(newest_event_id=Coalesce(Subquery(newest), 0))
        )
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    @admin.display(description=gettext_lazy("Refund eligibility"))
    def refund_eligibility(self, case: Case) -> str:
        """Whether the policy allows a refund of each item (30 days, official store)."""
        items = getattr(case, "page_items", None)
        refused = refund_refusals(case, items)
        if not refused:
            if not (items if items is not None else case.items.exists()):
                return _("Add the items to see whether they can be refunded.")
            return format_html(
                '<span class="refund-eligibility" data-refund="yes">{}</span>',
                _("Every item can be refunded: bought from the official store within 30 days."),
            )
        return format_html(
            '<span class="refund-eligibility" data-refund="no">{}</span><ul>{}</ul>',
            _("Not every item can be refunded under the policy:"),
            format_html_join("", "<li>{}: {}</li>", refused),
        )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        case = form.instance
        breaches = case.policy_breaches()
        if breaches:
            items = "; ".join(f"{item}: {reason}" for item, reason in breaches)
            if case.policy_exception_reason.strip():
                message = _(
                    "This solution goes against the warranty policy (%(items)s): it goes to a supervisor "
                    "with your exception reason before the customer sees it."
                )
            else:
                message = _(
                    "This solution goes against the warranty policy (%(items)s). Give the exception "
                    "reason: without it the solution cannot go to the customer, and with it a supervisor "
                    "approves it first."
                )
            self.message_user(request, message % {"items": items}, messages.WARNING)

    def get_fieldsets(self, request, obj=None):
        solution = (
            _("Solution"),
            {
                "fields": (
                    "solution_type",
                    # The refund rule, once a refund is the solution (saving one warns too).
                    *(
                        ("refund_eligibility",)
                        if obj is not None and obj.solution_type == Case.SolutionType.REFUND
                        else ()
                    ),
                    "solution_note",
                    "policy_exception_reason",
                    "needs_approval",
                    ("refund_amount", "refund_currency"),
                    ("payment_amount", "payment_currency"),
                    "return_required",
                    "warehouse",
                    "advance_replacement",
                    ("hold_amount", "hold_currency"),
                    "country",
                )
            },
        )
        team = (_("Warranty team"), {"fields": ("assigned_agent", "agent_notes")})
        if obj is None:
            return ((None, {"fields": ("customer_email", "new_customer")}), solution, team)
        state = (
            _("Case"),
            {
                "fields": (
                    ("number", "status", "revision"),
                    ("created_at", "status_changed_at", "due_at", "completed_at"),
                    ("refund_reference", "outbound_carrier", "outbound_tracking_number"),
                    ("replacement_method", "hold_placed_at", "return_due_at"),
                )
            },
        )
        # Shown under the messages (templates/admin/rma/case/change_form.html).
        reply = (
            _("Conversation"),
            {"fields": ("reply_to_customer", "seen_event"), "classes": ("case-conversation",)},
        )
        return (state, solution, team, reply)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_agent":
            # The team is a short list: a plain choice of the active staff, which works for
            # everyone who may change a case (an autocomplete would need the right to read
            # every user account) and without JavaScript.
            kwargs["queryset"] = (
                get_user_model().objects.filter(is_staff=True, is_active=True).order_by("full_name", "email")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not obj.is_solution_editable:
            return (*self.STATUS_FIELDS, "refund_eligibility", *SOLUTION_FIELDS)
        if obj.needs_approval and not request.user.has_perm("rma.approve_case"):
            # Only a supervisor may take a solution out of review (rma.cases.services).
            return (*self.STATUS_FIELDS, "refund_eligibility", "needs_approval")
        return (*self.STATUS_FIELDS, "refund_eligibility")

    def save_model(self, request: HttpRequest, obj: Case, form, change: bool) -> None:
        meta = request_meta(request)
        try:
            if not change:
                obj.customer = customer_for_email(email=form.cleaned_data["customer_email"])
                case_create(case=obj, actor=request.user, meta=meta)
            else:
                updated = case_update(
                    case=obj,
                    actor=request.user,
                    changed_fields=form.changed_data,
                    meta=meta,
                    seen_event_id=form.cleaned_data.get("seen_event"),
                )
                obj.status = updated.status
            reply = form.cleaned_data.get("reply_to_customer", "").strip()
            if change and reply:
                case_message_post(case=obj, author=request.user, body=reply, meta=meta)
        except CaseActionError as error:
            # The form was valid when checked; the case moved on in the meantime.
            raise PermissionDenied(error.message) from error

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not CaseItem:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)
        try:
            # A new case's items come with its "created" event; later edits get their own.
            case_items_save(
                case=form.instance,
                actor=request.user,
                saved=saved,
                deleted=formset.deleted_objects,
                record_event=change,
                meta=request_meta(request),
            )
        except CaseActionError as error:
            raise PermissionDenied(error.message) from error

    # --- One button per allowed transition ------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/action/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="rma_case_transition",
            ),
            path(
                "<path:object_id>/part/<str:key>/",
                self.admin_site.admin_view(self.part_entry_view),
                name="rma_case_part_entry",
            ),
            path(
                "<path:object_id>/waive/",
                self.admin_site.admin_view(self.waive_view),
                name="rma_case_waive",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="rma_case_review",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transitions"] = [
                {"row": row, "on_behalf": on_behalf, "label": transition_label(row, on_behalf)}
                for row, on_behalf in staff_transitions(obj, request.user)
            ]
            may_change = self.has_change_permission(request, obj)
            missing = open_parts(obj) if may_change else []
            context["open_parts"] = missing
            context["tools"] = case_tools(obj, request.user, may_change=may_change, open_parts=missing)
            # The items the items' inline read, with their warranty facts: the refund rule and
            # the risk signals of the page read them too, rather than asking again.
            obj.page_items = next(
                (
                    list(formset.formset.get_queryset())
                    for formset in context.get("inline_admin_formsets", ())
                    if isinstance(formset.opts, CaseItemInline)
                ),
                None,
            )
            context["workspace"] = workspace_for(self.admin_site, obj, request.user)
            context["claim"] = claim_panel(obj)
            context["customer_language"] = self.customer_language(obj)
            # A new case has no conversation or history yet. The reply box goes under the
            # conversation when the conversation is shown.
            user = request.user
            if user.has_perm("rma.view_casemessage"):
                context["conversation"] = conversation_of(request, obj)
            if user.has_perm("rma.view_caseevent"):
                context["history"] = history_of(request, obj)
            context["reply_after_messages"] = "conversation" in context
        return super().render_change_form(request, context, add, change, form_url, obj)

    def part_entry_view(self, request: HttpRequest, object_id: str, key: str) -> HttpResponse:
        """Enter a part of the required information for the customer."""
        return part_entry_view(self, request, object_id, key)

    def waive_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Waive a part of the required information that is not needed any more."""
        return waive_view(self, request, object_id)

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """What the customer sent, part by part; accept it or send parts back."""
        return review_view(self, request, object_id)

    def transition_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Confirm one transition (GET), then take it through its service (POST)."""
        return transition_view(self, request, object_id, action)

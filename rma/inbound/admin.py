"""The team's "mail to check" list: every mail received, where it went and why; an agent
attaches a mail that waits to a case, or discards it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.inbound.models import InboundMail
from rma.inbound.services import InboundError, inbound_attach, inbound_discard

# The original is shown up to this many characters.
ORIGINAL_SHOWN = 20000


class OutcomeFilter(admin.SimpleListFilter):
    """Where the mail went; the list opens on the mail that waits for the team."""

    title = gettext_lazy("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [*InboundMail.Outcome.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or InboundMail.Outcome.TO_CHECK
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or InboundMail.Outcome.TO_CHECK
        return queryset if value == "all" else queryset.filter(outcome=value)


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Mail received: read-only, with the team's two decisions on a mail to check."""

    list_display = ("received_at", "sender", "subject", "outcome", "reason", "case")
    list_filter = (OutcomeFilter, "reason")
    search_fields = ("sender", "subject", "case__number", "message_id")
    list_select_related = ("case",)
    show_full_result_count = False
    fields = (
        "received_at",
        "sender",
        "subject",
        "message_id",
        "outcome",
        "reason",
        "case",
        "body",
        "attachments_list",
        "size",
        "original_text",
        "handled_by",
        "handled_at",
    )
    readonly_fields = fields
    change_form_template = "admin/rma/inboundmail/change_form.html"

    @admin.display(description=gettext_lazy("attachments"))
    def attachments_list(self, mail: InboundMail) -> str:
        return format_html_join(", ", "{}", ((name,) for name in mail.attachment_names)) or "-"

    @admin.display(description=gettext_lazy("original"))
    def original_text(self, mail: InboundMail) -> str:
        if mail.original is None:
            return _("Not kept: originals are kept %(days)s days.") % {"days": settings.INBOUND_KEEP_DAYS}
        text = bytes(mail.original).decode("utf-8", errors="replace")[:ORIGINAL_SHOWN]
        return format_html('<pre class="inbound-original">{}</pre>', text)

    def has_add_permission(self, request) -> bool:
        return False  # they come from the mailbox only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "<int:mail_id>/attach/",
                self.admin_site.admin_view(self.attach_view),
                name="rma_inboundmail_attach",
            ),
            path(
                "<int:mail_id>/discard/",
                self.admin_site.admin_view(self.discard_view),
                name="rma_inboundmail_discard",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mail = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_decide": mail is not None
            and mail.outcome
            in (InboundMail.Outcome.TO_CHECK, InboundMail.Outcome.REFUSED, InboundMail.Outcome.IGNORED)
            and self.has_change_permission(request, mail),
            "suggested_case": mail.case.number if mail is not None and mail.case_id else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide(self, request: HttpRequest, mail_id: int, decide) -> HttpResponseRedirect:
        if request.method != "POST":
            raise PermissionDenied
        mail = get_object_or_404(InboundMail, pk=mail_id)
        if not self.has_change_permission(request, mail):
            raise PermissionDenied
        here = reverse("admin:rma_inboundmail_change", args=[mail.pk])
        try:
            done = decide(mail)
        except InboundError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(here)
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:rma_inboundmail_changelist"))

    def attach_view(self, request: HttpRequest, mail_id: int) -> HttpResponseRedirect:
        number = request.POST.get("case_number", "")

        def attach(mail: InboundMail) -> str:
            attached = inbound_attach(mail=mail, case_number=number, agent=request.user)
            return _("The mail is now a message of the customer on %(number)s.") % {
                "number": attached.case.number
            }

        return self._decide(request, mail_id, attach)

    def discard_view(self, request: HttpRequest, mail_id: int) -> HttpResponseRedirect:
        def discard(mail: InboundMail) -> str:
            inbound_discard(mail=mail, agent=request.user)
            return _("The mail was discarded.")

        return self._decide(request, mail_id, discard)

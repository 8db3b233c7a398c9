"""
Bulk actions of the admin's case list: assign, approve, remind.

Each one calls the same service as the single-case page, case by case, so every case gets
its own lock, status check and event; a case that has moved on is skipped and counted, never
half-changed. The result is a summary line, and a line for each case left as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rma.backoffice.forms import AssignForm
from rma.backoffice.reminders import case_remind
from rma.cases.editing import case_update
from rma.cases.http import request_meta
from rma.cases.models import Case
from rma.cases.services import case_approve
from rma.cases.workflow import CaseActionError


def _apply(
    request: HttpRequest, cases: QuerySet[Case], service: Callable[[Case], Any]
) -> tuple[int, list[str]]:
    done, refused = 0, []
    for case in cases.order_by("pk"):
        try:
            service(case)
        except CaseActionError as error:
            refused.append(f"{case.number}: {error.message}")
        else:
            done += 1
    return done, refused


def _report(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    done: int,
    refused: list[str],
    done_message: Callable[[int], str],
) -> None:
    """One success line (``done_message(count)`` is a whole sentence), then one line per case left as it was.

    Each refusal is a sentence of its own, so none is glued to the next with a stray ";".
    """
    if done:
        model_admin.message_user(request, done_message(done), messages.SUCCESS)
    if refused:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d case was left as it was:",
                "%(count)d cases were left as they were:",
                len(refused),
            )
            % {"count": len(refused)},
            messages.WARNING,
        )
        for line in refused[:20]:
            model_admin.message_user(request, line, messages.WARNING)


@admin.action(description=gettext_lazy("Assign the selected cases to an agent"), permissions=["change"])
def bulk_assign(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]
) -> HttpResponse | None:
    """Ask which agent (an intermediate page), then assign every selected case to them."""
    form = AssignForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        agent = form.cleaned_data["agent"]
        meta = request_meta(request)

        def assign(case: Case) -> Case:
            case.assigned_agent = agent
            return case_update(case=case, actor=request.user, changed_fields=["assigned_agent"], meta=meta)

        done, refused = _apply(request, queryset, assign)
        _report(
            model_admin,
            request,
            done,
            refused,
            lambda count: (
                ngettext("%(count)d case assigned.", "%(count)d cases assigned.", count) % {"count": count}
            ),
        )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Assign cases"),
        "opts": model_admin.model._meta,
        "cases": queryset.order_by("pk"),
        "form": form,
        "action": "bulk_assign",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/rma/case/bulk_assign.html", context)


@admin.action(description=gettext_lazy("Approve the selected solutions"), permissions=["approve"])
def bulk_approve(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    """Approve every selected case awaiting approval (supervisors only)."""
    meta = request_meta(request)
    done, refused = _apply(
        request, queryset, lambda case: case_approve(case=case, actor=request.user, meta=meta)
    )
    _report(
        model_admin,
        request,
        done,
        refused,
        lambda count: (
            ngettext("%(count)d case approved.", "%(count)d cases approved.", count) % {"count": count}
        ),
    )


@admin.action(description=gettext_lazy("Remind the customers of their pending step"), permissions=["change"])
def bulk_remind(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
    """Send each selected case's customer a reminder now, where they have something to do."""
    meta = request_meta(request)
    done, refused = _apply(
        request, queryset, lambda case: case_remind(case=case, actor=request.user, meta=meta)
    )
    _report(
        model_admin,
        request,
        done,
        refused,
        lambda count: (
            ngettext(
                "A reminder went out for %(count)d case.", "Reminders went out for %(count)d cases.", count
            )
            % {"count": count}
        ),
    )


CASE_ACTIONS = (bulk_assign, bulk_approve, bulk_remind)

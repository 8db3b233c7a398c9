"""
The steps of the lifecycle in the case's admin: which buttons a member of staff gets on a
case, and the page that confirms one and takes it through its service.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from rma.backoffice.forms import TransitionForm, transition_label
from rma.cases.http import request_meta
from rma.cases.models import TRANSITIONS, Action, Case, Transition, transition_for
from rma.cases.workflow import CaseActionError, can_take, role_of
from rma.lifecycle import refusal_for, transition_take

TRANSITION_ACTIONS = {row.action for row in TRANSITIONS}


def _on_behalf(transition: Transition, user) -> bool:
    """Staff take a customer's step only on the customer's behalf."""
    return transition.on_behalf and role_of(user) not in transition.roles


# Taken by the services themselves when the last part comes in (entered for the customer or
# waived from the case page), never by a button.
AUTOMATIC_ACTIONS = frozenset({Action.MARK_INFO_COMPLETE})
# The two ways out of processing: one button or the other, by whether the case ships ahead.
SHIPPING_ACTIONS = frozenset({Action.COMPLETE, Action.SHIP_AHEAD})
# Decisions about the hold, which end once its fate is decided (PayPal then confirms it).
HOLD_DECISIONS = frozenset({Action.RECEIVE_RETURN, Action.CAPTURE_HOLD, Action.EXTEND_RETURN})


def staff_transitions(case: Case, user) -> list[tuple[Transition, bool]]:
    """The transitions ``user`` may take on ``case`` now, each with its on-behalf flag."""
    allowed = []
    for row in case.allowed_actions():
        if row.action in AUTOMATIC_ACTIONS:
            continue
        if row.action == Action.PUBLISH and case.goes_to_approval:
            continue  # it would be refused: this draft goes to a supervisor first
        if (row.action == Action.COMPLETE) == case.ships_ahead and row.action in SHIPPING_ACTIONS:
            continue  # an advance replacement ships ahead; any other completes
        if case.settling_hold and row.action in HOLD_DECISIONS:
            continue  # decided already: the case waits for PayPal
        on_behalf = _on_behalf(row, user)
        if can_take(row, case=case, user=user, on_behalf=on_behalf):
            allowed.append((row, on_behalf))
    return allowed


def case_tools(case: Case, user, *, may_change: bool, open_parts: list) -> dict[str, bool]:
    """The case page's other buttons, each shown only when ``user`` may use it now: the
    invoice while the payment proof is still awaited, the review while the case is under
    review and ``user`` may decide on it, entering and waiving parts while some are missing."""
    return {
        "send_invoice": may_change
        and user.has_perm("rma.change_case")
        and any(part.key == "payment" for part in open_parts),
        "review": may_change
        and case.status == Case.Status.UNDER_REVIEW
        and can_take(transition_for(Action.ACCEPT), case=case, user=user),
        "enter_parts": may_change and bool(open_parts),
    }


def transition_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, action: str
) -> HttpResponse:
    """Confirm one transition (GET), then take it through its service (POST)."""
    if action not in TRANSITION_ACTIONS:
        raise Http404("No such action.")
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404("No such case.")
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    row = transition_for(action)
    on_behalf = _on_behalf(row, request.user)
    if not can_take(row, case=case, user=request.user, on_behalf=on_behalf):
        raise PermissionDenied
    change_url = reverse("admin:rma_case_change", args=[case.pk])
    form = TransitionForm(request.POST if request.method == "POST" else None, transition=row, case=case)
    seen_status = request.POST.get("seen_status", "") if request.method == "POST" else case.status
    if case.status != row.source:
        # Not offered now: the page was opened in another status (someone moved the case on
        # since) or the action was never a step of this one.
        moved = seen_status == row.source
        model_admin.message_user(request, refusal_for(case, action, moved=moved).message, messages.ERROR)
        return HttpResponseRedirect(change_url)
    if request.method == "POST" and form.is_valid():
        kwargs = {"case": case, "actor": request.user, "meta": request_meta(request)}
        kwargs.update(form.service_arguments())
        if row.on_behalf:
            kwargs["on_behalf"] = on_behalf
        try:
            case = transition_take(action, **kwargs)
        except CaseActionError as error:
            model_admin.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(change_url)
        model_admin.message_user(
            request,
            _("%(action)s: done. The case is now “%(status)s”.")
            % {"action": transition_label(row, on_behalf), "status": case.get_status_display()},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": case,
        "title": transition_label(row, on_behalf),
        "transition": row,
        "on_behalf": on_behalf,
        "form": form,
        "change_url": change_url,
        # A supervisor deciding on a solution reads the policy exception it makes, if any.
        "policy_breaches": case.policy_breaches() if action in (Action.APPROVE, Action.SEND_BACK) else [],
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/rma/case/transition.html", context)

"""
The admin pages a case offers about its required information, linked from the case page:
review what the customer sent, enter a part for the customer, waive a part.

Each kind of part is presented and entered by its own ``ModelAdmin`` (a ``PartAdminMixin``:
the return shipment and address in ``rma.required.admin``, the payment proof in
``payments.admin``), found through ``AdminSite.get_model_admin``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.http import request_meta
from rma.cases.models import Action, Case, transition_for
from rma.cases.workflow import CaseActionError, can_take
from rma.required.forms import ReviewForm
from rma.required.parts import Part, PartReview, missing_parts, needed_part_models, required_parts
from rma.required.services import case_accept, part_waive, submission_send_back


def review_sections(site: admin.AdminSite, case: Case, user=None) -> list[tuple[Part, PartReview]]:
    """Each required part of ``case`` with what the reviewer needs to see of it, and the
    tools ``user`` may use on it."""
    sections = []
    for part, model in zip(required_parts(case), needed_part_models(case), strict=True):
        part_admin = site.get_model_admin(model)
        sections.append((part, part_admin.review_section(case).keep_tools_of(user)))
    return sections


def review_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Show a case's submission (GET) and take the reviewer's decision (POST)."""
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404("No such case.")
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    change_url = reverse("admin:rma_case_change", args=[case.pk])
    may_review = case.status == Case.Status.UNDER_REVIEW and can_take(
        transition_for(Action.ACCEPT), case=case, user=request.user
    )
    form = ReviewForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST":
        if not may_review:
            model_admin.message_user(
                request, _("Nothing was changed: this case is not under review."), messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        if form.is_valid():
            meta = request_meta(request)
            try:
                if form.cleaned_data["decision"] == "accept":
                    case = case_accept(case=case, actor=request.user, meta=meta)
                    done = _("Accepted: the case is now “%(status)s”.")
                else:
                    case = submission_send_back(
                        case=case,
                        actor=request.user,
                        parts=form.cleaned_data["parts"],
                        reason=form.cleaned_data["reason"],
                        meta=meta,
                    )
                    done = _("Sent back: the case is now “%(status)s” and the customer was told why.")
            except CaseActionError as error:
                model_admin.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            model_admin.message_user(request, done % {"status": case.get_status_display()}, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": case,
        "title": _("Review of %(number)s") % {"number": case.number},
        "sections": review_sections(model_admin.admin_site, case, request.user),
        "form": form,
        "may_review": may_review,
        "change_url": change_url,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/rma/case/review.html", context)


def _case_for_step(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Case:
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404("No such case.")
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    return case


def open_parts(case: Case) -> list:
    """The needed parts of ``case`` that are not in yet: what the team may enter or waive."""
    if case.status != Case.Status.AWAITING_INFO:
        return []
    return missing_parts(case)


def _step_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    case: Case,
    *,
    title: str,
    form: forms.Form,
    submit: str,
    note: str = "",
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": case,
        "title": title,
        "form": form,
        "note": note,
        "submit": submit,
        "change_url": reverse("admin:rma_case_change", args=[case.pk]),
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/rma/case/part_step.html", context)


def part_entry_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str, key: str
) -> HttpResponse:
    """Enter one part for the customer (GET: the customer's own form; POST: its service)."""
    case = _case_for_step(model_admin, request, object_id)
    models = {model.key: model for model in open_parts(case)}
    change_url = reverse("admin:rma_case_change", args=[case.pk])
    if key not in models:
        model_admin.message_user(request, _("Nothing was changed: this part is not waiting."), messages.ERROR)
        return HttpResponseRedirect(change_url)
    part_admin = model_admin.admin_site.get_model_admin(models[key])
    posted = request.method == "POST"
    form = part_admin.entry_form(case, request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            part_admin.enter_for_customer(
                case=case, form=form, actor=request.user, meta=request_meta(request)
            )
        except CaseActionError as error:
            form.add_error(None, error.message)
        else:
            model_admin.message_user(
                request,
                _("“%(part)s” recorded for the customer; they see it as sent for them.")
                % {"part": models[key].title},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
    return _step_page(
        request,
        model_admin,
        case,
        title=_("Enter “%(part)s” for the customer") % {"part": models[key].title},
        form=form,
        submit=_("Save for the customer"),
        note=_(
            "Use what the customer sent you by email or told you; the customer will see it as sent for them."
        ),
    )


class WaiveForm(forms.Form):
    part = forms.ChoiceField(label=gettext_lazy("Part that is not needed"))
    reason = forms.CharField(
        label=gettext_lazy("Why (shown to the customer)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = [(model.key, model.title) for model in open_parts(case)]


def waive_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Waive a part that is truly not needed any more, with a reason the customer sees."""
    case = _case_for_step(model_admin, request, object_id)
    form = WaiveForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            part_waive(
                case=case,
                part_key=form.cleaned_data["part"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                meta=request_meta(request),
            )
        except CaseActionError as error:
            form.add_error(None, error.message)
        else:
            model_admin.message_user(request, _("Waived: the customer sees why."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:rma_case_change", args=[case.pk]))
    return _step_page(
        request,
        model_admin,
        case,
        title=_("Waive a part of the required information"),
        form=form,
        submit=_("Waive the part"),
    )

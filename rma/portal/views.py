"""The customer's case pages: thin views over ``rma.cases.selectors`` and ``rma.cases.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from rma.cases.http import request_meta
from rma.cases.models import Case, status_facts
from rma.cases.selectors import (
    CUSTOMER_GROUPS,
    case_for_customer,
    case_list_for_customer,
    case_number_for_customer,
    group_of_status,
)
from rma.cases.services import case_agree, case_disagree, case_message_post
from rma.cases.workflow import CaseActionError
from rma.portal import display
from rma.portal.forms import DisagreeForm, MessageForm
from rma.required.parts import part_models, required_parts
from rma_portal.page_cache import CachedCustomerPageMixin


class CaseListView(CachedCustomerPageMixin, LoginRequiredMixin, ListView):
    """``/rma/``: the customer's cases, grouped by whose move it is."""

    template_name = "rma/case_list.html"
    context_object_name = "cases"
    paginate_by = 20

    def get_queryset(self):
        cases = case_list_for_customer(user=self.request.user, status=self.request.GET.get("status") or None)
        # Each card's step tracker reads the case's parts: joined here, not fetched card by card.
        return cases.select_related(*(model.case_accessor for model in part_models()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        for case in context["page_obj"].object_list:
            group = group_of_status(case.customer_status)
            if not sections or sections[-1][0] is not group:
                sections.append((group, []))
            sections[-1][1].append(case)
        context["sections"] = sections
        context["groups"] = CUSTOMER_GROUPS
        context["status_filter"] = self.request.GET.get("status", "")
        return context


def render_case_page(
    request: HttpRequest,
    case: Case,
    *,
    disagree_form: Form | None = None,
    message_form: Form | None = None,
) -> HttpResponse:
    """The case page, with any bound form carrying its errors."""
    parts = required_parts(case)
    words = display.case_words(case, parts, events=case.customer_timeline)
    context = {
        "case": case,
        "group": group_of_status(case.customer_status),
        "status_label": status_facts(case.customer_status).label,
        "words": words,
        "current_step": display.current_step(words.steps),
        "items": [(item, display.warranty_sentence(item)) for item in case.items.all()],
        "timeline": [(event, display.event_sentence(event)) for event in case.customer_timeline],
        "can_respond": case.customer_status == Case.Status.PENDING_CONFIRM,
        "disagree_form": disagree_form or DisagreeForm(),
        "disagree_open": disagree_form is not None,
        "message_form": message_form or MessageForm(),
        # Once the customer agreed, the page lists what the solution needs from them, part by part.
        "parts": parts if status_facts(case.customer_status).customer_agreed else [],
    }
    return render(request, "rma/case_detail.html", context)


class NotFoundBeforeNotAllowedMixin:
    """A wrong method on a case the customer may not see is a 404 too: a 405 would confirm it exists."""

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        case_number_for_customer(user=request.user, number=kwargs["number"])
        return super().http_method_not_allowed(request, *args, **kwargs)


class CaseDetailView(CachedCustomerPageMixin, LoginRequiredMixin, NotFoundBeforeNotAllowedMixin, View):
    """``/rma/<number>/``: the solution, the steps, the timeline and the conversation."""

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        return render_case_page(request, case_for_customer(user=request.user, number=number))


class CaseActionView(LoginRequiredMixin, NotFoundBeforeNotAllowedMixin, View):
    """A POST-only action on one case. Others' and hidden cases are a 404 whatever the method."""

    http_method_names = ["post"]

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.case: Case | None = None

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        self.case = case_number_for_customer(user=request.user, number=number)
        return self.act(request, number)

    def act(self, request: HttpRequest, number: str) -> HttpResponse:
        """The action itself, on ``self.case``; each subclass defines it."""
        raise NotImplementedError

    def decided_revision(self) -> int | None:
        """The revision of the solution the page showed (forms of earlier releases send none)."""
        value = self.request.POST.get("revision")
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return -1  # no revision the case can have: refused as stale, with the current page

    def done(self, message: str | None = None, error: CaseActionError | None = None) -> HttpResponse:
        if error is not None:
            messages.error(self.request, error.message)
        elif message:
            messages.success(self.request, message)
        return redirect(self.case)


class CaseAgreeView(CaseActionView):
    def act(self, request: HttpRequest, number: str) -> HttpResponse:
        try:
            case = case_agree(
                case=self.case,
                actor=request.user,
                meta=request_meta(request),
                revision=self.decided_revision(),
            )
        except CaseActionError as error:
            return self.done(error=error)
        if case.status == Case.Status.AWAITING_INFO:
            return self.done(_("Thank you: you confirmed the solution. Please send the information listed."))
        return self.done(_("Thank you: you confirmed the solution. We take it from here."))


class CaseDisagreeView(CaseActionView):
    def act(self, request: HttpRequest, number: str) -> HttpResponse:
        form = DisagreeForm(request.POST)
        if not form.is_valid():
            if self.case.status != Case.Status.PENDING_CONFIRM:
                return self.done(
                    error=CaseActionError(_("Nothing was changed: this solution is no longer open."))
                )
            return render_case_page(
                request, case_for_customer(user=request.user, number=number), disagree_form=form
            )
        try:
            case_disagree(
                case=self.case,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                meta=request_meta(request),
                revision=self.decided_revision(),
            )
        except CaseActionError as error:
            return self.done(error=error)
        return self.done(
            _(
                "We received your comment. The warranty team will review it "
                "and get back to you with a solution."
            )
        )


class CaseMessageView(CaseActionView):
    def act(self, request: HttpRequest, number: str) -> HttpResponse:
        form = MessageForm(request.POST)
        if not form.is_valid():
            return render_case_page(
                request, case_for_customer(user=request.user, number=number), message_form=form
            )
        try:
            case_message_post(
                case=self.case,
                author=request.user,
                body=form.cleaned_data["body"],
                meta=request_meta(request),
            )
        except CaseActionError as error:
            return self.done(error=error)
        return self.done(_("Your message was sent to the warranty team."))

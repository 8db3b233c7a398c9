"""The public pages of support: help, and the contact form."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.limits import ClientInfo, hit_ip_limit
from rma.cases.models import Case
from rma.support.forms import SupportForm
from rma.support.help import HELP_SECTIONS, STATUS_MEANINGS
from rma.support.services import SupportRateLimited, support_request_create


class HelpView(TemplateView):
    """The help page; public, so a customer who cannot sign in can read it too."""

    template_name = "help/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = dict(Case.Status.choices)
        context.update(
            sections=HELP_SECTIONS,
            statuses=[(value, statuses[value], meaning) for value, meaning in STATUS_MEANINGS],
            code_minutes=max(1, settings.LOGIN_CODE_VALIDITY // 60),
            max_upload_mb=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            max_receipts=settings.UPLOAD_MAX_RECEIPTS,
            paypal_account=settings.PAYPAL_RECEIVING_ACCOUNT,
            support_url=settings.SUPPORT_URL,
            login_url=reverse(settings.LOGIN_URL),
            support_form_url=reverse("support"),
        )
        return context


class ContactSupportView(FormView):
    """``/support/``: the contact form for customers and signed-out visitors alike."""

    template_name = "support/contact.html"
    form_class = SupportForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"case": self.request.GET.get("case", "")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["help_url"] = reverse("help")
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        client = ClientInfo.from_request(request)
        result = hit_ip_limit(
            action="support", ip_address=client.ip_address, limit=settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR
        )
        if not result.allowed:
            return self._too_many(result.retry_after)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: SupportForm) -> HttpResponse:
        user = self.request.user
        customer = user if form.signed_in else None
        try:
            support_request_create(
                email=customer.email if customer else form.cleaned_data["email"],
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
                customer=customer,
                case=form.selected_case(),
                client=ClientInfo.from_request(self.request),
            )
        except SupportRateLimited as limited:
            form.add_error(
                None,
                _("We have just received a message from this address. Please wait %(seconds)s seconds.")
                % {"seconds": limited.retry_after},
            )
            return self.form_invalid(form)
        return redirect("support_sent")

    def _too_many(self, retry_after: int) -> HttpResponse:
        return TemplateResponse(
            self.request,
            "support/too_many_requests.html",
            {"retry_minutes": max(1, -(-retry_after // 60))},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )


class SupportSentView(TemplateView):
    """The thank-you page after a request was stored."""

    template_name = "support/sent.html"

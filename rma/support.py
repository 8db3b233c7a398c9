"""
"Contact support": a message to the warranty team from anyone, stored and emailed.

A signed-in customer writes from their own address and may pick one of their cases; a
signed-out visitor gives an email address. Both are held to the sign-in pages' limits: a
number of requests per client IP per hour, and a cooldown per email address, kept in the
shared cache (``accounts.limits``). Nothing is ever emailed to the address a visitor typed,
so the form cannot be used to send mail to a stranger.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from accounts.limits import ClientInfo, hit_ip_limit
from rma.models import Case, SupportRequest
from rma.selectors import visible_cases


class SupportRateLimited(Exception):
    """The client or the address sent too many requests; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _cooldown_key(email: str) -> str:
    return "rma:support-cooldown:" + hashlib.sha256(email.lower().encode()).hexdigest()


def support_request_create(
    *,
    email: str,
    subject: str,
    message: str,
    customer: Any | None = None,
    case: Case | None = None,
    client: ClientInfo | None = None,
) -> SupportRequest:
    """Store a support request and email it to the team after the commit.

    Raises ``SupportRateLimited`` when the address wrote less than ``SUPPORT_COOLDOWN``
    seconds ago. ``case`` must belong to ``customer`` (the form guarantees it).
    """
    if case is not None and (customer is None or case.customer_id != customer.pk):
        raise ValueError("a support request may name only one of its customer's cases")
    cooldown = settings.SUPPORT_COOLDOWN
    if cooldown > 0 and not cache.add(_cooldown_key(email), 1, timeout=cooldown):
        raise SupportRateLimited(cooldown)
    client = client or ClientInfo(ip_address=None, user_agent="")
    with transaction.atomic():
        request = SupportRequest.objects.create(
            customer=customer,
            email=email,
            subject=subject.strip(),
            message=message.strip(),
            case=case,
            ip=client.ip_address,
            user_agent=client.user_agent,
        )
        from rma.tasks import send_support_request_email

        send_support_request_email.delay_on_commit(support_request_id=request.pk)
    return request


class SupportForm(forms.Form):
    """What a visitor or customer writes; ``email`` only when signed out, ``case`` only when in."""

    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        help_text=gettext_lazy("The address you used when you wrote to the warranty team, if you did."),
        error_messages={
            "required": gettext_lazy("Enter your email address so we can answer you."),
            "invalid": gettext_lazy("Enter a full email address, like name@example.com."),
        },
    )
    case = forms.ChoiceField(label=gettext_lazy("About which RMA solution?"), required=False)
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give your message a short subject.")},
    )
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Tell us what happened. An RMA number or the text of an error message helps."),
        error_messages={"required": gettext_lazy("Write your message: it cannot be empty.")},
    )
    # Left empty by people; filled in by the simplest robots, which are then turned away.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"))

    def __init__(self, *args, user: Any, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.signed_in = user.is_authenticated and not user.is_staff
        if self.signed_in:
            del self.fields["email"]
            self.cases = {case.number: case for case in visible_cases(user=user).order_by("-created_at")}
            self.fields["case"].choices = [("", _("None in particular"))] + [
                (number, f"{number} ({case.get_status_display()})") for number, case in self.cases.items()
            ]
        else:
            del self.fields["case"]
            self.cases = {}

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write your message: it cannot be empty."))
        return message

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Give your message a short subject."))
        return subject

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def selected_case(self) -> Case | None:
        return self.cases.get(self.cleaned_data.get("case") or "")


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


def build_support_request_email(support_request: SupportRequest) -> EmailMultiAlternatives:
    """The team's copy of a support request; replies go straight to the writer."""
    case = support_request.case
    context = {
        "support_request": support_request,
        "case": case,
        "case_url": settings.SITE_URL + reverse("admin:rma_case_change", args=[case.pk]) if case else "",
        "admin_url": settings.SITE_URL
        + reverse("admin:rma_supportrequest_change", args=[support_request.pk]),
        "portal_name": settings.PORTAL_NAME,
        "support_email": settings.SUPPORT_EMAIL,
    }
    # Email subject *must not* contain newlines.
    subject = " ".join((_("Support request: %(subject)s") % {"subject": support_request.subject}).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/support/team_request.txt", context),
        to=[settings.WARRANTY_TEAM_EMAIL],
        reply_to=[support_request.email],
    )
    message.attach_alternative(render_to_string("emails/support/team_request.html", context), "text/html")
    return message

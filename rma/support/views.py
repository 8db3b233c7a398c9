"""The public pages of support: help, and the contact form."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.limits import ClientInfo, hit_ip_limit
from rma.support.forms import SupportForm
from rma.support.help import HELP_SECTIONS, status_meanings
from rma.support.models import SupportScreenshot
from rma.support.services import (
    SupportRateLimited,
    support_request_create,
    support_screenshots_drop,
    support_screenshots_held,
    support_screenshots_hold,
)
from rma_portal import private_files


class HelpView(TemplateView):
    """The help page; public, so a customer who cannot sign in can read it too."""

    template_name = "help/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            sections=HELP_SECTIONS,
            statuses=status_meanings(),
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
    """``/support/``: the contact form for customers and signed-out visitors alike.

    Screenshots that passed their checks in a refused form are kept (``held_key`` in a
    hidden field) and go with the next submission, unless the sender takes them out.
    """

    template_name = "support/contact.html"
    form_class = SupportForm

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.held_key = ""
        self.kept: list[SupportScreenshot] = []

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["kept_count"] = len(self.kept)
        return kwargs

    def get_initial(self):
        return {"case": self.request.GET.get("case", "")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            help_url=reverse("help"),
            held_key=self.held_key,
            kept=self.kept,
            room_for_screenshots=settings.SUPPORT_MAX_SCREENSHOTS - len(self.kept),
            max_megabytes=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        client = ClientInfo.from_request(request)
        result = hit_ip_limit(
            action="support", ip_address=client.ip_address, limit=settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR
        )
        if not result.allowed:
            return self._too_many(result.retry_after)
        self._load_kept(request)
        return super().post(request, *args, **kwargs)

    def _load_kept(self, request: HttpRequest) -> None:
        """The screenshots this form kept before, less those the sender unticked."""
        self.held_key = request.POST.get("held_key", "")[:64]
        kept = support_screenshots_held(held_key=self.held_key)
        still_wanted = set(request.POST.getlist("keep_screenshot"))
        support_screenshots_drop(
            held_key=self.held_key,
            screenshot_ids=[shot.pk for shot in kept if str(shot.pk) not in still_wanted],
        )
        self.kept = [shot for shot in kept if str(shot.pk) in still_wanted]
        if not self.kept:
            self.held_key = ""

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
                screenshots=form.cleaned_data["screenshots"],
                kept=self.kept,
                language=get_language(),
            )
        except SupportRateLimited as limited:
            form.add_error(
                None,
                _("We have just received a message from this address. Please wait %(seconds)s seconds.")
                % {"seconds": limited.retry_after},
            )
            return self.form_invalid(form)
        return redirect("support_sent")

    def form_invalid(self, form: SupportForm) -> HttpResponse:
        if form.good_screenshots:
            self.held_key, self.kept, all_kept = support_screenshots_hold(
                screenshots=form.good_screenshots,
                held_key=self.held_key,
                client_ip=ClientInfo.from_request(self.request).ip_address,
            )
            form.good_screenshots = []
            if not all_kept:
                form.add_error(
                    "screenshots",
                    _(
                        "We could not keep your screenshots this time: please choose them again "
                        "when you send the form."
                    ),
                )
        return super().form_invalid(form)

    def _too_many(self, retry_after: int) -> HttpResponse:
        return TemplateResponse(
            self.request,
            "support/too_many_requests.html",
            {"retry_minutes": max(1, -(-retry_after // 60))},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )


class ScreenshotFileView(View):
    """A screenshot sent with a support request, or its thumbnail: for signed-in staff only.

    Anyone else, customers included (the sender too), gets a 404, as for a file that is not there.
    """

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, screenshot_id: int, variant: str) -> HttpResponse:
        if variant not in ("image", "thumbnail") or not private_files.staff_may_view(request.user):
            raise Http404("No such file.")
        screenshot = SupportScreenshot.objects.filter(pk=screenshot_id).first()
        if screenshot is None:
            raise Http404("No such file.")
        name = screenshot.image.name if variant == "image" else screenshot.thumbnail.name
        found = private_files.stored_file_identity(
            name, original_name=screenshot.original_name, variant=variant
        )
        if found is None:
            raise Http404("No such file.")
        name, content_type, download_name = found
        return private_files.stored_file_response(
            name, content_type=content_type, download_name=download_name
        )


class SupportSentView(TemplateView):
    """The thank-you page after a request was stored."""

    template_name = "support/sent.html"

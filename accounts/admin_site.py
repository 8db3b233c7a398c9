"""The admin site: password plus an authenticator-app (TOTP) code, through django-otp."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.limits import ClientInfo
from accounts.staff_sign_in import (
    StaffBrowser,
    staff_sign_in_failed,
    staff_sign_in_refused,
    staff_sign_in_succeeded,
    staff_sign_in_wait,
)

SIGN_IN_REFUSED = _(
    "The email address, password or authenticator code is not right. Check all of them and try again."
)


def staff_browser(request: HttpRequest) -> StaffBrowser:
    """The browser on the admin's login page, named by its signed cookie (a new one if none)."""
    if not hasattr(request, "staff_browser"):
        request.staff_browser = StaffBrowser.from_cookie(
            request.COOKIES.get(settings.STAFF_BROWSER_COOKIE_NAME)
        )
    return request.staff_browser


class StaffSignInLimitsMixin:
    """
    The limits and the audit of ``accounts.staff_sign_in`` around the admin's login form,
    and one message for every refusal: a wrong password reads like a wrong authenticator
    code, so a right password cannot be recognised before the second factor.
    """

    def clean(self):
        client = ClientInfo.from_request(self.request)
        email = str(self.data.get("username", "")).strip()
        browser = staff_browser(self.request)
        wait = staff_sign_in_wait(email=email, client=client, browser=browser)
        if wait:
            staff_sign_in_refused(email=email, client=client)
            raise ValidationError(
                ngettext(
                    "Too many failed sign-ins. Please try again in %(minutes)d minute.",
                    "Too many failed sign-ins. Please try again in %(minutes)d minutes.",
                    -(-wait // 60),
                )
                % {"minutes": -(-wait // 60)},
                code="locked_out",
            )
        try:
            if settings.STAFF_TOTP_REQUIRED and not str(self.data.get("otp_token", "")).strip():
                raise ValidationError(SIGN_IN_REFUSED, code="invalid_login")
            cleaned = super().clean()
        except ValidationError:
            staff_sign_in_failed(email=email, client=client, browser=browser)
            raise ValidationError(SIGN_IN_REFUSED, code="invalid_login") from None
        self.request.staff_browser = staff_sign_in_succeeded(
            user=self.get_user(), client=client, browser=browser
        )
        return cleaned


class StaffPasswordAuthenticationForm(StaffSignInLimitsMixin, AdminAuthenticationForm):
    """The admin's password form on a local run without the second factor, with the limits."""


class StaffTOTPAuthenticationForm(StaffSignInLimitsMixin, OTPAdminAuthenticationForm):
    """
    django-otp's admin login form, limited to confirmed TOTP devices.

    Staff have exactly one authenticator app, so the device is picked for them; other
    device types (an emailed code in particular) are never accepted as the second factor.
    """

    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Enter the 6-digit code from your authenticator app."),
        invalid_token=_("That authenticator code is not right. Try the current one."),
        device_required=_("Choose the authenticator app the code comes from."),
    )

    def _chosen_device(self, user):
        if self.cleaned_data.get("otp_device"):
            device = super()._chosen_device(user)
        else:
            devices = list(TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update()[:2])
            device = devices[0] if len(devices) == 1 else None
        if not isinstance(device, TOTPDevice) or not device.confirmed:
            return None
        return device

    @staticmethod
    def device_choices(user):
        return [("", "---------")] + [
            (device.persistent_id, device.name)
            for device in TOTPDevice.objects.filter(user=user, confirmed=True)
        ]


class PortalAdminSite(OTPAdminSite):
    """
    The warranty team's admin. It requires a verified TOTP device, unless
    ``STAFF_TOTP_REQUIRED`` is off (only allowed with DEBUG), which the login page then says.
    """

    site_header = _("Warranty team")
    site_title = _("Warranty team admin")
    index_title = _("RMA administration")
    login_template = "admin/portal_login.html"

    @property
    def login_form(self):
        if settings.STAFF_TOTP_REQUIRED:
            return StaffTOTPAuthenticationForm
        return StaffPasswordAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.STAFF_TOTP_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "totp_required": settings.STAFF_TOTP_REQUIRED,
        }
        response = super().login(request, extra_context)
        # The login page names the browser, so that its failures are its own and a browser
        # its owner signed in from is told from the attacker's (accounts.staff_sign_in).
        response.set_cookie(
            settings.STAFF_BROWSER_COOKIE_NAME,
            staff_browser(request).to_cookie(),
            max_age=365 * 24 * 60 * 60,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

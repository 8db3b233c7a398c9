"""The emails of the sign-in flow, each with a text and an HTML part."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from accounts.models import LoginCodeDevice
from rma_portal.emails import build_email


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    build_email(template=f"accounts/{template}", subject=subject, to=to, context=context).send()


@sensitive_variables("code")
def send_login_code(*, device: LoginCodeDevice, code: str) -> None:
    """The sign-in code email: the code in the body only, never in the subject."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            to=device.email or device.user.email,
            subject=gettext("Your sign-in code for %(portal)s") % {"portal": settings.PORTAL_NAME},
            template="login_code",
            context={
                "code": code,
                "validity_minutes": max(1, settings.LOGIN_CODE_VALIDITY // 60),
                "valid_until": device.valid_until,
            },
        )


def send_unknown_address_notice(*, email: str) -> None:
    """The reply to a sign-in request for an address no RMA case is linked to."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            to=email,
            subject=gettext("About your sign-in request at %(portal)s") % {"portal": settings.PORTAL_NAME},
            template="unknown_address",
            context={"email": email},
        )


def send_sign_in_blocked_notice(*, email: str, blocked_hours: int) -> None:
    """Tell a customer that sign-in with a code is paused for their address, and why."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            to=email,
            subject=gettext("Sign-in to %(portal)s is paused for your address")
            % {"portal": settings.PORTAL_NAME},
            template="sign_in_blocked",
            context={"email": email, "blocked_hours": blocked_hours},
        )

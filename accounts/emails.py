"""The emails of the sign-in flow, each with a text and an HTML part."""

from django.conf import settings
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from accounts.models import LoginCodeDevice, User
from rma_portal.emails import build_email
from rma_portal.portal_name import portal_name_lazy


def _send(*, to: str, subject: str, template: str, context: dict, language: str) -> None:
    build_email(
        template=f"accounts/{template}",
        subject=subject,
        subject_params={"portal": portal_name_lazy()},
        to=to,
        context=context,
        language=language or settings.LANGUAGE_CODE,
    ).send()


@sensitive_variables("code")
def send_login_code(
    *, device: LoginCodeDevice, code: str, language: str = "", replaces_earlier: bool = False
) -> None:
    """The sign-in code email: the code in the body only, never in the subject.

    Written in ``language``, the sign-in page's; a request without one gets English.
    ``replaces_earlier``: the same request was emailed a code before, which no longer works.
    """
    _send(
        to=device.email or device.user.email,
        subject=gettext_lazy("Your sign-in code for %(portal)s"),
        template="login_code",
        context={
            "code": code,
            "validity_minutes": max(1, settings.LOGIN_CODE_VALIDITY // 60),
            "valid_until": device.valid_until,
            "replaces_earlier": replaces_earlier,
        },
        language=language,
    )


def send_unknown_address_notice(*, email: str, language: str = "") -> None:
    """The reply to a sign-in request for an address no RMA case is linked to."""
    _send(
        to=email,
        subject=gettext_lazy("About your sign-in request at %(portal)s"),
        template="unknown_address",
        context={"email": email},
        language=language,
    )


def send_sign_in_blocked_notice(*, email: str, blocked_hours: int, language: str = "") -> None:
    """Tell a customer that sign-in with a code is paused for their address, and why."""
    _send(
        to=email,
        subject=gettext_lazy("Sign-in to %(portal)s is paused for your address"),
        template="sign_in_blocked",
        context={"email": email, "blocked_hours": blocked_hours},
        language=language,
    )


def send_staff_sign_in_failures_notice(*, user: User) -> None:
    """Tell a member of staff of a burst of failed sign-ins to their admin account, and what to do."""
    _send(
        to=user.email,
        subject=gettext_lazy("Failed sign-ins to your %(portal)s admin account"),
        template="staff_sign_in_failures",
        context={
            "email": user.email,
            "failures": settings.STAFF_SIGN_IN_MAX_FAILURES,
            "minutes": max(1, settings.STAFF_SIGN_IN_COOL_OFF // 60),
        },
        language=user.language,
    )

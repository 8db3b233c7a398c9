"""The emails of a support request: the team's copy, and the sender's acknowledgement."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rma.cases.event_emails import case_admin_url, language_of, team_language
from rma.support.models import SupportRequest, SupportScreenshot
from rma_portal.emails import build_email


def screenshot_url(screenshot: SupportScreenshot, variant: str = "image") -> str:
    """Where staff open a screenshot (signed in; nobody else may)."""
    return reverse("support_screenshot", kwargs={"screenshot_id": screenshot.pk, "variant": variant})


def build_support_request_email(support_request: SupportRequest) -> EmailMultiAlternatives:
    """The team's copy of a support request; replies go straight to the writer."""
    case = support_request.case
    screenshots = list(support_request.screenshots.all())
    return build_email(
        template="support/team_request",
        subject=_("Support request %(reference)s: %(subject)s"),
        subject_params={"reference": support_request.reference, "subject": support_request.subject},
        to=settings.WARRANTY_TEAM_EMAIL,
        language=team_language(case) if case else language_of(None),
        reply_to=[support_request.email],
        context={
            "support_request": support_request,
            "case": case,
            "case_url": case_admin_url(case) if case else "",
            "admin_url": settings.SITE_URL
            + reverse("admin:rma_supportrequest_change", args=[support_request.pk]),
            "screenshots": [(shot, settings.SITE_URL + screenshot_url(shot)) for shot in screenshots],
        },
    )


def build_support_acknowledgement_email(support_request: SupportRequest) -> EmailMultiAlternatives:
    """The sender's receipt, in their language, with the reference number to quote.

    Only a signed-in customer's own words (the subject) are repeated: an address a visitor
    typed gets nothing the visitor wrote.
    """
    return build_email(
        template="support/acknowledgement",
        subject=_("We received your message (%(reference)s)"),
        subject_params={"reference": support_request.reference},
        to=support_request.email,
        language=support_request.language or language_of(support_request.customer),
        context={
            "support_request": support_request,
            "reference": support_request.reference,
            "repeat_subject": support_request.customer_id is not None,
            "screenshot_count": support_request.screenshots.count(),
        },
    )

"""The team's copy of a support request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rma.cases.emails import case_admin_url, language_of, team_language
from rma.support.models import SupportRequest
from rma_portal.emails import build_email


def build_support_request_email(support_request: SupportRequest) -> EmailMultiAlternatives:
    """The team's copy of a support request; replies go straight to the writer."""
    case = support_request.case
    return build_email(
        template="support/team_request",
        subject=_("Support request: %(subject)s"),
        subject_params={"subject": support_request.subject},
        to=settings.WARRANTY_TEAM_EMAIL,
        language=team_language(case) if case else language_of(None),
        reply_to=[support_request.email],
        context={
            "support_request": support_request,
            "case": case,
            "case_url": case_admin_url(case) if case else "",
            "admin_url": settings.SITE_URL
            + reverse("admin:rma_supportrequest_change", args=[support_request.pk]),
        },
    )

"""
The one way an email is built: a subject, a text part and an HTML part, rendered from
``templates/emails/<name>.txt`` and ``.html`` (both extend the shared layout) with one
context that every template can rely on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rma_portal.outbox import email_key
from rma_portal.portal_name import portal_name_lazy


def email_context(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What every email template may use, under these names, plus ``extra``."""
    return {
        "portal_name": portal_name_lazy(),
        "support_email": settings.SUPPORT_EMAIL,
        "support_url": settings.SUPPORT_URL,
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        **(extra or {}),
    }


def build_email(
    *,
    template: str,
    subject: str,
    to: str,
    context: Mapping[str, Any] | None = None,
    reply_to: Sequence[str] = (),
    language: str | None = None,
    subject_params: Mapping[str, Any] | None = None,
    message_id_tag: str = "",
) -> EmailMultiAlternatives:
    """An unsent message: ``template`` names ``emails/<template>.txt`` and ``.html``.

    ``subject`` is a lazily translated string (``gettext_lazy``), filled in with
    ``subject_params`` after translation. With ``language`` (the recipient's) the subject
    and bodies are written in that language; otherwise in the active one. ``message_id_tag``
    goes into the Message-ID (``rma_portal.outbox.email_key``), for replies to find.
    """
    context = email_context(context)
    with translation.override(language) if language else nullcontext():
        subject = str(subject) % subject_params if subject_params else str(subject)
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    # Email subject *must not* contain newlines.
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=list(reply_to) or None,
    )
    key = email_key(settings.EMAIL_MESSAGE_ID_DOMAIN, message_id_tag)
    if key is not None:
        message.extra_headers["Message-ID"] = key
    message.attach_alternative(html, "text/html")
    return message

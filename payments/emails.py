"""
The emails of supplementary payments: the invoice link to the customer, the invoice request
to the team. Builders return an unsent message; ``payments.tasks`` sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rma.cases.emails import answerable, case_admin_url, language_of, team_address, team_language
from rma.cases.models import ADVANCE_RETURN_WINDOW, Action, CaseEvent
from rma_portal.emails import build_email


def _build(*, template: str, subject: str, to: str, context: dict, language: str) -> EmailMultiAlternatives:
    return build_email(
        template=f"payments/{template}",
        subject=subject,
        subject_params={"number": context["case"].number},
        to=to,
        context=context,
        language=language,
        **answerable(context["case"], to),
    )


def build_payment_email(event: CaseEvent) -> EmailMultiAlternatives | None:
    """The email a payment event sends, if any."""
    case = event.case
    if event.action == Action.INVOICE_SENT:
        return _build(
            template="invoice_link",
            subject=_("%(number)s: your PayPal invoice link"),
            to=case.customer.email,
            language=language_of(case.customer),
            context={
                "case": case,
                "invoice_link": event.data.get("link", ""),
                # Events written before this was kept came only from a request.
                "customer_asked": event.data.get("asked", True),
                "case_url": settings.SITE_URL + reverse("payments:payment", kwargs={"number": case.number}),
            },
        )
    hold_emails = {
        Action.HOLD_PLACE: ("hold_placed", _("%(number)s: the PayPal hold is placed")),
        Action.HOLD_VOID: ("hold_released", _("%(number)s: the PayPal hold is released")),
        Action.HOLD_CAPTURED: ("hold_captured", _("%(number)s: the PayPal hold was captured")),
    }
    if event.action in hold_emails:
        template, subject = hold_emails[event.action]
        return _build(
            template=template,
            subject=subject,
            to=case.customer.email,
            language=language_of(case.customer),
            context={
                "case": case,
                "amount": event.data.get("amount", ""),
                "currency": event.data.get("currency", ""),
                "return_days": ADVANCE_RETURN_WINDOW.days,
                "case_url": settings.SITE_URL + case.get_absolute_url(),
            },
        )
    if event.action == Action.HOLD_ERROR:
        return _build(
            template="team_hold_failed",
            subject=_("%(number)s: PayPal refused to settle the hold"),
            to=team_address(case),
            language=team_language(case),
            context={"case": case, "error": event.data.get("error", ""), "case_url": case_admin_url(case)},
        )
    if event.action == Action.INVOICE_REQUEST:
        return _build(
            template="team_invoice_request",
            subject=_("%(number)s: the customer asks for a PayPal invoice link"),
            to=team_address(case),
            language=team_language(case),
            context={"case": case, "case_url": case_admin_url(case)},
        )
    return None

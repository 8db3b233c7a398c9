"""
The emails of supplementary payments: the invoice link to the customer, the invoice request
to the team. Builders return an unsent message; ``payments.tasks`` sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from rma.emails import team_address
from rma.models import CaseEvent


def _build(*, template: str, subject: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {"portal_name": settings.PORTAL_NAME, "support_email": settings.SUPPORT_EMAIL, **context}
    # Email subject *must not* contain newlines.
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/payments/{template}.txt", context)
    html = render_to_string(f"emails/payments/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def build_payment_email(event: CaseEvent) -> EmailMultiAlternatives | None:
    """The email a payment event sends, if any."""
    from payments.services import PaymentAction

    case = event.case
    if event.action == PaymentAction.INVOICE_SENT:
        return _build(
            template="invoice_link",
            subject=_("RMA %(number)s: your PayPal invoice link") % {"number": case.number},
            to=case.customer.email,
            context={
                "case": case,
                "invoice_link": event.data.get("link", ""),
                "case_url": settings.SITE_URL + reverse("payments:payment", kwargs={"number": case.number}),
            },
        )
    if event.action == PaymentAction.INVOICE_REQUEST:
        return _build(
            template="team_invoice_request",
            subject=_("%(number)s: the customer asks for a PayPal invoice link") % {"number": case.number},
            to=team_address(case),
            context={"case": case, "case_url": settings.SITE_URL + f"/admin/rma/case/{case.pk}/change/"},
        )
    return None

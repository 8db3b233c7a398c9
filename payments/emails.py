"""
The emails of payments' events (the table ``TABLE``, read by ``rma.cases.event_emails`` when
an event is written): the invoice link to the customer, the invoice request to the team, the
PayPal hold placed, released or captured, and a hold PayPal refused to settle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rma.cases.event_emails import TEAM, EmailTable, EventEmail
from rma.cases.models import ADVANCE_RETURN_WINDOW, Action, CaseEvent


def _invoice(event: CaseEvent) -> Mapping[str, Any]:
    return {
        "invoice_link": event.data.get("link", ""),
        # Events written before this was kept came only from a request.
        "customer_asked": event.data.get("asked", True),
        "case_url": settings.SITE_URL + reverse("payments:payment", kwargs={"number": event.case.number}),
    }


def _hold(event: CaseEvent) -> Mapping[str, Any]:
    return {
        "amount": event.data.get("amount", ""),
        "currency": event.data.get("currency", ""),
        "return_days": ADVANCE_RETURN_WINDOW.days,
    }


def _error(event: CaseEvent) -> Mapping[str, Any]:
    return {"error": event.data.get("error", "")}


# Every email of a payment event: its template (``templates/emails/payments/<name>``), its
# subject, whether the team gets it, and what its template reads of the event.
EMAILS = {
    "invoice_link": EventEmail(_("%(number)s: your PayPal invoice link"), context=_invoice),
    "hold_placed": EventEmail(_("%(number)s: the PayPal hold is placed"), context=_hold),
    "hold_released": EventEmail(_("%(number)s: the PayPal hold is released"), context=_hold),
    "hold_captured": EventEmail(_("%(number)s: the PayPal hold was captured"), context=_hold),
    "team_hold_failed": EventEmail(
        _("%(number)s: PayPal refused to settle the hold"), to=TEAM, context=_error
    ),
    "team_invoice_request": EventEmail(_("%(number)s: the customer asks for a PayPal invoice link"), to=TEAM),
}
EMAIL_OF_ACTION = {
    Action.INVOICE_SENT: "invoice_link",
    Action.HOLD_PLACE: "hold_placed",
    Action.HOLD_VOID: "hold_released",
    Action.HOLD_CAPTURED: "hold_captured",
    Action.HOLD_ERROR: "team_hold_failed",
    Action.INVOICE_REQUEST: "team_invoice_request",
}


def choose(event: CaseEvent) -> tuple[str, ...]:
    """The payment email of ``event``: one per action of the table, whoever took it."""
    email = EMAIL_OF_ACTION.get(event.action, "")
    return (email,) if email else ()


TABLE = EmailTable(app="payments", emails=EMAILS, choose=choose)

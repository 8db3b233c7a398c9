"""The timeline and the items' warranty, as the customer reads them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rma.cases.models import Action, CaseEvent
from rma.portal.display.dates import day
from rma.required.parts import part_models
from rma_portal.formats import format_money


def event_sentence(event: CaseEvent) -> str:
    """One timeline entry as the customer reads it."""
    sentences = {
        Action.PUBLISH: _("The warranty team offered this solution."),
        Action.APPROVE: _("The warranty team offered this solution."),
        Action.AGREE: _("The solution was confirmed."),
        Action.DISAGREE: _("The solution was rejected."),
        Action.REVISE: _("The warranty team revised the solution."),
        Action.CANCEL: _("The warranty team closed this RMA solution."),
        Action.MARK_INFO_COMPLETE: _("All the required information was received."),
        Action.ACCEPT: _("The warranty team accepted the information."),
        Action.REQUEST_INFO: _("The warranty team asked for information again."),
        Action.COMPLETE: _("The RMA solution was completed."),
        Action.INVOICE_SENT: _("A PayPal invoice link was sent to you."),
        Action.PART_WAIVE: _("The warranty team decided part of the information is not needed."),
        Action.HOLD_CANCEL: _("No PayPal hold was placed; the choice of method is open again."),
        Action.RECEIVE_RETURN: _("Your returned item arrived. The PayPal hold is being released."),
        Action.CAPTURE_HOLD: _("The return did not arrive in time: the PayPal hold is being charged."),
        Action.EXTEND_RETURN: _("The warranty team gave you more time to send the item back."),
    }
    amount = (
        format_money(event.data.get("amount") or 0, event.data.get("currency", ""))
        if event.data.get("amount")
        else ""
    )
    if event.action == Action.HOLD_PLACE:
        return _("PayPal now holds %(amount)s on your account until your return arrives.") % {
            "amount": amount
        }
    if event.action == Action.HOLD_VOID:
        return _("The PayPal hold of %(amount)s was released; nothing was charged.") % {"amount": amount}
    if event.action == Action.HOLD_CAPTURED:
        return _("The held %(amount)s was charged.") % {"amount": amount}
    if event.action == Action.SHIP_AHEAD:
        return _(
            "Your replacement was shipped ahead of your return with %(carrier)s, "
            "tracking number %(tracking)s."
        ) % {
            "carrier": event.data.get("outbound_carrier", ""),
            "tracking": event.data.get("outbound_tracking_number", ""),
        }
    # Each part says how its submission reads (``RequiredPart.submitted_sentence``).
    sentences.update(
        {model.submit_action: model.submitted_sentence for model in part_models() if model.submitted_sentence}
    )
    text = str(sentences.get(event.action, Action(event.action).label))
    if event.action == Action.COMPLETE:
        if event.data.get("outbound_tracking_number"):
            text += " " + _("Shipped with %(carrier)s, tracking number %(tracking)s.") % {
                "carrier": event.data.get("outbound_carrier", ""),
                "tracking": event.data["outbound_tracking_number"],
            }
        elif event.data.get("refund_reference"):
            text += " " + _("Refund reference: %(reference)s.") % {
                "reference": event.data["refund_reference"]
            }
    return text


# --- An item's warranty -------------------------------------------------------------------


def warranty_sentence(item) -> str:
    """Whether ``item`` was in warranty when the case was opened, and until when, in plain words."""
    verdict = item.warranty
    if verdict.in_warranty:
        return _("In warranty: covered until %(date)s.") % {"date": day(verdict.ends_on)}
    return _("Out of warranty: the warranty ended on %(date)s.") % {"date": day(verdict.ends_on)}

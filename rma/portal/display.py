"""
How a case reads to its customer: the solution in plain words, whose move it is, and what
each timeline entry means. Wording only; the rules stay in ``rma.models``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rma.cases.deadlines import case_due_at
from rma.cases.models import Action, Case, CaseEvent
from rma_portal.formats import format_money


def money(amount, currency: str) -> str:
    return format_money(amount, currency)


def solution_sentences(case: Case) -> list[str]:
    """What the customer gets, in one or two plain sentences."""
    if case.solution_type == Case.SolutionType.REFUND:
        if case.refund_amount is not None:
            sentences = [
                _("We refund you %(amount)s.") % {"amount": money(case.refund_amount, case.refund_currency)}
            ]
        else:
            sentences = [_("We refund you for the items below.")]
    elif case.solution_type == Case.SolutionType.REPLACEMENT:
        sentences = [_("We send you a replacement for the items below.")]
    else:
        sentences = [_("We send you the items below again.")]
    if case.solution_note:
        sentences.append(case.solution_note)
    return sentences


def customer_steps(case: Case) -> list[str]:
    """What the customer must do once they agree, in the order they usually do it."""
    steps = []
    if case.offers_advance_replacement:
        steps.append(
            _(
                "Choose how you get the replacement: send the item first, or get the replacement "
                "first against a PayPal hold of %(amount)s."
            )
            % {"amount": money(case.hold_amount, case.hold_currency)}
        )
    if case.requires_return:
        steps.append(
            _(
                "Send the items back to our warehouse (address below) with a tracked shipping "
                "method, then give us the tracking number and photos of the label and the receipt."
            )
        )
    if case.requires_payment:
        steps.append(
            _("Pay the supplementary amount of %(amount)s and send us the payment proof.")
            % {"amount": money(case.payment_amount, case.payment_currency)}
        )
    if case.requires_shipping_address:
        steps.append(
            _("Confirm the address we ship to (the country stays %(country)s).") % {"country": case.country}
        )
    return steps


@dataclass(frozen=True)
class NextStep:
    """Whose move it is on a case, what that move is, and by when."""

    yours: bool
    text: str
    due: datetime.datetime | None = None


def next_step(case: Case) -> NextStep:
    """The "next step" box of the case page."""
    status = case.status
    # One due time per status, set by the transition that started it (rma.cases.deadlines).
    customer_due = team_due = case_due_at(case)
    if status == Case.Status.PENDING_CONFIRM:
        return NextStep(
            True,
            _("Your move: read the solution, then agree to it, or disagree and tell us what you need."),
            customer_due,
        )
    if status == Case.Status.AWAITING_INFO:
        return NextStep(True, _("Your move: send us the information listed below."), customer_due)
    if status == Case.Status.DISAGREED:
        return NextStep(
            False, _("Our move: the warranty team reviews your comment and revises the solution."), team_due
        )
    if status == Case.Status.UNDER_REVIEW:
        return NextStep(False, _("Our move: the warranty team checks what you sent."), team_due)
    if status == Case.Status.PROCESSING:
        if case.solution_type == Case.SolutionType.REFUND:
            return NextStep(False, _("Our move: the warranty team sends your refund."), team_due)
        return NextStep(False, _("Our move: the warranty team ships your items."), team_due)
    if status == Case.Status.AWAITING_RETURN:
        return NextStep(
            True,
            _(
                "Your move: your replacement is on its way. Send the original item back and give "
                "us the return information below; when it arrives we release the PayPal hold."
            ),
            customer_due,
        )
    if status == Case.Status.COMPLETED:
        return NextStep(False, _("Nothing left to do: this RMA solution is complete."))
    return NextStep(False, _("Nothing left to do: this RMA solution was closed."))


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
        Action.RETURN_SUBMIT: _("Your return information was received."),
        Action.ADDRESS_CONFIRM: _("Your shipping address was received."),
        Action.PAYMENT_SUBMIT: _("Your payment proof was received."),
        Action.INVOICE_SENT: _("A PayPal invoice link was sent to you."),
        Action.PART_WAIVE: _("The warranty team decided part of the information is not needed."),
        Action.METHOD_CHOOSE: _("You chose how to get your replacement."),
        Action.HOLD_CANCEL: _("No PayPal hold was placed; the choice of method is open again."),
        Action.RECEIVE_RETURN: _("Your returned item arrived. The PayPal hold is being released."),
        Action.CAPTURE_HOLD: _("The return did not arrive in time: the PayPal hold is being charged."),
        Action.EXTEND_RETURN: _("The warranty team gave you more time to send the item back."),
    }
    amount = (
        money(event.data.get("amount") or 0, event.data.get("currency", ""))
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
    text = sentences.get(event.action, Action(event.action).label)
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

"""Reading PayPal's answers about a hold, and what every hold write shares."""

from __future__ import annotations

import datetime
from decimal import Decimal

from payments import paypal
from payments.models import ReplacementChoice
from rma.cases.models import (
    ADVANCE_RETURN_WINDOW,
    Case,
)

# The hold is flagged to the team this long after it was placed (the window a hold placed
# and shipped at once would give; PayPal lets it go on day 29 whatever happened since).
HOLD_FLAG_AFTER = ADVANCE_RETURN_WINDOW
# A release or capture still on its way after this long (its task and the outbox's relay gave
# up) is handed to its task again by the watch.
SETTLING_RESUME_AFTER = datetime.timedelta(hours=6)

# What PayPal's issue codes mean, for the team (stored with the raw answer beside them).
PAYPAL_ISSUE_WORDS = {
    "AUTHORIZATION_EXPIRED": "the authorization has expired",
    "AUTHORIZATION_VOIDED": "the authorization was released already",
    "AUTHORIZATION_ALREADY_CAPTURED": "the authorization was captured already",
    "INSTRUMENT_DECLINED": "the customer's funding source was declined",
    "ORDER_NOT_APPROVED": "the customer has not approved the order on PayPal",
    "ORDER_ALREADY_AUTHORIZED": "the order was authorized already",
    "PAYER_ACTION_REQUIRED": "the customer still has to act on PayPal",
    "RESOURCE_NOT_FOUND": "PayPal does not know it",
    "INVALID_RESOURCE_ID": "PayPal does not know it",
    "AUTHENTICATION_FAILURE": "PayPal refused the portal's credentials",
    "NOT_AUTHORIZED": "the portal's PayPal account may not do this",
    "PERMISSION_DENIED": "the portal's PayPal account may not do this",
    "INVALID_REQUEST": "PayPal found the request invalid",
    "UNPROCESSABLE_ENTITY": "PayPal could not process the request",
    "RESOURCE_CONFLICT": "PayPal is busy with another request about it",
    "RATE_LIMIT_REACHED": "too many requests: PayPal asks to wait",
    "PREVIOUS_REQUEST_IN_PROGRESS": "PayPal is still busy with the same request",
}
# PayPal refuses these for now only: asking again later may work.
PASSING_ISSUES = frozenset({"RATE_LIMIT_REACHED", "RESOURCE_CONFLICT", "PREVIOUS_REQUEST_IN_PROGRESS"})


def paypal_words(error: paypal.PayPalError) -> str:
    """What PayPal answered, in the team's words, with PayPal's own answer beside them."""
    if isinstance(error, paypal.PayPalTimeout):
        words = "PayPal did not answer in time"
    elif isinstance(error, paypal.PayPalUnavailable):
        words = "PayPal is unavailable"
    else:
        words = PAYPAL_ISSUE_WORDS.get(getattr(error, "issue", ""), "PayPal refused")
    return f"{words[0].upper()}{words[1:]} ({error})"[:300]


def worth_asking_again(error: paypal.PayPalError) -> bool:
    """Whether PayPal may answer otherwise in a while (down, slow, rate-limited, busy)."""
    return isinstance(error, paypal.PayPalUnavailable) or getattr(error, "issue", "") in PASSING_ISSUES


def _same_money(amount: Decimal | None, currency: str, choice: ReplacementChoice) -> bool:
    return (
        amount is not None
        and choice.amount is not None
        and Decimal(amount) == Decimal(choice.amount)
        and currency.upper() == (choice.currency or "").upper()
    )


def order_problem(order: paypal.HoldOrder, *, choice: ReplacementChoice, reference: str) -> str:
    """Why the order PayPal created is not the one asked for, in the team's words ("" if it is)."""
    if order.status not in ("CREATED", "PAYER_ACTION_REQUIRED"):
        return f"PayPal created the order {order.order_id} with status {order.status or 'none'}."
    if not _same_money(order.amount, order.currency, choice):
        return (
            f"PayPal created the order {order.order_id} for {order.amount} {order.currency}, "
            f"not {choice.amount} {choice.currency}."
        )
    if order.reference != reference:
        return f"PayPal created the order {order.order_id} for reference {order.reference or 'none'}."
    return ""


def authorization_problem(
    authorization: paypal.Authorization, *, choice: ReplacementChoice, reference: str
) -> str:
    """Why PayPal's authorization is not the hold asked for, in the team's words ("" if it is):
    a hold is recorded only when PayPal says CREATED for the amount, currency and order asked."""
    named = authorization.authorization_id or "without an ID"
    if authorization.status != "CREATED":
        return f"PayPal answered the authorization {named} with status {authorization.status or 'none'}."
    if not _same_money(authorization.amount, authorization.currency, choice):
        return (
            f"PayPal authorized {authorization.amount} {authorization.currency} ({named}), "
            f"not {choice.amount} {choice.currency}."
        )
    if authorization.order_id != choice.order_id or authorization.reference != reference:
        return (
            f"PayPal's authorization {named} belongs to order {authorization.order_id or 'none'} "
            f"(reference {authorization.reference or 'none'}), not {choice.order_id} ({reference})."
        )
    return ""


def _locked_choice(case: Case) -> ReplacementChoice | None:
    return ReplacementChoice.objects.select_for_update().filter(case=case).first()

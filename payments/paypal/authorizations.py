"""Holds: an order with intent AUTHORIZE, its authorization, its capture or release."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from payments.paypal.client import _call, _money
from payments.paypal.errors import PayPalRefused, PayPalUnavailable

AUTHORIZATION_VALIDITY = timedelta(days=29)


@dataclass(frozen=True)
class HoldOrder:
    """An order PayPal created for a hold, and the page where the payer approves it; the
    amount, currency and reference are as PayPal gave them back, for the caller to check."""

    order_id: str
    status: str
    approval_url: str
    amount: Decimal | None = None
    currency: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Authorization:
    """An authorization of a hold: PayPal holds ``amount`` on the payer's account until ``expires_at``.

    ``order_id`` and ``reference`` (the purchase unit's ``reference_id``) are those of the
    order PayPal authorized, when the answer names them.
    """

    authorization_id: str
    status: str
    amount: Decimal | None
    currency: str
    expires_at: datetime | None
    order_id: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Capture:
    """The money of a hold taken for good."""

    capture_id: str
    status: str
    amount: Decimal | None = None
    currency: str = ""


def _parse_paypal_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _authorization_of(answer: dict) -> Authorization:
    amount = answer.get("amount") or {}
    return Authorization(
        authorization_id=str(answer.get("id", "")),
        status=str(answer.get("status", "")),
        amount=_money(amount.get("value")),
        currency=str(amount.get("currency_code", "")).upper(),
        expires_at=_parse_paypal_time(answer.get("expiration_time")),
    )


def create_hold_order(
    *,
    amount: Decimal,
    currency: str,
    reference: str,
    description: str,
    return_url: str,
    cancel_url: str,
    request_id: str,
) -> HoldOrder:
    """Create an order with ``intent=AUTHORIZE`` for ``amount``; the payer approves it at ``approval_url``."""
    body = {
        "intent": "AUTHORIZE",
        "purchase_units": [
            {
                "reference_id": reference,
                "custom_id": reference,
                "description": description[:127],
                "amount": {"currency_code": currency.upper(), "value": f"{Decimal(amount):.2f}"},
            }
        ],
        "payment_source": {
            "paypal": {
                "experience_context": {
                    "return_url": return_url,
                    "cancel_url": cancel_url,
                    "shipping_preference": "NO_SHIPPING",
                    "user_action": "CONTINUE",
                }
            }
        },
    }
    answer = _call(
        "POST",
        "v2/checkout/orders",
        body,
        headers={"PayPal-Request-Id": request_id, "Prefer": "return=representation"},
    )
    links = {link.get("rel"): link.get("href", "") for link in answer.get("links") or []}
    approval_url = links.get("payer-action") or links.get("approve") or ""
    if not answer.get("id") or not approval_url:
        raise PayPalRefused("PayPal created an order but gave no approval link.")
    unit = (answer.get("purchase_units") or [{}])[0] or {}
    amount = unit.get("amount") or {}
    return HoldOrder(
        order_id=str(answer["id"]),
        status=str(answer.get("status", "")),
        approval_url=approval_url,
        amount=_money(amount.get("value")),
        currency=str(amount.get("currency_code", "")).upper(),
        reference=str(unit.get("reference_id", "")),
    )


def _order_authorization(order: dict) -> Authorization | None:
    for unit in order.get("purchase_units") or []:
        for authorization in (unit.get("payments") or {}).get("authorizations") or []:
            found = _authorization_of(authorization)
            return replace(
                found, order_id=str(order.get("id", "")), reference=str(unit.get("reference_id", ""))
            )
    return None


def _authorized_order(order_id: str) -> dict:
    """The order PayPal says it authorized already. Not being able to read it leaves the
    hold's fate unknown (PayPal may hold the money), so it is worth asking again, never a
    refusal."""
    try:
        return _call("GET", f"v2/checkout/orders/{order_id}")
    except PayPalRefused as error:
        raise PayPalUnavailable(f"PayPal says order {order_id} is authorized already: {error}") from None


def authorize_order(*, order_id: str, request_id: str) -> Authorization:
    """Authorize an order the payer approved: the hold is placed. An order authorized
    already (an earlier try whose answer was lost) gives that authorization back."""
    try:
        answer = _call(
            "POST",
            f"v2/checkout/orders/{order_id}/authorize",
            {},
            headers={"PayPal-Request-Id": request_id, "Prefer": "return=representation"},
        )
    except PayPalRefused as error:
        if error.issue != "ORDER_ALREADY_AUTHORIZED":
            raise
        answer = _authorized_order(order_id)
    authorization = _order_authorization(answer)
    if authorization is None or not authorization.authorization_id:
        raise PayPalRefused(f"PayPal authorized order {order_id} but gave no authorization.")
    return authorization


def get_authorization(*, authorization_id: str) -> Authorization:
    """What PayPal says about an authorization now."""
    return _authorization_of(_call("GET", f"v2/payments/authorizations/{authorization_id}"))


def void_authorization(*, authorization_id: str, request_id: str) -> Authorization:
    """Release a hold: PayPal frees the money on the payer's account. One released
    already counts as done."""
    try:
        _call(
            "POST",
            f"v2/payments/authorizations/{authorization_id}/void",
            {},
            headers={"PayPal-Request-Id": request_id},
        )
    except PayPalRefused as error:
        if error.issue not in ("AUTHORIZATION_ALREADY_VOIDED", "PREVIOUSLY_VOIDED"):
            raise
    return get_authorization(authorization_id=authorization_id)


def capture_authorization(*, authorization_id: str, invoice_id: str, request_id: str) -> Capture:
    """Take the held money for good (the whole amount, final)."""
    answer = _call(
        "POST",
        f"v2/payments/authorizations/{authorization_id}/capture",
        {"final_capture": True, "invoice_id": invoice_id},
        headers={"PayPal-Request-Id": request_id, "Prefer": "return=representation"},
    )
    if not answer.get("id"):
        raise PayPalRefused(f"PayPal captured authorization {authorization_id} but gave no capture.")
    amount = answer.get("amount") or {}
    return Capture(
        capture_id=str(answer["id"]),
        status=str(answer.get("status", "")),
        amount=_money(amount.get("value")),
        currency=str(amount.get("currency_code", "")).upper(),
    )

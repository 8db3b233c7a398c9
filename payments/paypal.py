"""
The PayPal gateway: the only module that talks to PayPal.

It rests on paypalrestsdk's ``Api`` client for the OAuth token (fetched, cached, renewed)
and the HTTP exchange, pointed at PayPal's current REST hosts (``api-m``). Two things the
SDK leaves out are added here: a timeout on every request (the SDK sets none, so a stalled
PayPal would hang a worker) and a quiet SDK logger (in sandbox mode it logs request headers,
credentials included, at debug level).

Callers check ``is_configured()`` first: without credentials the portal works and agents
verify payments by hand. Everything else raises a ``PayPalError`` subclass:
``PayPalUnavailable`` (down, slow, 5xx: worth retrying later) or ``PayPalRefused`` (PayPal
said no to the request itself: retrying will not help).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

import paypalrestsdk
import requests
from django.conf import settings
from django.utils import timezone
from paypalrestsdk import exceptions as sdk_errors

logger = logging.getLogger(__name__)

ENDPOINTS = {
    "sandbox": "https://api-m.sandbox.paypal.com",
    "live": "https://api-m.paypal.com",
}
# Transaction Search accepts a window of at most 31 days, and a payment can take up to
# three hours to show up in it.
SEARCH_WINDOW = timedelta(days=31)
SEARCH_DELAY = timedelta(hours=3)
TRANSACTION_ID = re.compile(r"^[A-Z0-9]{17}$")


def _quiet_sdk_logger() -> None:
    logging.getLogger("paypalrestsdk").setLevel(logging.WARNING)


_quiet_sdk_logger()


class PayPalError(Exception):
    """Anything that kept a PayPal call from giving an answer."""


class PayPalNotConfigured(PayPalError):
    """No PayPal credentials: the caller skips PayPal and people do the job by hand."""


class PayPalUnavailable(PayPalError):
    """PayPal is down, unreachable or answered with a server error: try again later."""


class PayPalTimeout(PayPalUnavailable):
    """PayPal did not answer within ``PAYPAL_TIMEOUT`` seconds."""


class PayPalRefused(PayPalError):
    """PayPal refused the request (bad credentials, permissions, invalid data).

    ``issue`` is PayPal's name for the reason when it gave one (``ORDER_NOT_APPROVED``).
    """

    def __init__(self, message: str, issue: str = ""):
        super().__init__(message)
        self.issue = issue


class PayPalDuplicateInvoice(PayPalRefused):
    """An invoice with this number exists already (an earlier try created it)."""


class TransactionStatus:
    """Transaction Search's one-letter status codes, in words."""

    COMPLETED = "completed"
    PENDING = "pending"
    DENIED = "denied"
    REVERSED = "reversed"
    NOT_FOUND = "not_found"
    CODES = {"S": COMPLETED, "P": PENDING, "D": DENIED, "V": REVERSED}


@dataclass(frozen=True)
class TransactionLookup:
    """What PayPal knows about one transaction ID received on our account."""

    transaction_id: str
    found: bool
    status: str
    amount: Decimal | None = None
    currency: str = ""
    payer_email: str = ""

    def matches(self, *, amount: Decimal, currency: str) -> bool:
        """Completed, for exactly the amount and currency that were due."""
        return (
            self.found
            and self.status == TransactionStatus.COMPLETED
            and self.amount == Decimal(amount)
            and self.currency.upper() == currency.upper()
        )


@dataclass(frozen=True)
class SentInvoice:
    """An invoice PayPal created and sent, with the link the payer opens."""

    invoice_id: str
    status: str
    payer_link: str


class TimeoutApi(paypalrestsdk.Api):
    """paypalrestsdk's client with a timeout on every request it makes, the token one too."""

    def __init__(self, *, timeout: float, **options):
        super().__init__(**options)
        self.timeout = timeout

    def request(self, url, method, body=None, headers=None, refresh_token=None):
        """The SDK's request, minus two traps: a JSON ``null`` body on GET, and endless
        recursion when PayPal keeps answering 401 to a freshly issued token."""
        for attempt in range(2):
            http_headers = {
                **self.headers(refresh_token=refresh_token, headers=headers or {}),
                **(headers or {}),
            }
            data = None if method == "GET" else json.dumps(body or {})
            try:
                return self.http_call(url, method, data=data, headers=http_headers)
            except sdk_errors.BadRequest as error:
                try:
                    return {"error": json.loads(error.content)}
                except ValueError:
                    return {"error": {"name": "BAD_REQUEST"}}
            except sdk_errors.UnauthorizedAccess:
                if attempt or not self.token_hash:
                    raise
                self.token_hash = None  # expired or revoked: fetch a new one, once
        raise AssertionError("unreachable")

    def http_call(self, url, method, **kwargs):
        kwargs["timeout"] = self.timeout
        _quiet_sdk_logger()  # a logging config loaded later must not turn it back on
        try:
            return super().http_call(url, method, **kwargs)
        except requests.Timeout:
            raise PayPalTimeout(f"PayPal did not answer within {self.timeout:g} s ({method}).") from None
        except requests.RequestException as error:
            raise PayPalUnavailable(f"PayPal could not be reached ({type(error).__name__}).") from None


@functools.lru_cache(maxsize=4)
def _client(client_id: str, client_secret: str, mode: str, base_url: str, timeout: float) -> TimeoutApi:
    # One client per configuration, so its OAuth token is reused until it expires.
    return TimeoutApi(
        timeout=timeout,
        mode=mode,
        client_id=client_id,
        client_secret=client_secret,
        endpoint=base_url,
        token_endpoint=base_url,
    )


def is_configured() -> bool:
    """Whether PayPal credentials are set."""
    return bool(settings.PAYPAL_CLIENT_ID and settings.PAYPAL_CLIENT_SECRET)


def base_url() -> str:
    """The REST host: ``PAYPAL_API_BASE_URL`` if set, else the one for ``PAYPAL_MODE``."""
    if settings.PAYPAL_API_BASE_URL:
        return settings.PAYPAL_API_BASE_URL.rstrip("/")
    try:
        return ENDPOINTS[settings.PAYPAL_MODE]
    except KeyError:
        raise PayPalNotConfigured(
            f"PAYPAL_MODE must be 'sandbox' or 'live', not {settings.PAYPAL_MODE!r}."
        ) from None


# Where PayPal shows the payer the approval page of an order.
APPROVAL_ORIGINS = {
    "sandbox": "https://www.sandbox.paypal.com",
    "live": "https://www.paypal.com",
}


def approval_origin() -> str:
    """The origin of PayPal's approval pages, which the method page's form may lead to (its
    Content-Security-Policy allows it): PayPal's own, or a stand-in PayPal's set by
    ``PAYPAL_API_BASE_URL`` that serves them itself."""
    base = base_url()
    if base in ENDPOINTS.values():
        return APPROVAL_ORIGINS["live" if base == ENDPOINTS["live"] else "sandbox"]
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def client() -> TimeoutApi:
    """The configured client; raises ``PayPalNotConfigured`` without credentials."""
    if not is_configured():
        raise PayPalNotConfigured("PayPal is not configured (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET).")
    mode = "live" if settings.PAYPAL_MODE == "live" else "sandbox"
    return _client(
        settings.PAYPAL_CLIENT_ID,
        settings.PAYPAL_CLIENT_SECRET,
        mode,
        base_url(),
        float(settings.PAYPAL_TIMEOUT),
    )


def _call(method: str, path: str, body: dict | None = None, headers: dict | None = None) -> dict:
    api = client()
    url = f"{api.endpoint}/{path.lstrip('/')}"
    try:
        if method == "GET":
            answer = api.request(url, "GET", headers=headers or {})
        else:
            answer = api.request(url, method, body=body or {}, headers=headers or {})
    except sdk_errors.ServerError as error:
        raise PayPalUnavailable(f"PayPal answered {error.response.status_code} to {method} {path}.") from None
    except sdk_errors.ResourceNotFound:
        raise
    except sdk_errors.ConnectionError as error:  # the SDK's base class for every HTTP error
        status = getattr(error.response, "status_code", "?")
        if "DUPLICATE_INVOICE_NUMBER" in (getattr(error.response, "text", "") or ""):
            raise PayPalDuplicateInvoice(f"PayPal has this invoice number already ({path}).") from None
        issue = _issue_of(error.content)
        raise PayPalRefused(
            f"PayPal refused {method} {path} ({status}{': ' + issue if issue else ''}).", issue
        ) from None
    if isinstance(answer, dict) and set(answer) == {"error"}:
        # The SDK turns a 400 into {"error": ...} instead of raising.
        details = answer["error"] if isinstance(answer["error"], dict) else {}
        raise PayPalRefused(
            f"PayPal refused {method} {path}: {details.get('name', 'bad request')}.",
            _issue_of(json.dumps(details)),
        )
    return answer if isinstance(answer, dict) else {}


def _issue_of(content: object) -> str:
    """PayPal's name for why it refused (``details[0].issue``, else ``name``), if it said."""
    try:
        answer = json.loads(content) if isinstance(content, str | bytes) and content else {}
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    details = answer.get("details") or [{}]
    return str((details[0] if isinstance(details[0], dict) else {}).get("issue") or answer.get("name") or "")


def _money(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _paypal_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def find_transaction(*, transaction_id: str, paid_before: datetime | None = None) -> TransactionLookup:
    """Look a transaction ID up with Transaction Search, in the 31 days up to ``paid_before``."""
    transaction_id = transaction_id.strip().upper()
    end = min(paid_before or timezone.now(), timezone.now())
    start = end - SEARCH_WINDOW + timedelta(minutes=1)
    query = urlencode(
        {
            "transaction_id": transaction_id,
            "start_date": _paypal_time(start),
            "end_date": _paypal_time(end),
            "fields": "transaction_info,payer_info",
        }
    )
    try:
        answer = _call("GET", f"v1/reporting/transactions?{query}")
    except sdk_errors.ResourceNotFound:
        return TransactionLookup(
            transaction_id=transaction_id, found=False, status=TransactionStatus.NOT_FOUND
        )
    details = [
        entry
        for entry in answer.get("transaction_details") or []
        if (entry.get("transaction_info") or {}).get("transaction_id", "").upper() == transaction_id
    ]
    if not details:
        return TransactionLookup(
            transaction_id=transaction_id, found=False, status=TransactionStatus.NOT_FOUND
        )
    # One ID can be listed twice (balance affecting and not); the money received is the
    # entry with a positive amount.
    details.sort(key=lambda entry: -(_money(_amount_of(entry).get("value")) or Decimal(0)))
    entry = details[0]
    info = entry.get("transaction_info") or {}
    amount = _amount_of(entry)
    code = str(info.get("transaction_status", "")).upper()
    return TransactionLookup(
        transaction_id=transaction_id,
        found=True,
        status=TransactionStatus.CODES.get(code, code.lower() or "unknown"),
        amount=_money(amount.get("value")),
        currency=str(amount.get("currency_code", "")).upper(),
        payer_email=str((entry.get("payer_info") or {}).get("email_address", "")),
    )


def _amount_of(entry: dict) -> dict:
    return (entry.get("transaction_info") or {}).get("transaction_amount") or {}


def send_invoice(
    *,
    invoice_number: str,
    recipient_email: str,
    amount: Decimal,
    currency: str,
    item_name: str,
    note: str = "",
) -> SentInvoice:
    """Create an invoice with Invoicing v2, send it to the payer and return its payer link."""
    body = {
        "detail": {
            "invoice_number": invoice_number,
            "currency_code": currency.upper(),
            "note": note,
            "payment_term": {"term_type": "DUE_ON_RECEIPT"},
        },
        "invoicer": {"email_address": settings.PAYPAL_RECEIVING_ACCOUNT},
        "primary_recipients": [{"billing_info": {"email_address": recipient_email}}],
        "items": [
            {
                "name": item_name[:200],
                "quantity": "1",
                "unit_amount": {"currency_code": currency.upper(), "value": f"{Decimal(amount):.2f}"},
            }
        ],
    }
    if not note:
        del body["detail"]["note"]
    try:
        created = _call("POST", "v2/invoicing/invoices", body, headers={"Prefer": "return=representation"})
    except PayPalDuplicateInvoice:
        # An earlier try created it but its answer was lost (a timeout): carry on with that one.
        created = _invoice_by_number(invoice_number)
    invoice_id = created.get("id") or _invoice_id_from_link(created.get("href", ""))
    if not invoice_id:
        raise PayPalRefused("PayPal created an invoice but did not say which one.")
    sent = {}
    if created.get("status", "DRAFT") == "DRAFT":
        sent = _call("POST", f"v2/invoicing/invoices/{invoice_id}/send", {"send_to_recipient": True})
    invoice = _call("GET", f"v2/invoicing/invoices/{invoice_id}")
    link = ((invoice.get("detail") or {}).get("metadata") or {}).get("recipient_view_url", "")
    if not link and sent.get("rel") == "payer-view":
        link = sent.get("href", "")
    return SentInvoice(invoice_id=invoice_id, status=str(invoice.get("status", "")), payer_link=link)


def _invoice_by_number(invoice_number: str) -> dict:
    """The invoice carrying ``invoice_number`` (Invoicing v2 search)."""
    found = _call("POST", "v2/invoicing/search-invoices", {"invoice_number": invoice_number})
    for invoice in found.get("items") or []:
        if (invoice.get("detail") or {}).get("invoice_number") == invoice_number:
            return invoice
    raise PayPalRefused(f"PayPal reports invoice number {invoice_number} as taken but cannot find it.")


def _invoice_id_from_link(href: str) -> str:
    match = re.search(r"/v2/invoicing/invoices/([A-Za-z0-9-]+)$", href)
    return match.group(1) if match else ""


# --- Holds: an order with intent AUTHORIZE (Orders v2), then its authorization (Payments v2) ---
# Every call that changes something carries a PayPal-Request-Id made by the caller from the
# hold and the step: PayPal answers a repeated request with the first answer instead of
# doing it again, so a retry never places, captures or releases a hold twice.
# PayPal keeps an authorization valid 29 days (its "honor period" is the first 3).
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
    try:
        answer = _call(
            "POST",
            "v2/checkout/orders",
            body,
            headers={"PayPal-Request-Id": request_id, "Prefer": "return=representation"},
        )
    except sdk_errors.ResourceNotFound:
        raise PayPalRefused("PayPal answered 404 to creating an order.", "RESOURCE_NOT_FOUND") from None
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
    except sdk_errors.ResourceNotFound:
        raise PayPalUnavailable(
            f"PayPal says order {order_id} is authorized already but answers 404 to reading it."
        ) from None


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
    except sdk_errors.ResourceNotFound:
        raise PayPalRefused(f"PayPal does not know order {order_id}.", "RESOURCE_NOT_FOUND") from None
    authorization = _order_authorization(answer)
    if authorization is None or not authorization.authorization_id:
        raise PayPalRefused(f"PayPal authorized order {order_id} but gave no authorization.")
    return authorization


def get_authorization(*, authorization_id: str) -> Authorization:
    """What PayPal says about an authorization now."""
    try:
        return _authorization_of(_call("GET", f"v2/payments/authorizations/{authorization_id}"))
    except sdk_errors.ResourceNotFound:
        raise PayPalRefused(
            f"PayPal does not know authorization {authorization_id}.", "RESOURCE_NOT_FOUND"
        ) from None


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
    except sdk_errors.ResourceNotFound:
        raise PayPalRefused(
            f"PayPal does not know authorization {authorization_id}.", "RESOURCE_NOT_FOUND"
        ) from None
    return get_authorization(authorization_id=authorization_id)


def capture_authorization(*, authorization_id: str, invoice_id: str, request_id: str) -> Capture:
    """Take the held money for good (the whole amount, final)."""
    try:
        answer = _call(
            "POST",
            f"v2/payments/authorizations/{authorization_id}/capture",
            {"final_capture": True, "invoice_id": invoice_id},
            headers={"PayPal-Request-Id": request_id, "Prefer": "return=representation"},
        )
    except sdk_errors.ResourceNotFound:
        raise PayPalRefused(
            f"PayPal does not know authorization {authorization_id}.", "RESOURCE_NOT_FOUND"
        ) from None
    if not answer.get("id"):
        raise PayPalRefused(f"PayPal captured authorization {authorization_id} but gave no capture.")
    amount = answer.get("amount") or {}
    return Capture(
        capture_id=str(answer["id"]),
        status=str(answer.get("status", "")),
        amount=_money(amount.get("value")),
        currency=str(amount.get("currency_code", "")).upper(),
    )

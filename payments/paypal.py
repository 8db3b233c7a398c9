"""
The PayPal gateway: the only module that talks to PayPal.

It rests on paypalrestsdk's ``Api`` client for the OAuth token (fetched, cached, renewed)
and the HTTP exchange, pointed at PayPal's current REST hosts (``api-m``). Two things the
SDK leaves out are added here: a timeout on every request (the SDK sets none, so a stalled
PayPal would hang a worker) and a quiet SDK logger (in sandbox mode it logs request headers,
credentials included, at debug level).

Callers check ``is_configured()`` first: without credentials the portal works and agents
verify payments by hand. Everything else raises a ``PayPalError`` subclass, sorted in one
place (``_answer_error``, from the HTTP status and PayPal's error body) into three kinds:
``PayPalUnavailable`` (down, slow, rate-limited, 5xx: worth retrying later),
``PayPalRefused`` (PayPal said no to the request itself: retrying the same will not help)
and ``PayPalUnexpected`` (a 2xx answer that is not what was asked: another id, status,
amount or currency, or no usable body; final like a refusal). Each error carries what PayPal
said (``answer()``: status, name, issue, debug id, the call) for the people who read it.
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
    """Anything that kept a PayPal call from giving an answer.

    ``issue`` is PayPal's name for the reason when it gave one (``ORDER_NOT_APPROVED``);
    ``status``, ``name`` and ``debug_id`` are the rest of its error answer; ``call`` names the
    gateway call (``invoice_create``); ``problem``, ``expected`` and ``got`` say how a 2xx
    answer differed from what was asked.
    """

    kind = "error"

    def __init__(
        self,
        message: str = "",
        issue: str = "",
        *,
        status: int | None = None,
        name: str = "",
        debug_id: str = "",
        call: str = "",
        problem: str = "",
        expected: str = "",
        got: str = "",
    ):
        super().__init__(message)
        self.issue = issue
        self.status = status
        self.name = name
        self.debug_id = debug_id
        self.call = call
        self.problem = problem
        self.expected = expected
        self.got = got

    def answer(self) -> dict:
        """What PayPal said, as data to keep (words are made from it when someone reads it)."""
        fields = {
            "kind": self.kind,
            "status": self.status,
            "name": self.name,
            "issue": self.issue,
            "debug_id": self.debug_id,
            "call": self.call,
            "problem": self.problem,
            "expected": self.expected,
            "got": self.got,
        }
        return {key: value for key, value in fields.items() if value not in ("", None)}


class PayPalNotConfigured(PayPalError):
    """No PayPal credentials: the caller skips PayPal and people do the job by hand."""

    kind = "not_configured"


class PayPalUnavailable(PayPalError):
    """PayPal is down, unreachable, rate-limiting or answered with a server error: try again later."""

    kind = "unavailable"


class PayPalTimeout(PayPalUnavailable):
    """PayPal did not answer within ``PAYPAL_TIMEOUT`` seconds."""

    kind = "timeout"


class PayPalRefused(PayPalError):
    """PayPal refused the request (bad credentials, permissions, invalid data, unknown id)."""

    kind = "refused"


class PayPalDuplicateInvoice(PayPalRefused):
    """An invoice with this number exists already (an earlier try created it)."""


class PayPalUnexpected(PayPalRefused):
    """PayPal answered 2xx, but not with what was asked: the caller does not act on it."""

    kind = "unexpected"


# Rate limiting (429) and server errors are PayPal's to get over; every other 4xx is a
# refusal of this request.
TRANSIENT_STATUSES = frozenset({429})


def _call_name(method: str, path: str) -> str:
    """The gateway call a request belongs to, for the people who read its error."""
    path = path.split("?", 1)[0].strip("/")
    if path.startswith("v1/reporting/transactions"):
        return "transaction_search"
    if path == "v2/invoicing/search-invoices":
        return "invoice_search"
    if path == "v2/invoicing/invoices":
        return "invoice_create"
    if path.startswith("v2/invoicing/invoices/"):
        return "invoice_send" if path.endswith("/send") else "invoice_get"
    return "hold"


def _answer_error(status: int | None, content: object, method: str, path: str) -> PayPalError:
    """The one place a PayPal error answer is sorted: unavailable (429, 5xx, no status),
    refused (any other 4xx; a taken invoice number is its own kind), or unexpected (3xx)."""
    body = _error_body(content)
    issue = _issue_of(body)
    fields = {
        "status": status,
        "name": str(body.get("name") or body.get("error") or ""),
        "debug_id": str(body.get("debug_id") or ""),
        "call": _call_name(method, path),
    }
    shown = f"{status}{': ' + issue if issue else ''}"
    if status is None or status in TRANSIENT_STATUSES or status >= 500:
        return PayPalUnavailable(f"PayPal answered {shown} to {method} {path}.", issue, **fields)
    if 300 <= status < 400:
        return PayPalUnexpected(
            f"PayPal redirected {method} {path} ({status}).", issue, problem="malformed", **fields
        )
    if issue == "DUPLICATE_INVOICE_NUMBER" or "DUPLICATE_INVOICE_NUMBER" in json.dumps(body):
        return PayPalDuplicateInvoice(f"PayPal has this invoice number already ({path}).", issue, **fields)
    return PayPalRefused(f"PayPal refused {method} {path} ({shown}).", issue, **fields)


def _unexpected(
    call: str, problem: str, message: str, *, expected: object = "", got: object = ""
) -> PayPalUnexpected:
    return PayPalUnexpected(
        message, call=call, problem=problem, expected=str(expected)[:100], got=str(got)[:100]
    )


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
    """One request to PayPal; every answer but a 2xx JSON object raises a ``PayPalError``
    sorted by ``_answer_error``."""
    api = client()
    url = f"{api.endpoint}/{path.lstrip('/')}"
    try:
        if method == "GET":
            answer = api.request(url, "GET", headers=headers or {})
        else:
            answer = api.request(url, method, body=body or {}, headers=headers or {})
    except PayPalError as error:  # a timeout or an unreachable PayPal (``TimeoutApi.http_call``)
        error.call = error.call or _call_name(method, path)
        raise
    except sdk_errors.ConnectionError as error:  # the SDK's base class for every HTTP error
        status = getattr(error.response, "status_code", None)
        content = getattr(error, "content", None) or getattr(error.response, "text", "")
        raise _answer_error(status, content, method, path) from None
    except ValueError:  # a 2xx whose body is not JSON
        raise _unexpected(
            _call_name(method, path), "malformed", f"PayPal's answer to {method} {path} is not JSON."
        ) from None
    if isinstance(answer, dict) and set(answer) == {"error"}:
        # ``TimeoutApi.request`` turns a 400 into {"error": ...} instead of raising.
        raise _answer_error(400, answer["error"], method, path)
    return answer if isinstance(answer, dict) else {}


def _error_body(content: object) -> dict:
    if isinstance(content, dict):
        return content
    try:
        answer = json.loads(content) if isinstance(content, str | bytes) and content else {}
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _issue_of(content: object) -> str:
    """PayPal's name for why it refused (``details[0].issue``, else ``name``), if it said."""
    answer = _error_body(content)
    details = answer.get("details") or [{}]
    first = details[0] if isinstance(details, list) and details and isinstance(details[0], dict) else {}
    return str(first.get("issue") or answer.get("name") or "")


def _money(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _paypal_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def find_transaction(*, transaction_id: str, paid_before: datetime | None = None) -> TransactionLookup:
    """Look a transaction ID up with Transaction Search, in the 31 days up to ``paid_before``.

    An answer listing no transaction is "not found"; one listing only other transactions is
    not what was asked (``PayPalUnexpected``)."""
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
    answer = _call("GET", f"v1/reporting/transactions?{query}")
    listed = answer.get("transaction_details") or []
    if not isinstance(listed, list) or not all(isinstance(entry, dict) for entry in listed):
        raise _unexpected("transaction_search", "malformed", "Transaction Search answered without a list.")
    details = [entry for entry in listed if _transaction_id_of(entry).upper() == transaction_id]
    if not listed:
        return TransactionLookup(
            transaction_id=transaction_id, found=False, status=TransactionStatus.NOT_FOUND
        )
    if not details:
        raise _unexpected(
            "transaction_search",
            "id",
            f"Transaction Search answered about other transactions than {transaction_id}.",
            expected=transaction_id,
            got=_transaction_id_of(listed[0]),
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


def _transaction_id_of(entry: dict) -> str:
    info = entry.get("transaction_info")
    return str((info if isinstance(info, dict) else {}).get("transaction_id") or "")


def _amount_of(entry: dict) -> dict:
    amount = (entry.get("transaction_info") or {}).get("transaction_amount")
    return amount if isinstance(amount, dict) else {}


# --- Invoicing v2 ---------------------------------------------------------------------------
# The invoice number is the caller's and stable: a repeated create is refused as a duplicate
# and the invoice made by the earlier try is used, so a retry never bills twice.

# Hosts of the pages where a payer opens an invoice; the sandbox's only outside live mode.
INVOICE_HOSTS = frozenset({"paypal.com", "www.paypal.com"})
SANDBOX_INVOICE_HOSTS = frozenset({"sandbox.paypal.com", "www.sandbox.paypal.com"})
# The payer's view of an invoice: ``/invoice/p/#<id>``, ``/invoice/payerView/details/<id>``
# or a shared ``/invoice/s/pay/<id>``.
INVOICE_PAGE = re.compile(r"^/invoice/(?:p/?|payerView/details/[A-Za-z0-9-]+/?|s/pay/[A-Za-z0-9-]+/?)$")
INVOICE_FRAGMENT = re.compile(r"^[A-Za-z0-9-]+$")
# Printable ASCII but space and backslash: what a browser would rewrite or read otherwise
# (tabs and newlines dropped, ``\`` taken for ``/``, other scripts turned into punycode).
LINK_CHARACTERS = re.compile(r"^[!-\[\]-~]+$")
# Invoice statuses once PayPal has sent it to the payer.
SENT_INVOICE_STATUSES = frozenset(
    {"SENT", "UNPAID", "SCHEDULED", "PARTIALLY_PAID", "PAYMENT_PENDING", "PAID"}
)


class LinkFault:
    """Why a text is not the payer's link of a PayPal invoice."""

    NOT_A_LINK = "not_a_link"
    NOT_HTTPS = "not_https"
    NOT_PAYPAL = "not_paypal"
    NOT_AN_INVOICE = "not_an_invoice"


def invoice_link_fault(link: str) -> str:
    """``""`` when ``link`` opens a PayPal invoice's payer page in a browser, else a ``LinkFault``.

    Read the way a browser reads it: nothing it would rewrite (spaces, control characters,
    backslashes, non-ASCII) is accepted, the authority must be the bare host (no user
    information, no port), the host exactly PayPal's (the sandbox's outside live mode)."""
    if not link.lower().startswith("https://"):
        return LinkFault.NOT_HTTPS
    if not LINK_CHARACTERS.fullmatch(link):
        return LinkFault.NOT_A_LINK
    try:
        parts = urlsplit(link)
    except ValueError:
        return LinkFault.NOT_A_LINK
    hosts = INVOICE_HOSTS if settings.PAYPAL_MODE == "live" else INVOICE_HOSTS | SANDBOX_INVOICE_HOSTS
    if parts.netloc.lower() not in hosts:
        return LinkFault.NOT_PAYPAL
    if not INVOICE_PAGE.fullmatch(parts.path):
        return LinkFault.NOT_AN_INVOICE
    if parts.path.rstrip("/") == "/invoice/p" and not INVOICE_FRAGMENT.fullmatch(parts.fragment):
        return LinkFault.NOT_AN_INVOICE
    return ""


def send_invoice(
    *,
    invoice_number: str,
    recipient_email: str,
    amount: Decimal,
    currency: str,
    item_name: str,
    note: str = "",
) -> SentInvoice:
    """Create an invoice with Invoicing v2, send it to the payer and return its payer link.

    The invoice PayPal reports back must be the one asked for (number, amount, currency),
    sent, with a payer link on PayPal's own site; anything else is ``PayPalUnexpected``."""
    currency = currency.upper()
    value = f"{Decimal(amount):.2f}"
    body = {
        "detail": {
            "invoice_number": invoice_number,
            "currency_code": currency,
            "note": note,
            "payment_term": {"term_type": "DUE_ON_RECEIPT"},
        },
        "invoicer": {"email_address": settings.PAYPAL_RECEIVING_ACCOUNT},
        "primary_recipients": [{"billing_info": {"email_address": recipient_email}}],
        "items": [
            {
                "name": item_name[:200],
                "quantity": "1",
                "unit_amount": {"currency_code": currency, "value": value},
            }
        ],
    }
    if not note:
        del body["detail"]["note"]
    try:
        created = _call("POST", "v2/invoicing/invoices", body, headers={"Prefer": "return=representation"})
        call = "invoice_create"
    except PayPalDuplicateInvoice:
        # An earlier try created it but its answer was lost (a timeout): carry on with that one.
        created = _invoice_by_number(invoice_number)
        call = "invoice_search"
    invoice_id = str(created.get("id") or _invoice_id_from_link(str(created.get("href", ""))))
    if not invoice_id:
        raise _unexpected(call, "id", "PayPal created an invoice but did not say which one.")
    if "detail" in created:
        _check_invoice(created, call=call, invoice_number=invoice_number, value=value, currency=currency)
    sent = {}
    if created.get("status", "DRAFT") == "DRAFT":
        sent = _call("POST", f"v2/invoicing/invoices/{invoice_id}/send", {"send_to_recipient": True})
    invoice = _call("GET", f"v2/invoicing/invoices/{invoice_id}")
    if str(invoice.get("id", "")) != invoice_id:
        raise _unexpected(
            "invoice_get",
            "id",
            f"PayPal answered about invoice {invoice.get('id')!r} instead of {invoice_id}.",
            expected=invoice_id,
            got=invoice.get("id", ""),
        )
    _check_invoice(invoice, call="invoice_get", invoice_number=invoice_number, value=value, currency=currency)
    status = str(invoice.get("status", ""))
    if status not in SENT_INVOICE_STATUSES:
        raise _unexpected(
            "invoice_get",
            "status",
            f"Invoice {invoice_id} is {status!r}, not sent.",
            expected="SENT",
            got=status,
        )
    link = ((invoice.get("detail") or {}).get("metadata") or {}).get("recipient_view_url", "")
    if not link and isinstance(sent, dict) and sent.get("rel") == "payer-view":
        link = sent.get("href", "")
        call = "invoice_send"
    else:
        call = "invoice_get"
    if invoice_link_fault(str(link)):
        raise _unexpected(call, "link", f"Invoice {invoice_id} has no payer link on PayPal's site.", got=link)
    return SentInvoice(invoice_id=invoice_id, status=status, payer_link=str(link))


def _check_invoice(invoice: dict, *, call: str, invoice_number: str, value: str, currency: str) -> None:
    """The invoice PayPal describes is the one asked for: its number, amount and currency."""
    detail = invoice.get("detail") if isinstance(invoice.get("detail"), dict) else {}
    number = str(detail.get("invoice_number", ""))
    if number != invoice_number:
        raise _unexpected(
            call,
            "id",
            f"PayPal answered about invoice number {number!r}.",
            expected=invoice_number,
            got=number,
        )
    amount = invoice.get("amount") if isinstance(invoice.get("amount"), dict) else {}
    got_currency = str(amount.get("currency_code") or detail.get("currency_code") or "").upper()
    if got_currency != currency:
        raise _unexpected(
            call, "currency", f"The invoice is in {got_currency!r}.", expected=currency, got=got_currency
        )
    got_value = _money(amount.get("value"))
    if "value" in amount and got_value != Decimal(value):
        raise _unexpected(call, "amount", f"The invoice is for {got_value}.", expected=value, got=got_value)


def _invoice_by_number(invoice_number: str) -> dict:
    """The invoice carrying ``invoice_number`` (Invoicing v2 search)."""
    found = _call("POST", "v2/invoicing/search-invoices", {"invoice_number": invoice_number})
    items = found.get("items") or []
    for invoice in items if isinstance(items, list) else []:
        if (
            isinstance(invoice, dict)
            and (invoice.get("detail") or {}).get("invoice_number") == invoice_number
        ):
            return invoice
    raise _unexpected(
        "invoice_search",
        "id",
        f"PayPal reports invoice number {invoice_number} as taken but cannot find it.",
        expected=invoice_number,
    )


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

"""What can go wrong with a PayPal call, sorted in one place into unavailable, refused and unexpected."""

from __future__ import annotations

import json


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

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

from payments.paypal.authorizations import (
    AUTHORIZATION_VALIDITY,
    Authorization,
    Capture,
    HoldOrder,
    authorize_order,
    capture_authorization,
    create_hold_order,
    get_authorization,
    void_authorization,
)
from payments.paypal.client import (
    APPROVAL_ORIGINS,
    ENDPOINTS,
    TimeoutApi,
    _client,
    approval_origin,
    base_url,
    client,
    is_configured,
)
from payments.paypal.errors import (
    TRANSIENT_STATUSES,
    PayPalDuplicateInvoice,
    PayPalError,
    PayPalNotConfigured,
    PayPalRefused,
    PayPalTimeout,
    PayPalUnavailable,
    PayPalUnexpected,
)
from payments.paypal.invoices import (
    INVOICE_FRAGMENT,
    INVOICE_HOSTS,
    INVOICE_PAGE,
    LINK_CHARACTERS,
    SANDBOX_INVOICE_HOSTS,
    SENT_INVOICE_STATUSES,
    LinkFault,
    SentInvoice,
    invoice_link_fault,
    send_invoice,
)
from payments.paypal.transactions import (
    SEARCH_DELAY,
    SEARCH_WINDOW,
    TRANSACTION_ID,
    TransactionLookup,
    TransactionStatus,
    find_transaction,
)

__all__ = [
    "APPROVAL_ORIGINS",
    "AUTHORIZATION_VALIDITY",
    "Authorization",
    "Capture",
    "ENDPOINTS",
    "HoldOrder",
    "INVOICE_FRAGMENT",
    "INVOICE_HOSTS",
    "INVOICE_PAGE",
    "LINK_CHARACTERS",
    "LinkFault",
    "PayPalDuplicateInvoice",
    "PayPalError",
    "PayPalNotConfigured",
    "PayPalRefused",
    "PayPalTimeout",
    "PayPalUnavailable",
    "PayPalUnexpected",
    "SANDBOX_INVOICE_HOSTS",
    "SEARCH_DELAY",
    "SEARCH_WINDOW",
    "SENT_INVOICE_STATUSES",
    "SentInvoice",
    "TRANSACTION_ID",
    "TRANSIENT_STATUSES",
    "TimeoutApi",
    "TransactionLookup",
    "TransactionStatus",
    "_client",
    "approval_origin",
    "authorize_order",
    "base_url",
    "capture_authorization",
    "client",
    "create_hold_order",
    "find_transaction",
    "get_authorization",
    "invoice_link_fault",
    "is_configured",
    "send_invoice",
    "void_authorization",
]

"""Invoicing: an invoice created and sent by PayPal, and the payer links it may give."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings

from payments.paypal.client import _call, _money
from payments.paypal.errors import PayPalDuplicateInvoice, _unexpected


@dataclass(frozen=True)
class SentInvoice:
    """An invoice PayPal created and sent, with the link the payer opens."""

    invoice_id: str
    status: str
    payer_link: str


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

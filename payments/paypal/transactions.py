"""Transaction Search: what PayPal knows about one transaction ID received on our account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.utils import timezone

from payments.paypal.client import _call, _money, _paypal_time
from payments.paypal.errors import _unexpected

# Transaction Search accepts a window of at most 31 days, and a payment can take up to
# three hours to show up in it.
SEARCH_WINDOW = timedelta(days=31)
SEARCH_DELAY = timedelta(hours=3)
TRANSACTION_ID = re.compile(r"^[A-Z0-9]{17}$")


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

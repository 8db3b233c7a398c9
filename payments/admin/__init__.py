"""
The warranty team's view of supplementary payments.

Everything here is read-only: what the customer sent, what PayPal's lookup found, whether the
transaction number was already used on another case. Changes go through the actions, which
call ``payments.services`` like the customer pages do.
"""

from payments.admin.base import CasePartAdmin, PaymentReceiptInline, receipt_url
from payments.admin.replacement import ReplacementChoiceAdmin
from payments.admin.supplementary import (
    SupplementaryPaymentAdmin,
    invoice_outcome_message,
    look_up_again_url,
    lookup_outcome_message,
)

__all__ = [
    "CasePartAdmin",
    "PaymentReceiptInline",
    "ReplacementChoiceAdmin",
    "SupplementaryPaymentAdmin",
    "invoice_outcome_message",
    "look_up_again_url",
    "lookup_outcome_message",
    "receipt_url",
]

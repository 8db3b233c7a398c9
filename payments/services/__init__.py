"""
Every write about supplementary payments.

Each service locks the case row, checks what the lifecycle allows, writes the payment rows
and one ``CaseEvent``, and queues emails and PayPal calls to run after the commit. The
payment proof is one of the case's required parts and takes the same step as the others
(``rma.required.services.part_submission``): receipt files are stored before the transaction
opens and removed again if it rolls back, so a refused submission leaves neither rows nor
files behind.
"""

from payments.services.invoices import (
    invoice_asked,
    invoice_link_problem,
    invoice_link_send,
    invoice_number_for,
    invoice_record,
    invoice_request,
    invoice_send,
)
from payments.services.proof import (
    TRANSACTION_NUMBER,
    duplicate_transaction_cases,
    payment_lookup_again,
    payment_lookup_failed,
    payment_lookup_record,
    payment_submit,
)

__all__ = [
    "TRANSACTION_NUMBER",
    "duplicate_transaction_cases",
    "invoice_asked",
    "invoice_link_problem",
    "invoice_link_send",
    "invoice_number_for",
    "invoice_record",
    "invoice_request",
    "invoice_send",
    "payment_lookup_again",
    "payment_lookup_failed",
    "payment_lookup_record",
    "payment_submit",
]

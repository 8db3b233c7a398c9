"""Reads about supplementary payments; cases come through ``rma.cases.selectors`` (404 if not theirs)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from payments.models import PaymentReceipt, SupplementaryPayment
from rma.cases.models import Case


def payment_of_case(*, case: Case) -> SupplementaryPayment | None:
    """The case's payment with its current receipts (``current_receipts``), if any."""
    return (
        SupplementaryPayment.objects.filter(case=case)
        .prefetch_related(
            Prefetch(
                "receipts",
                queryset=PaymentReceipt.objects.filter(is_current=True),
                to_attr="current_receipts",
            )
        )
        .first()
    )


def receipt_for_viewer(*, user: Any, case: Case, receipt_id: int) -> PaymentReceipt | None:
    """A receipt of ``case``; the case itself was already checked as visible to ``user``."""
    return PaymentReceipt.objects.filter(pk=receipt_id, payment__case=case).first()

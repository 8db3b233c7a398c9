"""The payment proof: the customer's transaction number and receipts, and its lookup with PayPal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payments import paypal
from payments.models import LookupState, PaymentReceipt, SupplementaryPayment
from rma.cases.models import Action, Actor, Case, Role
from rma.cases.workflow import (
    CaseActionError,
    CasePermissionError,
    RequestMeta,
    lock_case,
    role_of,
    write_step_event,
)
from rma.required.models import normalise_identifier
from rma.required.services import part_submission
from rma_portal import images
from rma_portal.tasks import queue_after_commit

TRANSACTION_NUMBER = re.compile(r"[A-Z0-9]{17}")


def _payment_for(case: Case) -> SupplementaryPayment:
    """The case's payment row, locked, created from what the case asks for if new."""
    payment = SupplementaryPayment.objects.select_for_update().filter(case=case).first()
    if payment is None:
        payment = SupplementaryPayment.start(case)
        payment.save()
    return payment


def duplicate_transaction_cases(*, transaction_number: str, exclude_case_id: int | None = None) -> list[str]:
    """Numbers of other cases whose payment proof carries the same transaction number."""
    if not transaction_number:
        return []
    numbers = SupplementaryPayment.objects.filter(transaction_number=transaction_number).exclude(
        case_id=exclude_case_id
    )
    return sorted(numbers.values_list("case__number", flat=True))


def payment_submit(
    *,
    case: Case,
    actor: Actor,
    transaction_number: str = "",
    receipts: Sequence[images.CleanImage] = (),
    on_behalf: bool = False,
    meta: RequestMeta | None = None,
) -> SupplementaryPayment:
    """Record the customer's payment proof (transaction number, 1 to 5 receipt images).

    The first time, all of it; after the team sent pieces back, exactly those: the
    transaction number, and one new image for each receipt sent back (the others stay).
    The PayPal lookup is queued after the commit and never holds the submission up. When
    this was the last part the case needed, the case moves to ``under_review``.
    """
    transaction_number = normalise_identifier(transaction_number)
    if len(receipts) > settings.UPLOAD_MAX_RECEIPTS:
        raise CaseActionError(
            _("Send between 1 and %(max)d receipt images.") % {"max": settings.UPLOAD_MAX_RECEIPTS}
        )
    configured = paypal.is_configured()

    with part_submission(
        case=case,
        model=SupplementaryPayment,
        actor=actor,
        uploads=receipts,
        folder="receipts",
        on_behalf=on_behalf,
        meta=meta,
    ) as submission:
        locked, payment, pieces, stored = (
            submission.case,
            submission.part,
            submission.pieces,
            submission.stored,
        )
        whole = payment.asks_for_everything(pieces)
        replaced = [] if whole else SupplementaryPayment.receipt_positions(pieces)
        if whole and not 1 <= len(stored) <= settings.UPLOAD_MAX_RECEIPTS:
            raise CaseActionError(
                _("Send between 1 and %(max)d receipt images.") % {"max": settings.UPLOAD_MAX_RECEIPTS}
            )
        if not whole and len(stored) != len(replaced):
            raise CaseActionError(
                ngettext(
                    "Send %(count)d new receipt image, in place of the one sent back.",
                    "Send %(count)d new receipt images, in place of the ones sent back.",
                    len(replaced),
                )
                % {"count": len(replaced)}
            )
        if whole or "transaction_number" in pieces:
            if not TRANSACTION_NUMBER.fullmatch(transaction_number):
                raise CaseActionError(_("A PayPal transaction number is 17 letters and digits."))
            payment.transaction_number = transaction_number
        payment.amount = locked.payment_amount
        payment.currency = locked.payment_currency
        payment.lookup_state = LookupState.QUEUED if configured else LookupState.SKIPPED
        payment.lookup_status = payment.lookup_currency = payment.lookup_payer_email = (
            payment.lookup_error
        ) = ""
        payment.lookup_answer = {}
        payment.lookup_amount = None
        payment.looked_up_at = None
        payment.save()
        old = payment.receipts.filter(is_current=True)
        (old if whole else old.filter(position__in=replaced)).update(is_current=False)
        positions = range(1, len(stored) + 1) if whole else replaced
        PaymentReceipt.objects.bulk_create(
            PaymentReceipt(payment=payment, position=position, **PaymentReceipt.fields_of(image))
            for position, image in zip(positions, stored, strict=True)
        )
        if configured:
            queue_after_commit("payments.tasks.lookup_payment", payment_id=payment.pk)
        submission.data = {
            "pieces": list(pieces),
            "transaction_number": payment.transaction_number,
            "receipts": [image.name for image in stored],
            "duplicate_of": duplicate_transaction_cases(
                transaction_number=payment.transaction_number, exclude_case_id=locked.pk
            ),
        }

    return submission.part


def _lock_payment(payment_id: int) -> tuple[Case, SupplementaryPayment] | None:
    """The payment's case and the payment, locked in that order (the order every service
    locks in), or None when the payment is gone."""
    payment = SupplementaryPayment.objects.select_related("case").filter(pk=payment_id).first()
    if payment is None:
        return None
    case = lock_case(payment.case)
    return case, SupplementaryPayment.objects.select_for_update().get(pk=payment_id)


def payment_lookup_record(
    *, payment_id: int, lookup: paypal.TransactionLookup
) -> SupplementaryPayment | None:
    """Store what PayPal said about the transaction number, for the agent to see."""
    with transaction.atomic():
        locked = _lock_payment(payment_id)
        if locked is None:
            return None
        case, payment = locked
        if payment.transaction_number != lookup.transaction_id:
            return payment  # the customer sent another number since: its own lookup follows
        if not lookup.found:
            state = LookupState.NOT_FOUND
        elif lookup.matches(amount=payment.amount, currency=payment.currency):
            state = LookupState.MATCHED
        else:
            state = LookupState.MISMATCH
        payment.lookup_state = state
        payment.lookup_status = lookup.status
        payment.lookup_amount = lookup.amount
        payment.lookup_currency = lookup.currency
        payment.lookup_payer_email = lookup.payer_email[:254]
        payment.lookup_error = ""
        payment.lookup_answer = {}
        payment.looked_up_at = timezone.now()
        payment.save()
        write_step_event(
            case=case,
            action=Action.PAYMENT_LOOKUP,
            actor=None,
            role=Role.SYSTEM,
            data={
                "transaction_number": lookup.transaction_id,
                "result": state,
                "status": lookup.status,
                "amount": str(lookup.amount) if lookup.amount is not None else "",
                "currency": lookup.currency,
            },
        )
    return payment


def payment_lookup_failed(*, payment_id: int, error: paypal.PayPalError) -> SupplementaryPayment | None:
    """PayPal gave no result (not connected, down after every retry, refused, or answered
    about something else): what it said is kept, and agents check by hand or ask again."""
    if isinstance(error, paypal.PayPalNotConfigured):
        state = LookupState.SKIPPED
    elif isinstance(error, paypal.PayPalUnavailable):
        state = LookupState.UNAVAILABLE
    else:
        state = LookupState.REFUSED
    with transaction.atomic():
        locked = _lock_payment(payment_id)
        if locked is None:
            return None
        case, payment = locked
        payment.lookup_state = state
        payment.lookup_error = str(error)[:300]
        payment.lookup_answer = error.answer()
        payment.looked_up_at = timezone.now()
        payment.save(
            update_fields=["lookup_state", "lookup_error", "lookup_answer", "looked_up_at", "updated_at"]
        )
        write_step_event(
            case=case,
            action=Action.PAYMENT_LOOKUP,
            actor=None,
            role=Role.SYSTEM,
            data={
                "transaction_number": payment.transaction_number,
                "result": payment.lookup_state,
                "error": payment.lookup_error,
                "answer": payment.lookup_answer,
            },
        )
    return payment


def payment_lookup_again(*, payment: SupplementaryPayment, actor: Actor) -> SupplementaryPayment:
    """An agent asks PayPal again about a submitted transaction number: after PayPal failed
    to answer, after a result that may have changed, or for a proof that came before PayPal
    was connected (skipped). Without credentials it says so and changes nothing."""
    if role_of(actor) == Role.CUSTOMER or not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    if not paypal.is_configured():
        raise CaseActionError(
            _("PayPal is still not connected (no PayPal credentials are set): check the payment by hand.")
        )
    with transaction.atomic():
        case = lock_case(payment.case)
        locked = SupplementaryPayment.objects.select_for_update().get(pk=payment.pk)
        if not locked.transaction_number:
            raise CaseActionError(_("No transaction number was submitted yet."))
        locked.lookup_state = LookupState.QUEUED
        locked.lookup_error = ""
        locked.lookup_answer = {}
        locked.save(update_fields=["lookup_state", "lookup_error", "lookup_answer", "updated_at"])
        write_step_event(
            case=case,
            action=Action.PAYMENT_LOOKUP,
            actor=actor,
            role=role_of(actor),
            data={"transaction_number": locked.transaction_number, "result": LookupState.QUEUED},
        )
        queue_after_commit("payments.tasks.lookup_payment", payment_id=locked.pk)
    return locked

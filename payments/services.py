"""
Every write about supplementary payments.

Each service locks the case row, checks what the lifecycle allows, writes the payment rows
and one ``CaseEvent``, and queues emails and PayPal calls to run after the commit. The
payment proof is one of the case's required parts and takes the same step as the others
(``rma.required.services.part_submit``): receipt files are stored before the transaction
opens and removed again if it rolls back, so a refused submission leaves neither rows nor
files behind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payments import paypal
from payments.models import InvoiceState, LookupState, PaymentReceipt, SupplementaryPayment
from rma.cases.models import Action, Actor, Case, Role
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    RequestMeta,
    authorize_customer_step,
    lock_case,
    role_of,
    write_step_event,
)
from rma.required.models import normalise_identifier
from rma.required.services import check_part_step, part_submit
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

    def fill(
        locked: Case, payment: SupplementaryPayment, pieces: tuple[str, ...], stored: list
    ) -> dict[str, Any]:
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
        return {
            "pieces": list(pieces),
            "transaction_number": payment.transaction_number,
            "receipts": [image.name for image in stored],
            "duplicate_of": duplicate_transaction_cases(
                transaction_number=payment.transaction_number, exclude_case_id=locked.pk
            ),
        }

    return part_submit(
        case=case,
        model=SupplementaryPayment,
        actor=actor,
        fill=fill,
        uploads=receipts,
        folder="receipts",
        on_behalf=on_behalf,
        meta=meta,
    )


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


def invoice_request(*, case: Case, actor: Actor, meta: RequestMeta | None = None) -> SupplementaryPayment:
    """The customer cannot send money directly and asks the team for a PayPal invoice link."""
    with transaction.atomic():
        locked = lock_case(case)
        role = authorize_customer_step(case=locked, actor=actor, on_behalf=False)
        check_part_step(locked, SupplementaryPayment, customer=role == Role.CUSTOMER)
        payment = _payment_for(locked)
        if payment.invoice_state == InvoiceState.SENT:
            raise CaseActionError(_("Your invoice link is already on this page."))
        if invoice_asked(payment):
            raise CaseActionError(_("You already asked for an invoice link; the warranty team will send it."))
        payment.invoice_state = InvoiceState.REQUESTED
        payment.invoice_requested_at = timezone.now()
        payment.invoice_error = ""
        payment.save()
        event = write_step_event(
            case=locked, action=Action.INVOICE_REQUEST, actor=actor, role=role, meta=meta or NO_META
        )
        queue_after_commit("payments.tasks.send_payment_email", event_id=event.pk)
    return payment


def invoice_send(*, case: Case, actor: Actor, meta: RequestMeta | None = None) -> SupplementaryPayment:
    """An agent has PayPal create and send an invoice for the amount due (queued after commit)."""
    if not paypal.is_configured():
        raise CaseActionError(_("PayPal is not configured: send the customer a payment link by hand."))
    if role_of(actor) == Role.CUSTOMER or not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    with transaction.atomic():
        locked = lock_case(case)
        check_part_step(locked, SupplementaryPayment)
        payment = _payment_for(locked)
        if payment.invoice_state in (InvoiceState.QUEUED, InvoiceState.SENT):
            raise CaseActionError(_("An invoice for this case is already being sent or was sent."))
        payment.invoice_state = InvoiceState.QUEUED
        payment.invoice_error = ""
        payment.invoice_answer = {}
        payment.amount = locked.payment_amount
        payment.currency = locked.payment_currency
        payment.save()
        write_step_event(
            case=locked,
            action=Action.INVOICE_QUEUE,
            actor=actor,
            role=role_of(actor),
            data={"amount": str(payment.amount), "currency": payment.currency},
            meta=meta or NO_META,
        )
        queue_after_commit("payments.tasks.create_and_send_invoice", payment_id=payment.pk)
    return payment


def invoice_link_problem(link: str) -> str:
    """Why ``link`` is not a PayPal invoice link the customer may be sent, or "" when it is
    (``paypal.invoice_link_fault`` reads it the way the customer's browser will)."""
    fault = paypal.invoice_link_fault((link or "").strip())
    if fault == paypal.LinkFault.NOT_HTTPS:
        return _("The link must start with https:// (copy it from PayPal's site as it is).")
    if fault == paypal.LinkFault.NOT_PAYPAL:
        return _(
            "The link must lead to paypal.com itself (www.paypal.com, no other name, user or port): "
            "the customer pays on PayPal's own site."
        )
    if fault == paypal.LinkFault.NOT_AN_INVOICE:
        return _("This is a PayPal address but not an invoice's: copy the link the invoice shows on PayPal.")
    if fault:
        return _(
            "This is not a web address as PayPal gives it (spaces, backslashes or unusual characters): "
            "copy the invoice's link from PayPal's site."
        )
    return ""


def invoice_asked(payment: SupplementaryPayment) -> bool:
    """Whether the customer waits for an invoice link they asked for (or one is on its way):
    an invoice PayPal did not send keeps them waiting while the team tries again."""
    return payment.invoice_state in (InvoiceState.REQUESTED, InvoiceState.QUEUED) or (
        payment.invoice_state == InvoiceState.FAILED and payment.invoice_requested_at is not None
    )


def invoice_link_send(
    *, case: Case, actor: Actor, link: str, meta: RequestMeta | None = None
) -> SupplementaryPayment:
    """An agent sends the customer the link of an invoice they made on PayPal's site (no
    PayPal credentials needed): it is emailed to the customer and shown on the payment page."""
    if role_of(actor) == Role.CUSTOMER or not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    link = (link or "").strip()
    problem = invoice_link_problem(link)
    if problem:
        raise CaseActionError(problem)
    with transaction.atomic():
        locked = lock_case(case)
        check_part_step(locked, SupplementaryPayment)
        payment = _payment_for(locked)
        if payment.invoice_state == InvoiceState.QUEUED:
            raise CaseActionError(_("PayPal is creating an invoice for this case; wait for its link."))
        if payment.invoice_state == InvoiceState.SENT and payment.invoice_link == link:
            raise CaseActionError(_("The customer already has this invoice link."))
        payment.amount = locked.payment_amount
        payment.currency = locked.payment_currency
        _record_invoice_sent(
            case=locked, payment=payment, link=link, invoice_id="", actor=actor, meta=meta or NO_META
        )
    return payment


def _record_invoice_sent(
    *,
    case: Case,
    payment: SupplementaryPayment,
    link: str,
    invoice_id: str,
    actor: Actor | None,
    meta: RequestMeta = NO_META,
) -> None:
    """Keep the invoice link on the payment, write its event and queue its email; the email
    says "as you asked" only when the customer did ask (``invoice_request``)."""
    payment.invoice_state = InvoiceState.SENT
    payment.invoice_id = invoice_id
    payment.invoice_link = link
    payment.invoice_sent_at = timezone.now()
    payment.invoice_error = ""
    payment.invoice_answer = {}
    payment.save()
    data = {
        "invoice_id": invoice_id,
        "link": link,
        "asked": payment.invoice_requested_at is not None,
        "by_hand": actor is not None,
    }
    event = write_step_event(
        case=case,
        action=Action.INVOICE_SENT,
        actor=actor,
        role=role_of(actor),
        data=data,
        meta=meta,
    )
    queue_after_commit("payments.tasks.send_payment_email", event_id=event.pk)


def invoice_number_for(payment: SupplementaryPayment) -> str:
    """The invoice number PayPal sees: stable, so a retried call cannot bill twice."""
    return f"{payment.case.number}-P{payment.pk}"


def invoice_record(
    *, payment_id: int, sent: paypal.SentInvoice | None, error: paypal.PayPalError | None = None
) -> SupplementaryPayment | None:
    """Store the outcome of the invoice call: a sent invoice's link is emailed to the
    customer; otherwise the invoice is failed with PayPal's answer, and the team may try
    again or paste a link made on PayPal's site. A failure never undoes a sent invoice."""
    with transaction.atomic():
        locked = _lock_payment(payment_id)
        if locked is None:
            return None
        case, payment = locked
        if sent is None and payment.invoice_state == InvoiceState.SENT:
            return payment
        if sent is not None:
            problem = invoice_link_problem(sent.payer_link)
            if problem:
                error = paypal.PayPalUnexpected(
                    f"PayPal's payer link is not a PayPal invoice link: {problem}",
                    call="invoice_get",
                    problem="link",
                    got=sent.payer_link[:100],
                )
            else:
                _record_invoice_sent(
                    case=case, payment=payment, link=sent.payer_link, invoice_id=sent.invoice_id, actor=None
                )
                return payment
        error = error or paypal.PayPalError("PayPal gave no invoice.")
        payment.invoice_state = InvoiceState.FAILED
        payment.invoice_error = str(error)[:300]
        payment.invoice_answer = error.answer()
        payment.save()
        write_step_event(
            case=case,
            action=Action.INVOICE_FAILED,
            actor=None,
            role=Role.SYSTEM,
            data={"error": payment.invoice_error, "answer": payment.invoice_answer},
        )
    return payment

"""
Celery tasks of the payments: they take ids, call PayPal through ``payments.paypal``, and
record the outcome through ``payments.services``.

PayPal down or slow is retried with a growing delay; once the retries are spent the
outcome is recorded so the agent knows to check by hand. In eager mode (the embedded
setup, no worker) a task tries once, so a page never waits on a retry loop.
"""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from payments import holds, paypal, services
from payments.emails import TABLE
from payments.models import HoldState, InvoiceState, SupplementaryPayment
from rma.cases.event_emails import build_event_email
from rma.cases.models import CaseEvent
from rma_portal.tasks import EMAIL_RETRY

PAYPAL_MAX_RETRIES = 8
# Transaction Search may take up to three hours to list a new payment: a number not found
# soon after it was submitted is looked up again later, a few times.
NOT_FOUND_RECHECKS = 4
NOT_FOUND_RECHECK_SECONDS = 45 * 60


def backoff_seconds(retries: int) -> int:
    """``PAYPAL_RETRY_BACKOFF`` seconds, doubling with each retry up to an hour, with jitter
    so that retries held back by the same outage do not all arrive together."""
    base = min(settings.PAYPAL_RETRY_BACKOFF * 2**retries, 3600)
    return base + random.randint(0, base // 4)


def _paypal_outcome(task, error: paypal.PayPalError) -> paypal.PayPalError | None:
    """The error to record, or ``None`` when the call is worth another try: PayPal
    unavailable (429, 5xx, timeout) is retried with a growing delay while retries are left
    (not in eager mode, where a page waits); everything else is final at once."""
    if not isinstance(error, paypal.PayPalUnavailable):
        return error
    if task.request.is_eager or task.request.retries >= task.max_retries:
        return error
    return None


@shared_task(bind=True, acks_late=True, max_retries=PAYPAL_MAX_RETRIES)
def lookup_payment(self, payment_id: int) -> str:
    """Look the payment's transaction number up on PayPal and record what PayPal says.
    Whatever PayPal answers ends recorded; nothing PayPal says makes the task fail."""
    payment = (
        SupplementaryPayment.objects.filter(pk=payment_id)
        .only("id", "transaction_number", "submitted_at")
        .first()
    )
    if payment is None or not payment.transaction_number:
        return "gone"
    try:
        lookup = paypal.find_transaction(transaction_id=payment.transaction_number)
    except paypal.PayPalError as error:
        final = _paypal_outcome(self, error)
        if final is None:
            raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from None
        recorded = services.payment_lookup_failed(payment_id=payment_id, error=final)
        return recorded.lookup_state if recorded is not None else "gone"
    services.payment_lookup_record(payment_id=payment_id, lookup=lookup)
    if not lookup.found and not self.request.is_eager and self.request.retries < NOT_FOUND_RECHECKS:
        raise self.retry(countdown=NOT_FOUND_RECHECK_SECONDS)
    return "found" if lookup.found else "not_found"


@shared_task(bind=True, acks_late=True, max_retries=PAYPAL_MAX_RETRIES)
def create_and_send_invoice(self, payment_id: int) -> str:
    """Have PayPal create and send the invoice an agent asked for, and record its link; a
    refusal or an answer that is not the invoice asked for fails the invoice at once (the
    team sees why and may try again), PayPal unavailable is retried and then fails it."""
    payment = SupplementaryPayment.objects.select_related("case__customer").filter(pk=payment_id).first()
    if payment is None:
        return "gone"
    if payment.invoice_state != InvoiceState.QUEUED:
        return "not asked"  # sent or failed already: a late copy of the task
    try:
        sent = paypal.send_invoice(
            invoice_number=services.invoice_number_for(payment),
            recipient_email=payment.case.customer.email,
            amount=payment.amount,
            currency=payment.currency,
            item_name=f"Supplementary payment for {payment.case.number}",
            note=f"RMA {payment.case.number}",
        )
    except paypal.PayPalError as error:
        final = _paypal_outcome(self, error)
        if final is None:
            raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from None
        services.invoice_record(payment_id=payment_id, sent=None, error=final)
        return final.kind
    recorded = services.invoice_record(payment_id=payment_id, sent=sent)
    return "sent" if recorded is not None and recorded.invoice_state == InvoiceState.SENT else "failed"


def _capture(choice) -> paypal.Capture:
    """Capture the hold; one PayPal reports captured already (an earlier try whose answer was
    lost) counts as captured when PayPal shows the authorization so."""
    try:
        return paypal.capture_authorization(
            authorization_id=choice.authorization_id,
            invoice_id=f"{choice.case.number}-H{choice.pk}",
            request_id=choice.request_id("capture"),
        )
    except paypal.PayPalRefused as error:
        if error.issue != "AUTHORIZATION_ALREADY_CAPTURED":
            raise
        authorization = paypal.get_authorization(authorization_id=choice.authorization_id)
        if authorization.status not in ("CAPTURED", "PARTIALLY_CAPTURED"):
            raise
        return paypal.Capture(
            capture_id="", status="COMPLETED", amount=authorization.amount, currency=authorization.currency
        )


def _settle_hold(task, case_id: int, *, capture: bool) -> str:
    """Release or capture the case's hold on PayPal and record what PayPal answered. PayPal
    down, slow or rate-limited is retried (the same PayPal-Request-Id each time, so PayPal
    does it once); once the retries are spent the team is told and the watch on holds asks
    again later. A refusal marks the hold failed for the team, who may ask again."""
    choice = holds.hold_settle_start(case_id=case_id, capture=capture)
    if choice is None:
        holds.hold_close_if_settled(case_id=case_id)
        return "nothing to do"
    try:
        if capture:
            choice = holds.hold_settled(case_id=case_id, capture=_capture(choice))
        else:
            authorization = paypal.void_authorization(
                authorization_id=choice.authorization_id, request_id=choice.request_id("void")
            )
            choice = holds.hold_settled(case_id=case_id, authorization=authorization)
    except paypal.PayPalError as error:
        if not holds.worth_asking_again(error):
            holds.hold_settled(case_id=case_id, error=holds.paypal_words(error))
            return "refused"
        if task.request.is_eager or task.request.retries >= task.max_retries:
            holds.hold_settle_unanswered(case_id=case_id, error=error)
            return "unavailable"
        raise task.retry(exc=error, countdown=backoff_seconds(task.request.retries)) from None
    return {HoldState.VOIDED: "released", HoldState.CAPTURED: "captured"}.get(choice.hold_state, "refused")


@shared_task(bind=True, acks_late=True, max_retries=PAYPAL_MAX_RETRIES)
def release_hold(self, case_id: int) -> str:
    """Release (void) the PayPal hold of an advance replacement whose return arrived."""
    return _settle_hold(self, case_id, capture=False)


@shared_task(bind=True, acks_late=True, max_retries=PAYPAL_MAX_RETRIES)
def capture_hold(self, case_id: int) -> str:
    """Capture the PayPal hold of an advance replacement whose return never came."""
    return _settle_hold(self, case_id, capture=True)


@shared_task
def watch_holds() -> dict[str, int]:
    """Periodic (beat): flag holds from day 25, settle any left by day 28 (PayPal's limit is 29);
    a hold it cannot deal with is logged and left for the next run."""
    return holds.hold_watch()


@shared_task(**EMAIL_RETRY)
def send_payment_email(event_id: int) -> bool:
    """Send the payment email of an event, for a task queued before every event's emails went
    through ``rma.tasks.send_case_event_email``, which the writer of events queues now."""
    event = (
        CaseEvent.objects.select_related("case__customer", "case__assigned_agent").filter(pk=event_id).first()
    )
    if event is None:
        return False
    messages = [build_event_email(event, email) for email in TABLE.chosen(event)]
    for message in messages:
        message.send()
    return bool(messages)

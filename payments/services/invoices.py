"""Invoicing: asking for an invoice, sending it through PayPal or by link, recording it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import paypal
from payments.models import InvoiceState, SupplementaryPayment
from payments.services.proof import _lock_payment, _payment_for
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
from rma.required.services import check_part_step
from rma_portal.tasks import queue_after_commit


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
        write_step_event(
            case=locked, action=Action.INVOICE_REQUEST, actor=actor, role=role, meta=meta or NO_META
        )
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
    write_step_event(
        case=case, action=Action.INVOICE_SENT, actor=actor, role=role_of(actor), data=data, meta=meta
    )


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

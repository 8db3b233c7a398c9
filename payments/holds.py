"""
Every write about the replacement method and the PayPal hold of an advance replacement.

The customer chooses the method on its own step. The standard way is one part submission
(``rma.required.services.part_submit``). Advance replacement is a PayPal order with
``intent=AUTHORIZE``: the customer approves it on PayPal and comes back, and the portal
authorizes it (the hold). These calls run in the request, because the customer is waiting
for PayPal's page; each carries a PayPal-Request-Id made from the hold, so a repeated
request (a double click on the way back from PayPal) gets PayPal's first answer and never
places a second hold. The PayPal calls happen outside the row lock; what they return is
written under it, after checking the hold is still where it was.

Releasing and capturing a hold run in Celery tasks (``payments.tasks``), queued by the
lifecycle's steps (``rma.required.advance``) and by the watch on holds near PayPal's
29-day limit (``hold_watch``).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import paypal
from payments.models import HOLD_PLACED_STATES, HoldState, ReplacementChoice
from rma.cases.models import (
    ADVANCE_RETURN_WINDOW,
    HOLD_SETTLE_BY,
    Action,
    Case,
    ReplacementMethod,
    Role,
)
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    RequestMeta,
    authorize_customer_step,
    lock_case,
    write_step_event,
)
from rma.required.advance import case_capture_hold
from rma.required.models import PartState, ReturnShipment
from rma.required.services import check_part_step, complete_if_ready, part_submit
from rma_portal.tasks import queue_after_commit

# The hold is flagged to the team this long after it was placed (the return window's end).
HOLD_FLAG_AFTER = ADVANCE_RETURN_WINDOW
# A release or capture still on its way after this long (its task and the outbox's relay gave
# up) is handed to its task again by the watch.
SETTLING_RESUME_AFTER = datetime.timedelta(hours=6)


def _locked_choice(case: Case) -> ReplacementChoice | None:
    return ReplacementChoice.objects.select_for_update().filter(case=case).first()


def _queue_email(event) -> None:
    queue_after_commit("payments.tasks.send_payment_email", event_id=event.pk)


def method_choose_standard(
    *, case: Case, actor: Any, on_behalf: bool = False, meta: RequestMeta | None = None
) -> ReplacementChoice:
    """The customer chooses the standard way: they send the item first, the replacement follows."""

    def fill(
        locked: Case, choice: ReplacementChoice, pieces: tuple[str, ...], stored: list
    ) -> dict[str, Any]:
        choice.method = ReplacementMethod.STANDARD
        choice.hold_state = HoldState.NONE
        choice.order_id = choice.approval_url = ""
        locked.replacement_method = ReplacementMethod.STANDARD
        locked.save(update_fields=["replacement_method", "updated_at"])
        return {"method": ReplacementMethod.STANDARD}

    return part_submit(
        case=case, model=ReplacementChoice, actor=actor, fill=fill, on_behalf=on_behalf, meta=meta
    )


def hold_request(
    *, case: Case, actor: Any, return_url: str, cancel_url: str, meta: RequestMeta | None = None
) -> ReplacementChoice:
    """The customer chooses advance replacement: PayPal creates the order for the hold and
    gives the link where the customer approves it (``choice.approval_url``).

    Refused without PayPal credentials. When PayPal cannot create the order, the choice goes
    back to open and the customer is told why.
    """
    if not paypal.is_configured():
        raise CaseActionError(
            _("Advance replacement is not available at the moment: choose the standard way.")
        )
    with transaction.atomic():
        locked = lock_case(case)
        role = authorize_customer_step(case=locked, actor=actor, on_behalf=False)
        check_part_step(locked, ReplacementChoice)
        choice = _locked_choice(locked) or ReplacementChoice.start(locked)
        if choice.hold_placed:
            raise CaseActionError(_("Nothing was changed: the PayPal hold is already placed."))
        choice.method = ReplacementMethod.ADVANCE
        choice.state = PartState.TO_DO  # in only once the hold is placed
        choice.hold_state = HoldState.APPROVING
        choice.amount = locked.hold_amount
        choice.currency = locked.hold_currency
        choice.request_key = uuid.uuid4().hex
        choice.order_id = choice.approval_url = choice.paypal_error = ""
        choice.save()
        if locked.replacement_method:
            locked.replacement_method = ""
            locked.save(update_fields=["replacement_method", "updated_at"])
        write_step_event(
            case=locked,
            action=Action.METHOD_CHOOSE,
            actor=actor,
            role=role,
            data={
                "method": ReplacementMethod.ADVANCE,
                "amount": str(choice.amount),
                "currency": choice.currency,
            },
            meta=meta or NO_META,
        )
    try:
        order = paypal.create_hold_order(
            amount=choice.amount,
            currency=choice.currency,
            reference=case.number,
            description=f"Advance replacement hold, {case.number}",
            return_url=return_url,
            cancel_url=cancel_url,
            request_id=choice.request_id("order"),
        )
    except paypal.PayPalError as error:
        hold_not_placed(case=case, actor=actor, reason=str(error), meta=meta)
        raise CaseActionError(
            _(
                "PayPal could not prepare the hold just now, so nothing was placed. "
                "Try again in a few minutes, or choose the standard way."
            )
        ) from None
    with transaction.atomic():
        locked = lock_case(case)
        choice = _locked_choice(locked)
        if choice is None or choice.hold_state != HoldState.APPROVING or choice.order_id:
            raise CaseActionError(_("Nothing was changed: the method was changed meanwhile."))
        choice.order_id = order.order_id
        choice.approval_url = order.approval_url
        choice.save(update_fields=["order_id", "approval_url", "updated_at"])
        write_step_event(
            case=locked,
            action=Action.HOLD_APPROVAL,
            actor=actor,
            role=Role.CUSTOMER,
            data={"order_id": order.order_id, "amount": str(choice.amount), "currency": choice.currency},
            meta=meta or NO_META,
        )
    return choice


def hold_not_placed(
    *, case: Case, actor: Any | None, reason: str, order_id: str = "", meta: RequestMeta | None = None
) -> ReplacementChoice | None:
    """The approval was cancelled on PayPal or failed: the choice is open again, nothing held."""
    with transaction.atomic():
        locked = lock_case(case)
        choice = _locked_choice(locked)
        if choice is None or choice.hold_state != HoldState.APPROVING:
            return choice
        if order_id and choice.order_id and order_id != choice.order_id:
            return choice  # an older approval page: the current one stands
        choice.hold_state = HoldState.NONE
        choice.method = ""
        choice.paypal_error = reason[:300]
        choice.save(update_fields=["hold_state", "method", "paypal_error", "updated_at"])
        write_step_event(
            case=locked,
            action=Action.HOLD_CANCEL,
            actor=actor,
            role=Role.CUSTOMER if actor is not None else Role.SYSTEM,
            data={"order_id": choice.order_id, "reason": reason[:300]},
            meta=meta or NO_META,
        )
    return choice


def hold_authorize(
    *, case: Case, actor: Any, order_id: str, meta: RequestMeta | None = None
) -> ReplacementChoice:
    """The customer is back from approving the order on PayPal: authorize it (the hold).

    A second arrival with the same order (a double submit, a reload) finds the hold placed
    and changes nothing; two at the same moment send PayPal the same request id and get
    the same authorization.
    """
    choice = ReplacementChoice.objects.filter(case=case).first()
    if choice is None or not order_id or order_id != choice.order_id:
        raise CaseActionError(
            _("This PayPal approval does not belong to the current choice of this RMA solution.")
        )
    if choice.hold_placed:
        return choice
    if choice.hold_state != HoldState.APPROVING:
        raise CaseActionError(_("Nothing was changed: choose the method again."))
    authorize_customer_step(case=case, actor=actor, on_behalf=False)
    try:
        authorization = paypal.authorize_order(order_id=order_id, request_id=choice.request_id("authorize"))
    except paypal.PayPalUnavailable:
        raise CaseActionError(
            _("PayPal did not answer. Your approval is kept: try to confirm the hold again in a moment.")
        ) from None
    except paypal.PayPalError as error:
        hold_not_placed(case=case, actor=actor, reason=str(error), order_id=order_id, meta=meta)
        raise CaseActionError(
            _("PayPal did not place the hold, so nothing is held on your account. Choose a method again.")
        ) from None
    return hold_record(case=case, actor=actor, authorization=authorization, meta=meta)


def hold_record(
    *, case: Case, actor: Any, authorization: paypal.Authorization, meta: RequestMeta | None = None
) -> ReplacementChoice:
    """Record the authorization PayPal gave for the case's approved order: the hold is placed,
    the method part is in, and the return is due 25 days from now."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_case(case)
        choice = _locked_choice(locked)
        if choice is None or choice.hold_state not in (HoldState.APPROVING, *HOLD_PLACED_STATES):
            raise CaseActionError(_("Nothing was changed: choose the method again."))
        if choice.hold_placed:
            if choice.authorization_id == authorization.authorization_id:
                return choice  # a second request got here first with the same answer
            raise CaseActionError(_("Nothing was changed: the PayPal hold is already placed."))
        choice.hold_state = HoldState.AUTHORIZED
        choice.authorization_id = authorization.authorization_id
        choice.authorization_status = authorization.status
        choice.amount = authorization.amount or choice.amount
        choice.currency = authorization.currency or choice.currency
        choice.authorized_at = now
        choice.expires_at = authorization.expires_at or now + paypal.AUTHORIZATION_VALIDITY
        choice.paypal_error = ""
        choice.record_submission(actor=actor, on_behalf=False)
        choice.save()
        locked.replacement_method = ReplacementMethod.ADVANCE
        locked.hold_placed_at = now
        locked.return_due_at = now + ADVANCE_RETURN_WINDOW
        locked.save(update_fields=["replacement_method", "hold_placed_at", "return_due_at", "updated_at"])
        event = write_step_event(
            case=locked,
            action=Action.HOLD_PLACE,
            actor=actor,
            role=Role.CUSTOMER,
            data={
                "authorization_id": choice.authorization_id,
                "amount": str(choice.amount),
                "currency": choice.currency,
                "expires_at": choice.expires_at.isoformat(),
                "return_due_at": locked.return_due_at.isoformat(),
            },
            meta=meta or NO_META,
        )
        _queue_email(event)
        if not ReplacementChoice.open_now(locked):
            # The case moved on while the customer was on PayPal: nothing to hold any more.
            _start_settling(choice, HoldState.VOIDING)
        else:
            complete_if_ready(case=locked, actor=actor, meta=meta)
    return choice


# --- Settling a hold: released when the return arrives, captured when it does not ----------


def _start_settling(choice: ReplacementChoice, state: str) -> None:
    choice.hold_state = state
    choice.save(update_fields=["hold_state", "updated_at"])
    task = "payments.tasks.release_hold" if state == HoldState.VOIDING else "payments.tasks.capture_hold"
    queue_after_commit(task, case_id=choice.case_id)


def hold_settle_start(*, case_id: int, capture: bool) -> ReplacementChoice | None:
    """Mark the hold as being released (or captured), before PayPal is asked; ``None`` when
    there is no hold to settle (none placed, or settled already)."""
    with transaction.atomic():
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            return None
        lock_case(case)
        choice = _locked_choice(case)
        if choice is None or choice.hold_state not in (
            HoldState.AUTHORIZED,
            HoldState.CAPTURING if capture else HoldState.VOIDING,
        ):
            return None
        choice.hold_state = HoldState.CAPTURING if capture else HoldState.VOIDING
        choice.save(update_fields=["hold_state", "updated_at"])
    return choice


def hold_settled(
    *,
    case_id: int,
    authorization: paypal.Authorization | None = None,
    capture: paypal.Capture | None = None,
    error: str = "",
) -> ReplacementChoice | None:
    """Record what PayPal did with the hold: released, captured, or refused (the team checks)."""
    with transaction.atomic():
        case = lock_case(Case.objects.get(pk=case_id))
        choice = _locked_choice(case)
        if choice is None or choice.hold_state in (HoldState.VOIDED, HoldState.CAPTURED):
            return choice
        if capture is not None:
            choice.hold_state = HoldState.CAPTURED
            choice.capture_id = capture.capture_id
            choice.authorization_status = "CAPTURED"
            action, data = Action.HOLD_CAPTURED, {"capture_id": capture.capture_id}
        elif authorization is not None:
            choice.hold_state = HoldState.VOIDED
            choice.authorization_status = authorization.status
            action, data = Action.HOLD_VOID, {"status": authorization.status}
        else:
            choice.hold_state = HoldState.FAILED
            action, data = Action.HOLD_ERROR, {"error": error[:300]}
        choice.paypal_error = error[:300]
        choice.settled_at = timezone.now() if not error else None
        choice.save()
        data.update(
            authorization_id=choice.authorization_id, amount=str(choice.amount), currency=choice.currency
        )
        event = write_step_event(case=case, action=action, actor=None, role=Role.SYSTEM, data=data)
        # The customer hears of a release or a capture; a refusal goes to the team, who check it.
        _queue_email(event)
    return choice


def hold_watch(*, now=None) -> dict[str, int]:
    """Never let a hold expire unnoticed (PayPal keeps it 29 days).

    From day 25 a hold still placed is flagged to the team (an event, and the case in the
    team's queue). On day 28 the portal settles what nobody settled: the hold is captured
    when the case still awaits a return that was never sent, and released otherwise (the
    return is on its way, or the case was closed). Holds whose release or capture was
    started and not finished are handed to their task again.
    """
    now = now or timezone.now()
    counts = {"flagged": 0, "captured": 0, "released": 0, "resumed": 0}
    for choice in ReplacementChoice.objects.filter(
        hold_state=HoldState.AUTHORIZED, authorized_at__lte=now - HOLD_FLAG_AFTER, flagged_at__isnull=True
    ).only("pk", "case_id"):
        with transaction.atomic():
            case = lock_case(Case.objects.get(pk=choice.case_id))
            locked = _locked_choice(case)
            if locked.hold_state != HoldState.AUTHORIZED or locked.flagged_at is not None:
                continue
            locked.flagged_at = now
            locked.save(update_fields=["flagged_at", "updated_at"])
            write_step_event(
                case=case,
                action=Action.HOLD_FLAG,
                actor=None,
                role=Role.SYSTEM,
                data={"expires_at": locked.expires_at.isoformat() if locked.expires_at else ""},
            )
            counts["flagged"] += 1
    for choice in ReplacementChoice.objects.filter(
        hold_state=HoldState.AUTHORIZED, authorized_at__lte=now - HOLD_SETTLE_BY
    ).only("pk", "case_id"):
        case = Case.objects.get(pk=choice.case_id)
        return_sent = ReturnShipment.objects.filter(case=case).exclude(state=PartState.TO_DO).exists()
        if case.status == Case.Status.AWAITING_RETURN and not return_sent:
            case_capture_hold(
                case=case,
                actor=None,
                comment=_("The return did not arrive and the PayPal hold was about to expire."),
            )
            counts["captured"] += 1
        else:
            with transaction.atomic():
                lock_case(case)
                locked = _locked_choice(case)
                if locked.hold_state == HoldState.AUTHORIZED:
                    _start_settling(locked, HoldState.VOIDING)
                    counts["released"] += 1
    stale = now - SETTLING_RESUME_AFTER
    for choice in ReplacementChoice.objects.filter(
        hold_state__in=[HoldState.VOIDING, HoldState.CAPTURING], updated_at__lte=stale
    ).only("pk", "case_id", "hold_state"):
        task = (
            "payments.tasks.release_hold"
            if choice.hold_state == HoldState.VOIDING
            else "payments.tasks.capture_hold"
        )
        with transaction.atomic():
            queue_after_commit(task, case_id=choice.case_id)
        counts["resumed"] += 1
    return counts

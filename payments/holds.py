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
import logging
import uuid
from decimal import Decimal
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
    Actor,
    Case,
    HoldSettlement,
    ReplacementMethod,
    Role,
)
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
from rma.required.advance import case_capture_hold, case_hold_captured, case_hold_released
from rma.required.models import PartState, ReturnShipment
from rma.required.services import check_part_step, complete_if_ready, part_submit
from rma_portal.tasks import queue_after_commit

logger = logging.getLogger(__name__)

# The hold is flagged to the team this long after it was placed (the window a hold placed
# and shipped at once would give; PayPal lets it go on day 29 whatever happened since).
HOLD_FLAG_AFTER = ADVANCE_RETURN_WINDOW
# A release or capture still on its way after this long (its task and the outbox's relay gave
# up) is handed to its task again by the watch.
SETTLING_RESUME_AFTER = datetime.timedelta(hours=6)

# What PayPal's issue codes mean, for the team (stored with the raw answer beside them).
PAYPAL_ISSUE_WORDS = {
    "AUTHORIZATION_EXPIRED": "the authorization has expired",
    "AUTHORIZATION_VOIDED": "the authorization was released already",
    "AUTHORIZATION_ALREADY_CAPTURED": "the authorization was captured already",
    "INSTRUMENT_DECLINED": "the customer's funding source was declined",
    "ORDER_NOT_APPROVED": "the customer has not approved the order on PayPal",
    "ORDER_ALREADY_AUTHORIZED": "the order was authorized already",
    "PAYER_ACTION_REQUIRED": "the customer still has to act on PayPal",
    "RESOURCE_NOT_FOUND": "PayPal does not know it",
    "INVALID_RESOURCE_ID": "PayPal does not know it",
    "AUTHENTICATION_FAILURE": "PayPal refused the portal's credentials",
    "NOT_AUTHORIZED": "the portal's PayPal account may not do this",
    "PERMISSION_DENIED": "the portal's PayPal account may not do this",
    "INVALID_REQUEST": "PayPal found the request invalid",
    "UNPROCESSABLE_ENTITY": "PayPal could not process the request",
    "RESOURCE_CONFLICT": "PayPal is busy with another request about it",
    "RATE_LIMIT_REACHED": "too many requests: PayPal asks to wait",
    "PREVIOUS_REQUEST_IN_PROGRESS": "PayPal is still busy with the same request",
}
# PayPal refuses these for now only: asking again later may work.
PASSING_ISSUES = frozenset({"RATE_LIMIT_REACHED", "RESOURCE_CONFLICT", "PREVIOUS_REQUEST_IN_PROGRESS"})


def paypal_words(error: paypal.PayPalError) -> str:
    """What PayPal answered, in the team's words, with PayPal's own answer beside them."""
    if isinstance(error, paypal.PayPalTimeout):
        words = "PayPal did not answer in time"
    elif isinstance(error, paypal.PayPalUnavailable):
        words = "PayPal is unavailable"
    else:
        words = PAYPAL_ISSUE_WORDS.get(getattr(error, "issue", ""), "PayPal refused")
    return f"{words[0].upper()}{words[1:]} ({error})"[:300]


def worth_asking_again(error: paypal.PayPalError) -> bool:
    """Whether PayPal may answer otherwise in a while (down, slow, rate-limited, busy)."""
    return isinstance(error, paypal.PayPalUnavailable) or getattr(error, "issue", "") in PASSING_ISSUES


def _same_money(amount: Decimal | None, currency: str, choice: ReplacementChoice) -> bool:
    return (
        amount is not None
        and choice.amount is not None
        and Decimal(amount) == Decimal(choice.amount)
        and currency.upper() == (choice.currency or "").upper()
    )


def order_problem(order: paypal.HoldOrder, *, choice: ReplacementChoice, reference: str) -> str:
    """Why the order PayPal created is not the one asked for, in the team's words ("" if it is)."""
    if order.status not in ("CREATED", "PAYER_ACTION_REQUIRED"):
        return f"PayPal created the order {order.order_id} with status {order.status or 'none'}."
    if not _same_money(order.amount, order.currency, choice):
        return (
            f"PayPal created the order {order.order_id} for {order.amount} {order.currency}, "
            f"not {choice.amount} {choice.currency}."
        )
    if order.reference != reference:
        return f"PayPal created the order {order.order_id} for reference {order.reference or 'none'}."
    return ""


def authorization_problem(
    authorization: paypal.Authorization, *, choice: ReplacementChoice, reference: str
) -> str:
    """Why PayPal's authorization is not the hold asked for, in the team's words ("" if it is):
    a hold is recorded only when PayPal says CREATED for the amount, currency and order asked."""
    named = authorization.authorization_id or "without an ID"
    if authorization.status != "CREATED":
        return f"PayPal answered the authorization {named} with status {authorization.status or 'none'}."
    if not _same_money(authorization.amount, authorization.currency, choice):
        return (
            f"PayPal authorized {authorization.amount} {authorization.currency} ({named}), "
            f"not {choice.amount} {choice.currency}."
        )
    if authorization.order_id != choice.order_id or authorization.reference != reference:
        return (
            f"PayPal's authorization {named} belongs to order {authorization.order_id or 'none'} "
            f"(reference {authorization.reference or 'none'}), not {choice.order_id} ({reference})."
        )
    return ""


def _locked_choice(case: Case) -> ReplacementChoice | None:
    return ReplacementChoice.objects.select_for_update().filter(case=case).first()


def _queue_email(event) -> None:
    queue_after_commit("payments.tasks.send_payment_email", event_id=event.pk)


def method_choose_standard(
    *, case: Case, actor: Actor, on_behalf: bool = False, meta: RequestMeta | None = None
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
    *, case: Case, actor: Actor, return_url: str, cancel_url: str, meta: RequestMeta | None = None
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
        check_part_step(locked, ReplacementChoice, customer=role == Role.CUSTOMER)
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
        hold_not_placed(case=case, actor=actor, reason=paypal_words(error), meta=meta)
        raise CaseActionError(
            _(
                "PayPal could not prepare the hold just now, so nothing was placed. "
                "Try again in a few minutes, or choose the standard way."
            )
        ) from None
    problem = order_problem(order, choice=choice, reference=case.number)
    if problem:
        hold_not_placed(case=case, actor=actor, reason=problem, meta=meta)
        raise CaseActionError(
            _(
                "PayPal did not prepare the hold we asked for, so nothing was placed. "
                "Try again in a few minutes, or choose the standard way."
            )
        )
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
    *, case: Case, actor: Actor | None, reason: str, order_id: str = "", meta: RequestMeta | None = None
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


def hold_approval_cancel(*, case: Case, actor: Actor, order_id: str, meta: RequestMeta | None = None) -> bool:
    """The customer left PayPal's page without approving (PayPal sends them back with the
    order's token): the pending approval ends and the choice is open again. Only the token of
    the pending order does it, so a link from anywhere else changes nothing; returns whether
    it did."""
    choice = ReplacementChoice.objects.filter(case=case).first()
    if (
        choice is None
        or choice.hold_state != HoldState.APPROVING
        or not order_id
        or order_id != choice.order_id
    ):
        return False
    authorize_customer_step(case=case, actor=actor, on_behalf=False)
    after = hold_not_placed(
        case=case, actor=actor, reason="cancelled on PayPal", order_id=order_id, meta=meta
    )
    return after is not None and after.hold_state == HoldState.NONE


def hold_authorize(
    *, case: Case, actor: Actor, order_id: str, meta: RequestMeta | None = None
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
    except paypal.PayPalError as error:
        if worth_asking_again(error):
            _note_paypal_answer(choice, paypal_words(error))
            raise CaseActionError(
                _("PayPal did not answer. Your approval is kept: try to confirm the hold again in a moment.")
            ) from None
        hold_not_placed(case=case, actor=actor, reason=paypal_words(error), order_id=order_id, meta=meta)
        raise CaseActionError(
            _("PayPal did not place the hold, so nothing is held on your account. Choose a method again.")
        ) from None
    problem = authorization_problem(authorization, choice=choice, reference=case.number)
    if problem:
        hold_not_placed(
            case=case,
            actor=actor,
            reason=" ".join(filter(None, (problem, _release_unwanted(authorization, choice)))),
            order_id=order_id,
            meta=meta,
        )
        raise CaseActionError(
            _(
                "PayPal did not place the hold we asked for, so we did not accept it and nothing stays "
                "held for this RMA solution. Choose a method again."
            )
        )
    return hold_record(case=case, actor=actor, authorization=authorization, meta=meta)


def _note_paypal_answer(choice: ReplacementChoice, words: str) -> None:
    """Keep PayPal's last answer on the hold for the team, its state unchanged."""
    ReplacementChoice.objects.filter(pk=choice.pk).update(paypal_error=words[:300], updated_at=timezone.now())


def _release_unwanted(authorization: paypal.Authorization, choice: ReplacementChoice) -> str:
    """Void an authorization PayPal gave that is not the hold asked for, if it may hold money;
    returns what became of it, for the team."""
    if not authorization.authorization_id or authorization.status not in ("CREATED", "PENDING"):
        return ""
    try:
        paypal.void_authorization(
            authorization_id=authorization.authorization_id, request_id=choice.request_id("void-unasked")
        )
    except paypal.PayPalError as error:
        return _("Releasing it failed: %(answer)s Release it on PayPal.") % {"answer": paypal_words(error)}
    return _("It was released.")


def hold_record(
    *, case: Case, actor: Actor, authorization: paypal.Authorization, meta: RequestMeta | None = None
) -> ReplacementChoice:
    """Record the authorization PayPal gave for the case's approved order: the hold is placed
    and the method part is in (the return is due once the replacement ships). Only an
    authorization PayPal says is CREATED for the amount, currency and order asked is a hold."""
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
        if authorization_problem(authorization, choice=choice, reference=locked.number):
            raise CaseActionError(_("PayPal did not place the hold we asked for: choose a method again."))
        choice.hold_state = HoldState.AUTHORIZED
        choice.authorization_id = authorization.authorization_id
        choice.authorization_status = authorization.status
        choice.authorized_at = now
        choice.expires_at = authorization.expires_at or now + paypal.AUTHORIZATION_VALIDITY
        choice.paypal_error = ""
        choice.record_submission(actor=actor, on_behalf=False)
        choice.save()
        locked.replacement_method = ReplacementMethod.ADVANCE
        locked.hold_placed_at = now
        locked.save(update_fields=["replacement_method", "hold_placed_at", "updated_at"])
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
# The case completes only when PayPal confirms the release or the capture; until then it
# awaits the return with the hold's fate recorded, and a refusal stays on the hold, with
# PayPal's answer, for the team to ask again (``hold_settle_retry``).


def _settling_state(case: Case) -> str:
    return HoldState.CAPTURING if case.hold_settlement == HoldSettlement.CAPTURE else HoldState.VOIDING


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


def _settlement_problem(
    choice: ReplacementChoice, authorization: paypal.Authorization | None, capture: paypal.Capture | None
) -> str:
    """Why PayPal's answer does not confirm the release or capture asked ("" when it does)."""
    if capture is not None:
        if capture.status != "COMPLETED":
            return f"PayPal answered the capture {capture.capture_id} with status {capture.status or 'none'}."
        if capture.amount is not None and not _same_money(capture.amount, capture.currency, choice):
            return (
                f"PayPal captured {capture.amount} {capture.currency}, not {choice.amount} {choice.currency}."
            )
        return ""
    if authorization is not None:
        if authorization.authorization_id != choice.authorization_id:
            return (
                f"PayPal answered about the authorization {authorization.authorization_id or 'none'}, "
                f"not {choice.authorization_id}."
            )
        if authorization.status != "VOIDED":
            return (
                f"PayPal still shows the authorization as {authorization.status or 'unknown'}, not released."
            )
    return ""


def _close_case_if_settled(case: Case, choice: ReplacementChoice, data: dict[str, Any]) -> Any:
    """The case awaiting the return completes once PayPal confirmed its hold settled the way
    decided (the system's step of the lifecycle); returns the event written, if any."""
    if case.status != Case.Status.AWAITING_RETURN or not case.settling_hold:
        return None
    if choice.hold_state == HoldState.VOIDED and case.hold_settlement == HoldSettlement.RELEASE:
        closed = case_hold_released(case=case, data=data)
    elif choice.hold_state == HoldState.CAPTURED and case.hold_settlement == HoldSettlement.CAPTURE:
        closed = case_hold_captured(case=case, data=data)
    else:
        return None
    return closed.events.order_by("-pk").first()


def hold_settled(
    *,
    case_id: int,
    authorization: paypal.Authorization | None = None,
    capture: paypal.Capture | None = None,
    error: str = "",
) -> ReplacementChoice | None:
    """Record what PayPal did with the hold: released or captured (the case awaiting the
    return then completes), or not (the hold is marked failed with PayPal's answer, the
    team is told and may ask again; the case stays open)."""
    with transaction.atomic():
        case = lock_case(Case.objects.get(pk=case_id))
        choice = _locked_choice(case)
        if choice is None or choice.hold_state in (HoldState.VOIDED, HoldState.CAPTURED):
            return choice
        error = error or _settlement_problem(choice, authorization, capture)
        if error:
            choice.hold_state = HoldState.FAILED
            action, data = Action.HOLD_ERROR, {"error": error[:300]}
        elif capture is not None:
            choice.hold_state = HoldState.CAPTURED
            choice.capture_id = capture.capture_id
            choice.authorization_status = "CAPTURED"
            action, data = Action.HOLD_CAPTURED, {"capture_id": capture.capture_id}
        else:
            choice.hold_state = HoldState.VOIDED
            choice.authorization_status = authorization.status
            action, data = Action.HOLD_VOID, {"status": authorization.status}
        choice.paypal_error = error[:300]
        choice.settled_at = timezone.now() if not error else None
        choice.save()
        data.update(
            authorization_id=choice.authorization_id, amount=str(choice.amount), currency=choice.currency
        )
        event = _close_case_if_settled(case, choice, data) or write_step_event(
            case=case, action=action, actor=None, role=Role.SYSTEM, data=data
        )
        # The customer hears of a release or a capture; a refusal goes to the team, who check it.
        _queue_email(event)
    return choice


def hold_close_if_settled(*, case_id: int) -> Case | None:
    """A release or capture asked for a hold PayPal settled already (by the watch, or an
    earlier try): the case awaiting the return completes now."""
    with transaction.atomic():
        case = lock_case(Case.objects.get(pk=case_id))
        choice = _locked_choice(case)
        if choice is None:
            return case
        data = {
            "authorization_id": choice.authorization_id,
            "amount": str(choice.amount),
            "currency": choice.currency,
            "capture_id": choice.capture_id,
        }
        event = _close_case_if_settled(case, choice, data)
        if event is not None:
            _queue_email(event)
    return case


def hold_settle_unanswered(*, case_id: int, error: paypal.PayPalError) -> ReplacementChoice | None:
    """PayPal did not answer the release or capture (down, slow, rate-limited) and no retry
    is left: the hold stays on its way, so its fate is asked again with the same request
    (the watch, or the team from the case page), and the team is told with PayPal's answer."""
    words = paypal_words(error)
    with transaction.atomic():
        case = lock_case(Case.objects.get(pk=case_id))
        choice = _locked_choice(case)
        if choice is None or choice.hold_state not in (HoldState.VOIDING, HoldState.CAPTURING):
            return choice
        choice.paypal_error = words
        choice.save(update_fields=["paypal_error", "updated_at"])
        event = write_step_event(
            case=case,
            action=Action.HOLD_ERROR,
            actor=None,
            role=Role.SYSTEM,
            data={"error": words, "authorization_id": choice.authorization_id, "answered": False},
        )
        _queue_email(event)
    return choice


def hold_settle_retry(*, case: Case, actor: Actor, meta: RequestMeta | None = None) -> ReplacementChoice:
    """The team asks PayPal again to release or capture a hold it refused or did not answer:
    a supervisor for a capture, an agent for a release. A refusal is asked again as a new
    request; an unanswered one with the same request, so PayPal never does it twice."""
    with transaction.atomic():
        locked = lock_case(case)
        capture = locked.hold_settlement == HoldSettlement.CAPTURE
        permission = "rma.approve_case" if capture else "rma.change_case"
        role = role_of(actor)
        if role not in (Role.AGENT, Role.SUPERVISOR) or not actor.has_perm(permission):
            raise CasePermissionError(
                _("Only a supervisor can ask PayPal again to capture a hold.")
                if capture
                else _("You do not have the permission this step needs.")
            )
        choice = _locked_choice(locked)
        if choice is None or not choice.settlement_failed:
            raise CaseActionError(
                _("Nothing was changed: PayPal is not waiting for another try on this hold.")
            )
        if choice.hold_state == HoldState.FAILED:
            choice.settle_attempt += 1
        previous = choice.paypal_error
        choice.paypal_error = ""
        choice.save(update_fields=["settle_attempt", "paypal_error", "updated_at"])
        _start_settling(choice, _settling_state(locked))
        write_step_event(
            case=locked,
            action=Action.HOLD_RETRY,
            actor=actor,
            role=role,
            data={"authorization_id": choice.authorization_id, "previous_answer": previous},
            meta=meta or NO_META,
        )
    return choice


def _settle_on_day_28(choice_id: int, case_id: int) -> str:
    case = Case.objects.get(pk=case_id)
    return_sent = ReturnShipment.objects.filter(case=case).exclude(state=PartState.TO_DO).exists()
    if case.status == Case.Status.AWAITING_RETURN and not case.settling_hold and not return_sent:
        case_capture_hold(
            case=case,
            actor=None,
            comment=_("The return did not arrive and the PayPal hold was about to expire."),
        )
        return "captured"
    with transaction.atomic():
        lock_case(case)
        locked = _locked_choice(case)
        if locked is None or locked.hold_state != HoldState.AUTHORIZED:
            return ""
        # The return is on its way (or the case closed): release; or finish what was decided.
        state = _settling_state(case) if case.settling_hold else HoldState.VOIDING
        _start_settling(locked, state)
        return "captured" if state == HoldState.CAPTURING else "released"


def hold_watch(*, now=None) -> dict[str, int]:
    """Never let a hold expire unnoticed (PayPal keeps it 29 days).

    From day 25 a hold still placed is flagged to the team (an event, and the case in the
    team's queue). On day 28 the portal settles what nobody settled: the hold is captured
    when the case still awaits a return that was never sent, and released otherwise (the
    return is on its way, or the case was closed). Holds whose release or capture was
    started and not finished are handed to their task again. A hold that cannot be dealt
    with is logged and left for the next run; the others go on.
    """
    now = now or timezone.now()
    counts = {"flagged": 0, "captured": 0, "released": 0, "resumed": 0, "failed": 0}
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
        try:
            outcome = _settle_on_day_28(choice.pk, choice.case_id)
        except Exception:
            # One hold the watch cannot settle must not keep it from the others.
            logger.exception("The watch on holds could not settle the hold of case %s", choice.case_id)
            counts["failed"] += 1
            continue
        if outcome:
            counts[outcome] += 1
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

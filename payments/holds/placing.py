"""Choosing the replacement method and placing the hold: the request, the approval, the authorization."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import paypal
from payments.holds.answers import (
    _locked_choice,
    authorization_problem,
    order_problem,
    paypal_words,
    worth_asking_again,
)
from payments.holds.settling import _start_settling
from payments.models import HOLD_PLACED_STATES, HoldState, ReplacementChoice
from rma.cases.models import (
    Action,
    Actor,
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
from rma.required.models import PartState
from rma.required.services import check_part_step, complete_if_ready, part_submission


def method_choose_standard(
    *, case: Case, actor: Actor, on_behalf: bool = False, meta: RequestMeta | None = None
) -> ReplacementChoice:
    """The customer chooses the standard way: they send the item first, the replacement follows."""

    with part_submission(
        case=case, model=ReplacementChoice, actor=actor, on_behalf=on_behalf, meta=meta
    ) as submission:
        locked, choice = submission.case, submission.part
        choice.method = ReplacementMethod.STANDARD
        choice.hold_state = HoldState.NONE
        choice.order_id = choice.approval_url = ""
        locked.replacement_method = ReplacementMethod.STANDARD
        locked.save(update_fields=["replacement_method", "updated_at"])
        submission.data = {"method": ReplacementMethod.STANDARD}

    return submission.part


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
        write_step_event(
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
        if not ReplacementChoice.open_now(locked):
            # The case moved on while the customer was on PayPal: nothing to hold any more.
            _start_settling(choice, HoldState.VOIDING)
        else:
            complete_if_ready(case=locked, actor=actor, meta=meta)
    return choice

"""Settling a hold: released when the return arrives, captured when it does not, watched near
PayPal's limit."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import paypal
from payments.holds.answers import (
    HOLD_FLAG_AFTER,
    SETTLING_RESUME_AFTER,
    _locked_choice,
    _same_money,
    paypal_words,
)
from payments.models import HoldState, ReplacementChoice
from rma.cases.models import (
    HOLD_SETTLE_BY,
    Action,
    Actor,
    Case,
    HoldSettlement,
    Role,
)
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    RequestMeta,
    lock_case,
    role_of,
    write_step_event,
)
from rma.required.advance import case_capture_hold, case_hold_captured, case_hold_released
from rma.required.models import PartState, ReturnShipment
from rma_portal.tasks import queue_after_commit

logger = logging.getLogger("payments.holds")
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
        # The customer hears of a release or a capture; a refusal goes to the team, who check
        # it (the events' emails, in payments.emails).
        _close_case_if_settled(case, choice, data) or write_step_event(
            case=case, action=action, actor=None, role=Role.SYSTEM, data=data
        )
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
        _close_case_if_settled(case, choice, data)
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
        write_step_event(
            case=case,
            action=Action.HOLD_ERROR,
            actor=None,
            role=Role.SYSTEM,
            data={"error": words, "authorization_id": choice.authorization_id, "answered": False},
        )
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

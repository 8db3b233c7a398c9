"""
The lifecycle's steps of an advance replacement: the replacement ships ahead of the return,
then the return arrives (the hold is released) or the window passes (a supervisor captures
the hold, or extends the window with a reason). Either decision leaves the case awaiting
the return with the hold's fate recorded (``Case.hold_settlement``); the case completes
when PayPal confirms the release or the capture (``case_hold_released``,
``case_hold_captured``, taken by the system), so it is never completed while PayPal still
holds the money.

The hold itself is PayPal's and lives in ``payments``; these steps queue its release or
capture by task name after the commit (``HOLD_RELEASE_TASK``, ``HOLD_CAPTURE_TASK``), so
``rma`` never imports ``payments``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rma.cases.models import Action, Actor, Case, HoldSettlement
from rma.cases.moves import moving
from rma.cases.workflow import CaseActionError, RequestMeta
from rma_portal.tasks import queue_after_commit

HOLD_RELEASE_TASK = "payments.tasks.release_hold"
HOLD_CAPTURE_TASK = "payments.tasks.capture_hold"


def _check_ships_ahead(case: Case) -> None:
    if not case.ships_ahead:
        raise CaseActionError(_("This case has no PayPal hold: it is not an advance replacement."))


def _check_not_settling(case: Case) -> None:
    if case.hold_settlement == HoldSettlement.RELEASE:
        raise CaseActionError(
            _("Nothing was changed: the return was marked received and the PayPal hold is being released.")
        )
    if case.hold_settlement == HoldSettlement.CAPTURE:
        raise CaseActionError(_("Nothing was changed: the PayPal hold is being captured."))


def case_ship_ahead(
    *,
    case: Case,
    actor: Actor,
    outbound_carrier: str = "",
    outbound_tracking_number: str = "",
    comment: str = "",
    meta: RequestMeta | None = None,
) -> Case:
    """The replacement of an advance replacement shipped: the case now awaits the return, due
    25 days from now, or earlier when the hold would not last that long at PayPal."""
    outbound_carrier = outbound_carrier.strip()
    outbound_tracking_number = outbound_tracking_number.strip()

    data = {"outbound_carrier": outbound_carrier, "outbound_tracking_number": outbound_tracking_number}
    step = {"action": Action.SHIP_AHEAD, "actor": actor, "comment": comment, "data": data, "meta": meta}
    with moving(case=case, **step) as move:
        locked = move.case
        _check_ships_ahead(locked)
        if not (outbound_carrier and outbound_tracking_number):
            raise CaseActionError(_("Give the carrier and tracking number of the shipment."))
        locked.outbound_carrier = outbound_carrier
        locked.outbound_tracking_number = outbound_tracking_number
        locked.return_due_at = locked.return_due_from(timezone.now())
    return locked


def case_receive_return(
    *, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None
) -> Case:
    """The returned item arrived: the hold is released (queued); the case completes when
    PayPal confirms the release."""

    with moving(case=case, action=Action.RECEIVE_RETURN, actor=actor, comment=comment, meta=meta) as move:
        _check_ships_ahead(move.case)
        _check_not_settling(move.case)
        move.case.hold_settlement = HoldSettlement.RELEASE
        queue_after_commit(HOLD_RELEASE_TASK, case_id=move.case.pk)
    return move.case


def case_capture_hold(
    *, case: Case, actor: Actor | None, comment: str = "", meta: RequestMeta | None = None
) -> Case:
    """The return window passed without the return: the hold is captured (queued); the case
    completes when PayPal confirms the capture. A supervisor decides; the system does it on
    the hold's last safe day."""

    with moving(case=case, action=Action.CAPTURE_HOLD, actor=actor, comment=comment, meta=meta) as move:
        locked = move.case
        _check_ships_ahead(locked)
        _check_not_settling(locked)
        if locked.return_due_at and timezone.now() < locked.return_due_at:
            raise CaseActionError(
                _("The return is due by %(date)s: the hold can be captured only after that.")
                % {"date": date_format(timezone.localtime(locked.return_due_at), "DATETIME_FORMAT")}
            )
        locked.hold_settlement = HoldSettlement.CAPTURE
        queue_after_commit(HOLD_CAPTURE_TASK, case_id=locked.pk)
    return locked


def case_extend_return(
    *,
    case: Case,
    actor: Actor,
    comment: str,
    return_due_on: datetime.date | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """A supervisor gives the customer until ``return_due_on`` to send the return, saying why.

    The hold must still be settled before PayPal lets it expire, so the new date is at most
    the hold's last safe day.
    """

    data = {"return_due_on": return_due_on.isoformat() if return_due_on else ""}
    step = {"action": Action.EXTEND_RETURN, "actor": actor, "comment": comment, "data": data, "meta": meta}
    with moving(case=case, **step) as move:
        locked = move.case
        _check_ships_ahead(locked)
        _check_not_settling(locked)
        if return_due_on is None:
            raise CaseActionError(_("Choose the new date the return is due."))
        current = timezone.localtime(locked.return_due_at or timezone.now())
        new_due = timezone.make_aware(
            datetime.datetime.combine(return_due_on, current.time().replace(tzinfo=None))
        )
        # A day before the portal settles the hold itself, so the supervisor still can.
        last = locked.latest_return_due()
        if new_due <= current:
            raise CaseActionError(_("The new date must be after the current one."))
        if last is not None and new_due > last:
            raise CaseActionError(
                _("PayPal keeps the hold only until %(date)s: choose a date up to then.")
                % {"date": date_format(timezone.localtime(last), "DATE_FORMAT")}
            )
        locked.return_due_at = new_due
    return locked


def _close_on_paypal_confirmation(
    *,
    case: Case,
    action: str,
    settlement: str,
    actor: Actor | None,
    comment: str,
    data: dict[str, Any] | None,
    meta: RequestMeta | None,
) -> Case:
    with moving(case=case, action=action, actor=actor, comment=comment, data=data, meta=meta) as move:
        _check_ships_ahead(move.case)
        if move.case.hold_settlement not in (settlement, HoldSettlement.NONE):
            raise CaseActionError(
                _("Nothing was changed: the PayPal hold was meant to be settled the other way.")
            )
        move.case.hold_settlement = settlement
    return move.case


def case_hold_released(
    *,
    case: Case,
    actor: Actor | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """PayPal confirmed the hold released: the case is complete (a step of the system only)."""
    return _close_on_paypal_confirmation(
        case=case,
        action=Action.HOLD_VOID,
        settlement=HoldSettlement.RELEASE,
        actor=actor,
        comment=comment,
        data=data,
        meta=meta,
    )


def case_hold_captured(
    *,
    case: Case,
    actor: Actor | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """PayPal confirmed the hold captured: the case is complete (a step of the system only)."""
    return _close_on_paypal_confirmation(
        case=case,
        action=Action.HOLD_CAPTURED,
        settlement=HoldSettlement.CAPTURE,
        actor=actor,
        comment=comment,
        data=data,
        meta=meta,
    )

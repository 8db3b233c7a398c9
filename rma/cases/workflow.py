"""
The machinery every change to a case runs on: who is acting and in which role, the row
lock, the audit event, and the move along one row of the lifecycle table.

Each service (``rma.cases.services``, ``rma.required.services``, ``payments.services``, ...)
runs in one transaction: it locks the case row, checks the current status against the
lifecycle table in ``rma.cases.models.lifecycle``, makes the change, writes one ``CaseEvent`` and
queues the notification email to go out after the commit (a status change goes through
``rma.cases.moves.moving``). A second, concurrent click waits
for the lock, then finds the status already moved on and is refused without any change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from rma.cases.event_emails import event_emails
from rma.cases.models import Action, Actor, Case, CaseEvent, Role, Transition, transition_for
from rma_portal.page_cache import customers_pages_changed
from rma_portal.tasks import queue_after_commit


class CaseActionError(Exception):
    """An action was refused; the message can be shown to the person who tried it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CaseStatusError(CaseActionError):
    """The case is not in a status where the action is possible.

    ``moved``: the person saw the case in a status the action starts from, and someone or
    something moved it on since (a concurrent change); otherwise the action is simply not a
    step of the status the case is in. ``case`` and ``action`` say which, when known.
    """

    def __init__(self, message: str, *, case: Case | None = None, action: str = "", moved: bool = False):
        super().__init__(message)
        self.case = case
        self.action = action
        self.moved = moved


class CaseStaleError(CaseStatusError):
    """The person decided on a revision of the solution that has since been replaced."""


class CasePermissionError(CaseActionError):
    """The person may not take this action on this case."""


@dataclass(frozen=True)
class RequestMeta:
    """Where an action came from, for the audit trail."""

    ip: str | None = None
    user_agent: str = ""


NO_META = RequestMeta()


def role_of(user: Any | None) -> str:
    """The role a person acts in: customers are not staff, supervisors may approve."""
    if user is None:
        return Role.SYSTEM
    if not user.is_staff:
        return Role.CUSTOMER
    return Role.SUPERVISOR if user.has_perm("rma.approve_case") else Role.AGENT


def can_take(transition: Transition, *, case: Case, user: Any | None, on_behalf: bool = False) -> bool:
    """Whether ``user`` may take ``transition`` on ``case`` (status aside)."""
    try:
        _authorize(transition, case=case, actor=user, on_behalf=on_behalf)
    except CasePermissionError:
        return False
    return True


def _authorize(transition: Transition, *, case: Case, actor: Actor | None, on_behalf: bool) -> str:
    role = role_of(actor)
    if role == Role.CUSTOMER:
        if on_behalf or role not in transition.roles or actor.pk != case.customer_id:
            raise CasePermissionError(_("You cannot do this on this RMA solution."))
        return role
    if role == Role.SYSTEM:
        if on_behalf or role not in transition.roles:
            raise CasePermissionError(_("This step cannot be taken automatically."))
        return role
    if on_behalf and not transition.on_behalf:
        raise CasePermissionError(_("This step cannot be taken on the customer's behalf."))
    if not on_behalf and role not in transition.roles:
        if transition.on_behalf:
            raise CasePermissionError(_("Staff take this step only on the customer's behalf."))
        raise CasePermissionError(_("Your role does not allow this step."))
    if not actor.has_perm(transition.permission):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    return role


def status_refusal(case: Case, action: str, *, moved: bool, customer: bool = False) -> CaseStatusError:
    """The refusal of ``action`` on ``case`` in a status it does not start from.

    ``moved``: the person saw the case where the action starts, and it moved on since.
    ``customer``: the person is the customer, who reads the status they are shown.
    """
    row = transition_for(action)
    values = {
        "number": case.number,
        "status": Case.Status(case.customer_status).label if customer else case.get_status_display(),
        "action": Action(action).label,
        "source": Case.Status(row.source).label,
    }
    if moved:
        message = _(
            "Nothing was changed: %(number)s was moved to “%(status)s” after you opened it, so "
            "“%(action)s” is no longer possible. Look at the case again before you go on."
        )
    else:
        message = _(
            "Nothing was changed: “%(action)s” is not possible while %(number)s is “%(status)s”; "
            "it is a step of a case in “%(source)s”."
        )
    return CaseStatusError(message % values, case=case, action=action, moved=moved)


def write_step_event(*, case: Case, **fields: Any) -> CaseEvent:
    """An event that leaves the status as it is (a part received, a lookup, an invoice)."""
    return write_event(case=case, from_status=case.status, to_status=case.status, **fields)


def write_step_events(
    *, cases: Sequence[Case], data: Callable[[Case], Mapping[str, Any]], **fields: Any
) -> list[CaseEvent]:
    """``write_step_event`` for many cases in one INSERT (a scheduled task's batch), each
    with its own ``data``; the customers' cached pages are retired as a save would."""
    events = CaseEvent.objects.bulk_create(
        [
            _new_event(case=case, from_status=case.status, to_status=case.status, data=data(case), **fields)
            for case in cases
        ]
    )
    customers_pages_changed({case.customer_id for case in cases})
    for event in events:
        queue_event_email(event)
    return events


def authorize_customer_step(*, case: Case, actor: Actor, on_behalf: bool) -> str:
    """The customer themselves, or staff with ``rma.change_case`` acting on their behalf."""
    role = role_of(actor)
    if role == Role.CUSTOMER:
        if on_behalf or actor.pk != case.customer_id:
            raise CasePermissionError(_("You cannot do this on this RMA solution."))
        return role
    if role == Role.SYSTEM or not on_behalf:
        raise CasePermissionError(_("Staff send the customer's information only on the customer's behalf."))
    if not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    return role


def lock_case(case: Case) -> Case:
    """``case`` read again under a row lock, for the rest of the transaction."""
    return Case.objects.select_for_update().get(pk=case.pk)


def last_event_id(case: Case) -> int:
    """The case's newest event: every change writes one, so it tells whether the case moved."""
    return CaseEvent.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first() or 0


def check_unchanged_since(case: Case, seen_event_id: int | None, *, required: bool = False) -> None:
    """Refuse a change made on a form showing the case as it was before its newest event.

    ``required``: the change comes from a form that must say what it showed; one that says
    nothing (``None``) is refused as if it were stale, never taken as up to date.
    """
    if seen_event_id is None and not required:
        return
    if seen_event_id is None or seen_event_id != last_event_id(case):
        raise CaseStaleError(
            _(
                "Someone changed this case after you opened it, so nothing was saved. "
                "Reload the page to see their change, then make yours again."
            )
        )


def write_event(
    *,
    case: Case,
    action: str,
    actor: Actor | None,
    role: str,
    on_behalf: bool = False,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta = NO_META,
) -> CaseEvent:
    """Append one entry to the case's audit trail (inside the caller's transaction), and
    queue the emails the apps' tables choose for it to go out after the commit."""
    event = _new_event(
        case=case,
        action=action,
        actor=actor,
        role=role,
        on_behalf=on_behalf,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        data=data,
        meta=meta,
    )
    event.save()
    queue_event_email(event)
    return event


def _new_event(
    *,
    case: Case,
    action: str,
    actor: Actor | None,
    role: str,
    on_behalf: bool = False,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta = NO_META,
) -> CaseEvent:
    return CaseEvent(
        case=case,
        actor=actor,
        actor_role=role,
        on_behalf=on_behalf,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        data=dict(data or {}),
        ip=meta.ip,
        user_agent=meta.user_agent,
    )


def queue_event_email(event: CaseEvent) -> None:
    """Queue each email the tables choose for ``event`` (``rma.cases.event_emails``), named, to
    go out after the commit: the task builds that email and decides nothing again."""
    for email in event_emails(event):
        queue_after_commit("rma.tasks.send_case_event_email", event_id=event.pk, email=email)

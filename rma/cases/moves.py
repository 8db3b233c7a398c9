"""
A move along one row of the lifecycle table, which a service reads top to bottom:

    with moving(case=case, action=Action.PUBLISH, actor=actor, comment=comment) as move:
        check_ready_for_customer(move.case)  # the locked row; CaseActionError refuses the step
        move.to(Case.Status.PENDING_CONFIRM)  # only when the row offers more than one status
    return move.case

Entering the block locks the case row and checks who acts and in which role, the status the
case is in, the revision of the solution decided on and the comment the row requires. The
block checks and changes the locked row. Leaving it moves the status, starts the new
status's clock, saves the case, writes the event and queues its email after the commit, in
the same transaction: an exception raised in the block changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rma.cases.deadlines import due_at_on_entering
from rma.cases.models import Actor, Case, CaseEvent, Role, Transition, transition_for
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CaseStaleError,
    RequestMeta,
    _authorize,
    lock_case,
    status_refusal,
    write_event,
)


@dataclass
class Move:
    """One step of ``row`` under way: ``case`` is the locked row, ``role`` the actor's."""

    case: Case
    row: Transition
    role: str
    data: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    event: CaseEvent | None = None

    def to(self, status: str) -> None:
        """Lead to ``status``, one of the row's targets (the first one unless said)."""
        if status not in self.row.targets:  # a bug in the service, never a user error
            raise ValueError(f"{self.row.action} cannot lead to {status}")
        self.target = status


@contextmanager
def moving(
    *,
    case: Case,
    action: str,
    actor: Actor | None,
    on_behalf: bool = False,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta | None = None,
    revision: int | None = None,
) -> Iterator[Move]:
    """Move ``case`` along the row of ``action`` when the block ends without an exception.

    ``revision``: the revision of the solution the actor decided on; any other is refused.
    """
    row = transition_for(action)
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = lock_case(case)
        role = _authorize(row, case=locked, actor=actor, on_behalf=on_behalf)
        if locked.status != row.source:
            # ``case`` is the case as the caller read it: in the action's status, it was moved
            # on meanwhile; in another, the action was never open to them.
            raise status_refusal(
                locked, action, moved=case.status == row.source, customer=role == Role.CUSTOMER
            )
        if revision is not None and revision != locked.revision:
            raise CaseStaleError(
                _(
                    "Nothing was changed: the solution was updated after you opened this page. "
                    "Please read the current solution, then agree or disagree."
                )
            )
        if row.comment_required and not comment:
            raise CaseActionError(_("Please add a comment: it is required for this step."))
        move = Move(case=locked, row=row, role=role, data=dict(data or {}))
        yield move
        _arrive(move, actor=actor, on_behalf=on_behalf, comment=comment, meta=meta or NO_META)


def _arrive(move: Move, *, actor: Actor | None, on_behalf: bool, comment: str, meta: RequestMeta) -> None:
    """Put the locked case in its new status, with its clock and its event (which queues its
    emails)."""
    locked, target = move.case, move.target or move.row.targets[0]
    from_status = locked.status
    locked.status = target
    locked.status_changed_at = timezone.now()
    # Every status starts its own clock; the table of allowances is in rma.cases.deadlines.
    locked.due_at = due_at_on_entering(locked, target, locked.status_changed_at)
    if target in Case.FINAL_STATUSES:
        locked.completed_at = locked.status_changed_at
    locked.save()
    move.event = write_event(
        case=locked,
        action=move.row.action,
        actor=actor,
        role=move.role,
        on_behalf=on_behalf,
        from_status=from_status,
        to_status=target,
        comment=comment,
        data=move.data,
        meta=meta,
    )


def transition(*, case: Case, action: str, **step: Any) -> Case:
    """Move ``case`` along one row of the lifecycle table, with nothing else to check or change
    (``step``: the other arguments of ``moving``)."""
    with moving(case=case, action=action, **step) as move:
        pass
    return move.case

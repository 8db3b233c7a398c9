"""A customer's warranty claim (``requested``): answered with an offer, or declined."""

from __future__ import annotations

from typing import Any

from rma.cases.models import Action, Case
from rma.cases.services.lifecycle import _check_ready_for_customer, _exception_data, _offer
from rma.cases.workflow import (
    RequestMeta,
    transition,
)

# --- A customer's warranty claim (``requested``) --------------------------------------------


def case_answer_claim(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Publish the solution the team wrote in a claim: to the customer, or to a supervisor
    first when it needs approval (ticked, by the team's rules, or against the policy)."""

    def prepare(locked: Case) -> str:
        _check_ready_for_customer(locked)
        _offer(locked)
        return Case.Status.PENDING_APPROVAL if locked.goes_to_approval else Case.Status.PENDING_CONFIRM

    return transition(
        case=case,
        action=Action.ANSWER_CLAIM,
        actor=actor,
        comment=comment,
        meta=meta,
        prepare=prepare,
        data=_exception_data(case),
    )


def case_decline_claim(*, case: Case, actor: Any, comment: str, meta: RequestMeta | None = None) -> Case:
    """Decline a claim with a reason the customer reads; the case is cancelled."""
    return transition(case=case, action=Action.DECLINE_CLAIM, actor=actor, comment=comment, meta=meta)

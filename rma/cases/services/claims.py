"""A customer's warranty claim (``requested``): answered with an offer, or declined."""

from __future__ import annotations

from rma.cases.models import Action, Actor, Case
from rma.cases.moves import moving, transition
from rma.cases.services.lifecycle import _check_ready_for_customer, _exception_data, _offer
from rma.cases.workflow import RequestMeta

# --- A customer's warranty claim (``requested``) --------------------------------------------


def case_answer_claim(
    *, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None
) -> Case:
    """Publish the solution the team wrote in a claim: to the customer, or to a supervisor
    first when it needs approval (ticked, by the team's rules, or against the policy)."""

    step = {"action": Action.ANSWER_CLAIM, "actor": actor, "comment": comment, "meta": meta}
    with moving(case=case, data=_exception_data(case), **step) as move:
        _check_ready_for_customer(move.case)
        _offer(move.case)
        move.to(Case.Status.PENDING_APPROVAL if move.case.goes_to_approval else Case.Status.PENDING_CONFIRM)
    return move.case


def case_decline_claim(*, case: Case, actor: Actor, comment: str, meta: RequestMeta | None = None) -> Case:
    """Decline a claim with a reason the customer reads; the case is cancelled."""
    return transition(case=case, action=Action.DECLINE_CLAIM, actor=actor, comment=comment, meta=meta)

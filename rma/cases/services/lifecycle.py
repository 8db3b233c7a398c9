"""The steps of a case's lifecycle: submitting, publishing, approving, the customer's answer,
revising, cancelling, completing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rma.cases.models import Action, Actor, Case
from rma.cases.moves import moving, transition
from rma.cases.workflow import CaseActionError, RequestMeta, lock_case


def _check_ready_for_customer(case: Case) -> None:
    case.prefill_hold_amount()
    if case.advance_replacement and case.hold_amount is None:
        raise CaseActionError(_("Give the hold amount, or the value of one unit of each item."))
    try:
        case.full_clean(exclude=["number", "customer"])
    except ValidationError as exc:
        raise CaseActionError(" ".join(exc.messages)) from exc
    if not case.items.exists():
        raise CaseActionError(_("Add at least one item before the customer sees the solution."))
    breaches = case.policy_breaches()
    if breaches and not case.policy_exception_reason.strip():
        raise CaseActionError(
            _(
                "Nothing was changed: this solution goes against the warranty policy. %(breaches)s "
                "Give the exception reason in the solution: a supervisor then reads it and approves "
                "the solution before the customer sees it."
            )
            % {"breaches": _breaches_text(breaches)}
        )


def _breaches_text(breaches: list[tuple[str, str]]) -> str:
    """Each item with why the policy refuses it, one sentence each."""
    return " ".join(_("%(item)s: %(reason)s") % {"item": item, "reason": reason} for item, reason in breaches)


def _offer(locked: Case) -> None:
    """Remember what is offered, so that a revision can tell whether it changes anything."""
    locked.offered_solution = locked.offered_fingerprint()


# --- The lifecycle ------------------------------------------------------------------------


def case_submit_for_approval(
    *, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None
) -> Case:
    """Send a draft to a supervisor for approval."""
    step = {"action": Action.SUBMIT_FOR_APPROVAL, "actor": actor, "comment": comment, "meta": meta}
    with moving(case=case, data=_exception_data(case), **step) as move:
        _check_ready_for_customer(move.case)
        _offer(move.case)
    return move.case


def _exception_data(case: Case) -> dict[str, Any]:
    """What the event of a step records of the policy exception the solution makes, if any."""
    breaches = case.policy_breaches()
    if not breaches:
        return {}
    return {
        "policy_breaches": [
            _("%(item)s: %(reason)s") % {"item": item, "reason": reason} for item, reason in breaches
        ],
        "exception_reason": case.policy_exception_reason,
    }


def case_publish(*, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Show a draft to the customer; one that needs approval (ticked, by the team's rules, or
    going against the warranty policy) goes to a supervisor instead."""
    with transaction.atomic():
        locked = lock_case(case)
        if locked.status == Case.Status.DRAFT and locked.goes_to_approval:
            return case_submit_for_approval(case=case, actor=actor, comment=comment, meta=meta)

        with moving(case=case, action=Action.PUBLISH, actor=actor, comment=comment, meta=meta) as move:
            if move.case.goes_to_approval:  # a bug in the routing above, never a user error
                raise CaseActionError(_("This solution needs a supervisor's approval first."))
            _check_ready_for_customer(move.case)
            _offer(move.case)
        return move.case


def case_approve(*, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """A supervisor approves the solution: the customer now sees it. A solution that goes
    against the warranty policy is approved only with the reason for the exception."""

    step = {"action": Action.APPROVE, "actor": actor, "comment": comment, "meta": meta}
    with moving(case=case, data=_exception_data(case), **step) as move:
        breaches = move.case.policy_breaches()
        if breaches and not (move.case.policy_exception_reason.strip() or (comment or "").strip()):
            raise CaseActionError(
                _(
                    "Nothing was changed: this solution goes against the warranty policy and gives no "
                    "reason for the exception. %(breaches)s Say in the comment why you approve it, or "
                    "send it back to the agent."
                )
                % {"breaches": _breaches_text(breaches)}
            )
    return move.case


def case_send_back(*, case: Case, actor: Actor, comment: str, meta: RequestMeta | None = None) -> Case:
    """A supervisor returns the solution to draft, saying why."""
    return transition(case=case, action=Action.SEND_BACK, actor=actor, comment=comment, meta=meta)


def case_agree(
    *,
    case: Case,
    actor: Actor,
    on_behalf: bool = False,
    comment: str = "",
    meta: RequestMeta | None = None,
    revision: int | None = None,
) -> Case:
    """The customer confirms the solution; it then waits for their information or is processed.

    An agent acting for the customer passes ``on_behalf=True`` and may say in ``comment`` how
    the customer gave their consent. ``revision``: the revision the customer saw; a solution
    revised since is not agreed to.
    """

    step = {"actor": actor, "on_behalf": on_behalf, "comment": comment, "meta": meta, "revision": revision}
    with moving(case=case, action=Action.AGREE, **step) as move:
        move.to(Case.Status.AWAITING_INFO if move.case.requires_info else Case.Status.PROCESSING)
    return move.case


def case_disagree(
    *,
    case: Case,
    actor: Actor,
    comment: str,
    on_behalf: bool = False,
    meta: RequestMeta | None = None,
    revision: int | None = None,
) -> Case:
    """The customer rejects the solution, saying what is wrong and what they want instead.

    ``revision``: the revision the customer saw; a solution revised since is not rejected.
    """
    return transition(
        case=case,
        action=Action.DISAGREE,
        actor=actor,
        on_behalf=on_behalf,
        comment=comment,
        meta=meta,
        revision=revision,
    )


def case_revise(*, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Offer the (edited) solution again after a disagreement, through approval if it needs one."""

    step = {"action": Action.REVISE, "actor": actor, "comment": comment, "meta": meta}
    with moving(case=case, data=_exception_data(case), **step) as move:
        locked = move.case
        _check_ready_for_customer(locked)
        if locked.offered_solution and locked.offered_fingerprint() == locked.offered_solution:
            raise CaseActionError(
                _(
                    "Nothing was changed: the solution is the one the customer disagreed with. Change "
                    "what you offer first (the items, the solution, an amount, the return, the note to "
                    "the customer), save the case, then revise it."
                )
            )
        _offer(locked)
        locked.revision += 1
        move.data["revision"] = locked.revision
        move.to(Case.Status.PENDING_APPROVAL if locked.goes_to_approval else Case.Status.PENDING_CONFIRM)
    return locked


def case_cancel(*, case: Case, actor: Actor, comment: str, meta: RequestMeta | None = None) -> Case:
    """Close a disagreed case without a solution."""
    return transition(case=case, action=Action.CANCEL, actor=actor, comment=comment, meta=meta)


def case_complete(
    *,
    case: Case,
    actor: Actor,
    refund_reference: str = "",
    outbound_carrier: str = "",
    outbound_tracking_number: str = "",
    comment: str = "",
    meta: RequestMeta | None = None,
) -> Case:
    """Close the case: the refund went out, or the replacement shipped with a tracking number."""
    refund_reference = refund_reference.strip()
    outbound_carrier = outbound_carrier.strip()
    outbound_tracking_number = outbound_tracking_number.strip()

    data = {
        key: value
        for key, value in (
            ("refund_reference", refund_reference),
            ("outbound_carrier", outbound_carrier),
            ("outbound_tracking_number", outbound_tracking_number),
        )
        if value
    }
    step = {"action": Action.COMPLETE, "actor": actor, "comment": comment, "data": data, "meta": meta}
    with moving(case=case, **step) as move:
        locked = move.case
        if locked.ships_ahead:
            raise CaseActionError(
                _(
                    "This replacement ships ahead of the return: ship it with “%(action)s”; "
                    "the case completes when the return arrives."
                )
                % {"action": Action.SHIP_AHEAD.label}
            )
        if locked.solution_type == Case.SolutionType.REFUND:
            if not refund_reference:
                raise CaseActionError(_("Give the refund's reference (e.g. the PayPal transaction ID)."))
            locked.refund_reference = refund_reference
        else:
            if not (outbound_carrier and outbound_tracking_number):
                raise CaseActionError(_("Give the carrier and tracking number of the shipment."))
            locked.outbound_carrier = outbound_carrier
            locked.outbound_tracking_number = outbound_tracking_number
    return locked

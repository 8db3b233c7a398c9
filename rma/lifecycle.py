"""
The service behind each status-changing action of the lifecycle table, for the admin's
buttons and the tests that walk the table. The case's own steps are in
``rma.cases.services``; the steps about the required information in
``rma.required.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from rma.cases.models import Action, Case
from rma.cases.services import (
    case_agree,
    case_answer_claim,
    case_approve,
    case_cancel,
    case_complete,
    case_decline_claim,
    case_disagree,
    case_publish,
    case_revise,
    case_send_back,
    case_submit_for_approval,
)
from rma.cases.workflow import CaseStatusError, status_refusal
from rma.required.advance import (
    case_capture_hold,
    case_extend_return,
    case_hold_captured,
    case_hold_released,
    case_receive_return,
    case_ship_ahead,
)
from rma.required.parts import missing_parts
from rma.required.services import case_accept, case_mark_info_complete, case_request_info
from rma_portal.formats import join_list

TRANSITION_SERVICES: dict[str, Callable[..., Case]] = {
    Action.ANSWER_CLAIM: case_answer_claim,
    Action.DECLINE_CLAIM: case_decline_claim,
    Action.SUBMIT_FOR_APPROVAL: case_submit_for_approval,
    Action.PUBLISH: case_publish,
    Action.APPROVE: case_approve,
    Action.SEND_BACK: case_send_back,
    Action.AGREE: case_agree,
    Action.DISAGREE: case_disagree,
    Action.REVISE: case_revise,
    Action.CANCEL: case_cancel,
    Action.MARK_INFO_COMPLETE: case_mark_info_complete,
    Action.ACCEPT: case_accept,
    Action.REQUEST_INFO: case_request_info,
    Action.COMPLETE: case_complete,
    Action.SHIP_AHEAD: case_ship_ahead,
    Action.RECEIVE_RETURN: case_receive_return,
    Action.CAPTURE_HOLD: case_capture_hold,
    Action.EXTEND_RETURN: case_extend_return,
    Action.HOLD_VOID: case_hold_released,
    Action.HOLD_CAPTURED: case_hold_captured,
}


# --- Messages -------------------------------------------------------------------------------


def refusal_for(case: Case, action: str, *, moved: bool = False) -> CaseStatusError:
    """Why ``action`` cannot be taken on ``case`` now, in the team's words.

    A case still waiting for information names the parts it waits for and how the team moves
    it on; any other status says where the action belongs.
    """
    if not moved and case.status == Case.Status.AWAITING_INFO:
        missing = [str(model.title) for model in missing_parts(case)]
        if missing:
            message = _(
                "Nothing was changed: “%(action)s” comes after the review, and %(number)s still "
                "waits for: %(parts)s. Enter what is missing for the customer or waive it with a "
                "reason (buttons on the case page); the case then goes to review."
            ) % {"action": Action(action).label, "number": case.number, "parts": join_list(missing)}
            return CaseStatusError(message, case=case, action=action)
    return status_refusal(case, action, moved=moved)


def transition_take(action: str, **kwargs: Any) -> Case:
    """Take ``action`` through its service; a refusal because the case is not in the status
    the action starts from says what the case waits for instead (``refusal_for``)."""
    try:
        return TRANSITION_SERVICES[action](**kwargs)
    except CaseStatusError as error:
        if error.case is None or error.action != action:
            raise
        raise refusal_for(error.case, action, moved=error.moved) from error

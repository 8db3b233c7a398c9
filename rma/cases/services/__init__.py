"""
The steps of a case's lifecycle and its conversation; creating and editing a case is in
``rma.cases.editing``. The machinery they share (lock, checks, event, email) is in
``rma.cases.workflow``; the required information has its own services in
``rma.required.services``.
"""

from rma.cases.services.claims import case_answer_claim, case_decline_claim
from rma.cases.services.conversation import case_message_post
from rma.cases.services.lifecycle import (
    case_agree,
    case_approve,
    case_cancel,
    case_complete,
    case_disagree,
    case_publish,
    case_revise,
    case_send_back,
    case_submit_for_approval,
)

__all__ = [
    "case_agree",
    "case_answer_claim",
    "case_approve",
    "case_cancel",
    "case_complete",
    "case_decline_claim",
    "case_disagree",
    "case_message_post",
    "case_publish",
    "case_revise",
    "case_send_back",
    "case_submit_for_approval",
]

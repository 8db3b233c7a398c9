"""
The lifecycle as data: the actions, and ``TRANSITIONS``, which says which action
moves a case from which status to which, and who may take it. ``rma.cases.services`` is the
only code that changes a case; it reads the table, never a second copy of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.db import models
from django.utils.translation import gettext_lazy as _

from rma.cases.models.statuses import Status

if TYPE_CHECKING:
    from accounts.models import User

# Who takes an action: a signed-in person (a customer or a member of staff), or nobody for
# the system's own steps (the schedule, PayPal's answers).
Actor: TypeAlias = "User | None"


class Role(models.TextChoices):
    """Who took an action, as recorded on each event."""

    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Warranty agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM = "system", _("System")


class Action(models.TextChoices):
    """Everything that can happen to a case; the first group moves it between statuses."""

    SUBMIT_FOR_APPROVAL = "submit_for_approval", _("Submit for approval")
    PUBLISH = "publish", _("Publish to the customer")
    APPROVE = "approve", _("Approve")
    SEND_BACK = "send_back", _("Send back to draft")
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    REVISE = "revise", _("Revise the solution")
    CANCEL = "cancel", _("Cancel")
    MARK_INFO_COMPLETE = "mark_info_complete", _("Mark the required information complete")
    ACCEPT = "accept", _("Accept the information")
    REQUEST_INFO = "request_info", _("Ask for information again")
    COMPLETE = "complete", _("Complete")
    # Actions that leave the status as it is.
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    MESSAGE = "message", _("Message")
    REMIND = "remind", _("Reminder sent")
    FLAG_OVERDUE = "flag_overdue", _("Flagged overdue to the team")
    # The required information (rma.required.services, payments.services).
    RETURN_SUBMIT = "return_submit", _("Return information sent")
    ADDRESS_CONFIRM = "address_confirm", _("Shipping address confirmed")
    ADDRESS_ON_FILE = "address_on_file", _("Shipping address recorded by the team")
    PART_WAIVE = "part_waive", _("Required information waived")
    PAYMENT_SUBMIT = "payment_submit", _("Payment proof sent")
    PAYMENT_LOOKUP = "payment_lookup", _("Payment looked up on PayPal")
    INVOICE_REQUEST = "invoice_request", _("PayPal invoice requested")
    INVOICE_QUEUE = "invoice_queue", _("PayPal invoice ordered")
    INVOICE_SENT = "invoice_sent", _("PayPal invoice sent")
    INVOICE_FAILED = "invoice_failed", _("PayPal invoice refused")
    WARRANTY_OVERRIDE = "warranty_override", _("Warranty set by hand")
    # Advance replacement: the method, the PayPal hold, the replacement shipped ahead.
    SHIP_AHEAD = "ship_ahead", _("Ship the replacement ahead of the return")
    RECEIVE_RETURN = "receive_return", _("Mark the return received")
    CAPTURE_HOLD = "capture_hold", _("Capture the PayPal hold")
    EXTEND_RETURN = "extend_return", _("Extend the return window")
    METHOD_CHOOSE = "method_choose", _("Replacement method chosen")
    HOLD_APPROVAL = "hold_approval", _("Sent to PayPal to approve the hold")
    HOLD_CANCEL = "hold_cancel", _("PayPal hold not placed")
    HOLD_PLACE = "hold_place", _("PayPal hold placed")
    HOLD_FLAG = "hold_flag", _("PayPal hold flagged: decide before it expires")
    HOLD_VOID = "hold_void", _("PayPal hold released")
    HOLD_CAPTURED = "hold_captured", _("PayPal hold captured")
    HOLD_ERROR = "hold_error", _("PayPal refused to settle the hold")
    HOLD_RETRY = "hold_retry", _("Asked PayPal again to settle the hold")


@dataclass(frozen=True)
class Transition:
    """One row of the lifecycle table.

    ``roles`` are the roles that may take the action themselves. ``on_behalf`` says staff may
    take a customer's action for them (recorded as such). ``permission`` is what a member of
    staff needs, whether acting for themselves or on the customer's behalf.
    """

    action: str
    source: str
    targets: tuple[str, ...]
    roles: frozenset[str]
    permission: str
    on_behalf: bool = False
    comment_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Action.SUBMIT_FOR_APPROVAL,
        Status.DRAFT,
        (Status.PENDING_APPROVAL,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.PUBLISH,
        Status.DRAFT,
        (Status.PENDING_CONFIRM,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.APPROVE,
        Status.PENDING_APPROVAL,
        (Status.PENDING_CONFIRM,),
        frozenset({Role.SUPERVISOR}),
        "rma.approve_case",
    ),
    Transition(
        Action.SEND_BACK,
        Status.PENDING_APPROVAL,
        (Status.DRAFT,),
        frozenset({Role.SUPERVISOR}),
        "rma.approve_case",
        comment_required=True,
    ),
    Transition(
        Action.AGREE,
        Status.PENDING_CONFIRM,
        (Status.AWAITING_INFO, Status.PROCESSING),
        frozenset({Role.CUSTOMER}),
        "rma.change_case",
        on_behalf=True,
    ),
    Transition(
        Action.DISAGREE,
        Status.PENDING_CONFIRM,
        (Status.DISAGREED,),
        frozenset({Role.CUSTOMER}),
        "rma.change_case",
        on_behalf=True,
        comment_required=True,
    ),
    Transition(
        Action.REVISE,
        Status.DISAGREED,
        (Status.PENDING_CONFIRM, Status.PENDING_APPROVAL),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.CANCEL,
        Status.DISAGREED,
        (Status.CANCELLED,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
        comment_required=True,
    ),
    Transition(
        Action.MARK_INFO_COMPLETE,
        Status.AWAITING_INFO,
        (Status.UNDER_REVIEW,),
        frozenset({Role.CUSTOMER, Role.SYSTEM}),
        "rma.change_case",
        on_behalf=True,
    ),
    Transition(
        Action.ACCEPT,
        Status.UNDER_REVIEW,
        (Status.PROCESSING,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.REQUEST_INFO,
        Status.UNDER_REVIEW,
        (Status.AWAITING_INFO,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
        comment_required=True,
    ),
    Transition(
        Action.COMPLETE,
        Status.PROCESSING,
        (Status.COMPLETED,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    # Advance replacement: the replacement ships first; the case stays open until the return.
    Transition(
        Action.SHIP_AHEAD,
        Status.PROCESSING,
        (Status.AWAITING_RETURN,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    # The return received, or the hold to be captured: the hold's fate is decided and the case
    # waits for PayPal. It completes when PayPal confirms the release or the capture (a step
    # of the system only), never while money is held or its fate unknown.
    Transition(
        Action.RECEIVE_RETURN,
        Status.AWAITING_RETURN,
        (Status.AWAITING_RETURN,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.CAPTURE_HOLD,
        Status.AWAITING_RETURN,
        (Status.AWAITING_RETURN,),
        frozenset({Role.SUPERVISOR, Role.SYSTEM}),
        "rma.approve_case",
    ),
    Transition(
        Action.HOLD_VOID,
        Status.AWAITING_RETURN,
        (Status.COMPLETED,),
        frozenset({Role.SYSTEM}),
        "rma.change_case",
    ),
    Transition(
        Action.HOLD_CAPTURED,
        Status.AWAITING_RETURN,
        (Status.COMPLETED,),
        frozenset({Role.SYSTEM}),
        "rma.change_case",
    ),
    Transition(
        Action.EXTEND_RETURN,
        Status.AWAITING_RETURN,
        (Status.AWAITING_RETURN,),
        frozenset({Role.SUPERVISOR}),
        "rma.approve_case",
        comment_required=True,
    ),
)


def transitions_from(status: str) -> list[Transition]:
    """Every row of the table that starts at ``status``."""
    return [row for row in TRANSITIONS if row.source == status]


def transition_for(action: str) -> Transition:
    """The table row of a status-changing action (each action starts from one status)."""
    for row in TRANSITIONS:
        if row.action == action:
            return row
    raise KeyError(action)

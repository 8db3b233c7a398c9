"""
Every change to a case goes through this module.

Each service runs in one transaction: it locks the case row, checks the current status
against the lifecycle table in ``rma.models``, makes the change, writes one ``CaseEvent`` and
queues the notification email to go out after the commit. A second, concurrent click waits
for the lock, then finds the status already moved on and is refused without any change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from rma.deadlines import due_at_for
from rma.models import (
    Action,
    Case,
    CaseEvent,
    CaseItem,
    CaseMessage,
    CaseNumberCounter,
    Role,
    Transition,
    transition_for,
)

User = get_user_model()

# Fields that make up the solution: frozen once the customer may rely on them.
SOLUTION_FIELDS = (
    "solution_type",
    "solution_note",
    "return_required",
    "warehouse",
    "payment_amount",
    "payment_currency",
    "refund_amount",
    "refund_currency",
    "needs_approval",
    "country",
)
# The team's own bookkeeping, editable in any status.
TEAM_FIELDS = ("assigned_agent", "agent_notes")


class CaseActionError(Exception):
    """An action was refused; the message can be shown to the person who tried it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CaseStatusError(CaseActionError):
    """The case is not in a status where the action is possible (often: already done)."""


class CasePermissionError(CaseActionError):
    """The person may not take this action on this case."""


@dataclass(frozen=True)
class RequestMeta:
    """Where an action came from, for the audit trail."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> RequestMeta:
        # REMOTE_ADDR is what the server saw; a trusted proxy setup rewrites it upstream.
        return cls(
            ip=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        )


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


def _authorize(transition: Transition, *, case: Case, actor: Any | None, on_behalf: bool) -> str:
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


def _status_refusal(case: Case, action: str) -> CaseStatusError:
    return CaseStatusError(
        _("Nothing was changed: RMA %(number)s is now “%(status)s”, so “%(action)s” is no longer possible.")
        % {
            "number": case.number,
            "status": case.get_status_display(),
            "action": Action(action).label,
        }
    )


def write_step_event(*, case: Case, **fields: Any) -> CaseEvent:
    """An event that leaves the status as it is (a part received, a lookup, an invoice)."""
    return write_event(case=case, from_status=case.status, to_status=case.status, **fields)


def authorize_customer_step(*, case: Case, actor: Any, on_behalf: bool) -> str:
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


def write_event(
    *,
    case: Case,
    action: str,
    actor: Any | None,
    role: str,
    on_behalf: bool = False,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta = NO_META,
) -> CaseEvent:
    """Append one entry to the case's audit trail (inside the caller's transaction)."""
    return CaseEvent.objects.create(
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


def _queue_event_email(event: CaseEvent) -> None:
    from rma.emails import event_sends_email
    from rma.tasks import send_case_event_email

    if event_sends_email(event):
        send_case_event_email.delay_on_commit(event_id=event.pk)


def _transition(
    *,
    case: Case,
    action: str,
    actor: Any | None,
    on_behalf: bool = False,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta | None = None,
    prepare: Callable[[Case], str | None] | None = None,
) -> Case:
    """Move ``case`` along one row of the lifecycle table.

    ``prepare`` runs on the locked row after the checks; it may change fields, raise
    ``CaseActionError``, and return the target status when the row offers more than one.
    """
    row = transition_for(action)
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = lock_case(case)
        role = _authorize(row, case=locked, actor=actor, on_behalf=on_behalf)
        if locked.status != row.source:
            raise _status_refusal(locked, action)
        if row.comment_required and not comment:
            raise CaseActionError(_("Please add a comment: it is required for this step."))
        target = prepare(locked) if prepare else None
        target = target or row.targets[0]
        if target not in row.targets:  # a bug in ``prepare``, never a user error
            raise ValueError(f"{action} cannot lead to {target}")
        from_status = locked.status
        locked.status = target
        locked.status_changed_at = timezone.now()
        # Every status starts its own clock; the table of allowances is in rma.deadlines.
        locked.due_at = due_at_for(target, locked.status_changed_at)
        if target in Case.FINAL_STATUSES:
            locked.completed_at = locked.status_changed_at
        locked.save()
        event = write_event(
            case=locked,
            action=action,
            actor=actor,
            role=role,
            on_behalf=on_behalf,
            from_status=from_status,
            to_status=target,
            comment=comment,
            data=data,
            meta=meta or NO_META,
        )
        _queue_event_email(event)
    return locked


# --- Creating and editing -----------------------------------------------------------------


def customer_for_email(*, email: str) -> Any:
    """The customer account for ``email``, created (without a usable password) if new."""
    email = User.objects.normalize_email(email).strip()
    user = User.objects.with_email(email).first()
    if user is None:
        try:
            with transaction.atomic():
                return User.objects.create_user(email)
        except (IntegrityError, ValidationError):
            # Another agent created the same customer a moment ago: use that account.
            user = User.objects.with_email(email).get()
    if user.is_staff:
        raise CaseActionError(_("This address belongs to a member of staff, not a customer."))
    return user


def _next_number(year: int) -> str:
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"RMA-{year}-{counter.last_value:06d}"


def case_create(
    *,
    case: Case,
    actor: Any,
    items: Iterable[Mapping[str, Any]] = (),
    meta: RequestMeta | None = None,
) -> Case:
    """Save a new draft ``case`` (built by a form or by code) with its number and items."""
    if case.pk is not None:
        raise ValueError("case_create takes an unsaved case")
    with transaction.atomic():
        case.status = Case.Status.DRAFT
        case.full_clean(exclude=["number", "customer"])
        case.number = _next_number(timezone.now().year)
        case.due_at = due_at_for(case.status, case.status_changed_at)
        case.save()
        for fields in items:
            item = CaseItem(case=case, **fields)
            item.full_clean()
            item.save()
        event = write_event(
            case=case,
            action=Action.CREATE,
            actor=actor,
            role=role_of(actor),
            to_status=case.status,
            meta=meta or NO_META,
        )
        _queue_event_email(event)
    return case


def case_update(
    *,
    case: Case,
    actor: Any,
    changed_fields: Iterable[str],
    meta: RequestMeta | None = None,
) -> Case:
    """Save edits made on ``case``: solution fields only in draft or disagreed."""
    changed = [name for name in changed_fields if name in SOLUTION_FIELDS + TEAM_FIELDS]
    if not changed:
        return case
    with transaction.atomic():
        locked = lock_case(case)
        if any(name in SOLUTION_FIELDS for name in changed) and not locked.is_solution_editable:
            raise CaseStatusError(
                _("The solution can be changed only in draft or after the customer disagreed.")
            )
        for name in changed:
            setattr(locked, name, getattr(case, name))
        locked.full_clean(exclude=["number", "customer"])
        locked.save()
        write_event(
            case=locked,
            action=Action.EDIT,
            actor=actor,
            role=role_of(actor),
            from_status=locked.status,
            to_status=locked.status,
            data={"fields": changed},
            meta=meta or NO_META,
        )
    return locked


def case_items_save(
    *,
    case: Case,
    actor: Any,
    saved: Sequence[CaseItem],
    deleted: Sequence[CaseItem] = (),
    record_event: bool = True,
    meta: RequestMeta | None = None,
) -> Case:
    """Save added or edited items of ``case`` and remove deleted ones: only while the
    solution may change (draft, disagreed), with one event naming what changed."""
    if not saved and not deleted:
        return case
    with transaction.atomic():
        locked = lock_case(case)
        if not locked.is_solution_editable:
            raise CaseStatusError(
                _("The items can be changed only in draft or after the customer disagreed.")
            )
        added = [item for item in saved if item.pk is None]
        for item in saved:
            item.case = locked
            item.full_clean()
            item.save()
        for item in deleted:
            item.delete()
        if record_event:
            write_event(
                case=locked,
                action=Action.EDIT,
                actor=actor,
                role=role_of(actor),
                from_status=locked.status,
                to_status=locked.status,
                data={
                    "items": {
                        "added": [str(item) for item in added],
                        "changed": [str(item) for item in saved if item not in added],
                        "removed": [str(item) for item in deleted],
                    }
                },
                meta=meta or NO_META,
            )
    return locked


def _check_ready_for_customer(case: Case) -> None:
    try:
        case.full_clean(exclude=["number", "customer"])
    except ValidationError as exc:
        raise CaseActionError(" ".join(exc.messages)) from exc
    if not case.items.exists():
        raise CaseActionError(_("Add at least one item before the customer sees the solution."))


# --- The lifecycle ------------------------------------------------------------------------


def case_submit_for_approval(
    *, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None
) -> Case:
    """Send a draft to a supervisor for approval."""

    def prepare(locked: Case) -> None:
        _check_ready_for_customer(locked)

    return _transition(
        case=case, action=Action.SUBMIT_FOR_APPROVAL, actor=actor, comment=comment, meta=meta, prepare=prepare
    )


def case_publish(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Show a draft that needs no approval to the customer."""

    def prepare(locked: Case) -> None:
        if locked.needs_approval:
            raise CaseActionError(_("This solution needs a supervisor's approval first."))
        _check_ready_for_customer(locked)

    return _transition(
        case=case, action=Action.PUBLISH, actor=actor, comment=comment, meta=meta, prepare=prepare
    )


def case_approve(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """A supervisor approves the solution: the customer now sees it."""
    return _transition(case=case, action=Action.APPROVE, actor=actor, comment=comment, meta=meta)


def case_send_back(*, case: Case, actor: Any, comment: str, meta: RequestMeta | None = None) -> Case:
    """A supervisor returns the solution to draft, saying why."""
    return _transition(case=case, action=Action.SEND_BACK, actor=actor, comment=comment, meta=meta)


def case_agree(
    *,
    case: Case,
    actor: Any,
    on_behalf: bool = False,
    comment: str = "",
    meta: RequestMeta | None = None,
) -> Case:
    """The customer confirms the solution; it then waits for their information or is processed.

    An agent acting for the customer passes ``on_behalf=True`` and may say in ``comment`` how
    the customer gave their consent.
    """

    def prepare(locked: Case) -> str:
        return Case.Status.AWAITING_INFO if locked.requires_info else Case.Status.PROCESSING

    return _transition(
        case=case,
        action=Action.AGREE,
        actor=actor,
        on_behalf=on_behalf,
        comment=comment,
        meta=meta,
        prepare=prepare,
    )


def case_disagree(
    *, case: Case, actor: Any, comment: str, on_behalf: bool = False, meta: RequestMeta | None = None
) -> Case:
    """The customer rejects the solution, saying what is wrong and what they want instead."""
    return _transition(
        case=case, action=Action.DISAGREE, actor=actor, on_behalf=on_behalf, comment=comment, meta=meta
    )


def case_revise(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Offer the (edited) solution again after a disagreement, through approval if it needs one."""

    def prepare(locked: Case) -> str:
        _check_ready_for_customer(locked)
        locked.revision += 1
        return Case.Status.PENDING_APPROVAL if locked.needs_approval else Case.Status.PENDING_CONFIRM

    return _transition(
        case=case,
        action=Action.REVISE,
        actor=actor,
        comment=comment,
        meta=meta,
        prepare=prepare,
        data={"revision": case.revision + 1},
    )


def case_cancel(*, case: Case, actor: Any, comment: str, meta: RequestMeta | None = None) -> Case:
    """Close a disagreed case without a solution."""
    return _transition(case=case, action=Action.CANCEL, actor=actor, comment=comment, meta=meta)


def case_mark_info_complete(
    *,
    case: Case,
    actor: Any | None,
    on_behalf: bool = False,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """Every required part (return, payment proof, address) is in: the team reviews it.

    Call it in the same transaction that stores the last part; ``actor`` is the customer,
    an agent with ``on_behalf=True``, or ``None`` for the system.
    """
    return _transition(
        case=case,
        action=Action.MARK_INFO_COMPLETE,
        actor=actor,
        on_behalf=on_behalf,
        comment=comment,
        data=data,
        meta=meta,
    )


def case_accept(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """The team accepts what the customer sent (every part marked accepted); the solution is carried out."""

    def prepare(locked: Case) -> None:
        from rma.submissions import record_verdict

        record_verdict(locked, accepted=True)

    return _transition(
        case=case, action=Action.ACCEPT, actor=actor, comment=comment, meta=meta, prepare=prepare
    )


def case_request_info(
    *,
    case: Case,
    actor: Any,
    comment: str,
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """Ask the customer again for information, with the reason.

    ``data["parts"]`` names the parts (or pieces, such as ``label_photo``) sent back; when it
    names none, every part is sent back. The others stay as the customer sent them.
    """

    def prepare(locked: Case) -> None:
        from rma.submissions import record_verdict

        record_verdict(locked, accepted=False, reason=comment.strip(), parts=(data or {}).get("parts") or ())

    return _transition(
        case=case,
        action=Action.REQUEST_INFO,
        actor=actor,
        comment=comment,
        data=data,
        meta=meta,
        prepare=prepare,
    )


def case_complete(
    *,
    case: Case,
    actor: Any,
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

    def prepare(locked: Case) -> None:
        if locked.solution_type == Case.SolutionType.REFUND:
            if not refund_reference:
                raise CaseActionError(_("Give the refund's reference (e.g. the PayPal transaction ID)."))
            locked.refund_reference = refund_reference
        else:
            if not (outbound_carrier and outbound_tracking_number):
                raise CaseActionError(_("Give the carrier and tracking number of the shipment."))
            locked.outbound_carrier = outbound_carrier
            locked.outbound_tracking_number = outbound_tracking_number

    data = {
        key: value
        for key, value in (
            ("refund_reference", refund_reference),
            ("outbound_carrier", outbound_carrier),
            ("outbound_tracking_number", outbound_tracking_number),
        )
        if value
    }
    return _transition(
        case=case, action=Action.COMPLETE, actor=actor, comment=comment, data=data, meta=meta, prepare=prepare
    )


# One entry per status-changing action, for admin buttons and the tests.
TRANSITION_SERVICES: dict[str, Callable[..., Case]] = {
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
}


# --- Messages -------------------------------------------------------------------------------


def case_message_post(*, case: Case, author: Any, body: str, meta: RequestMeta | None = None) -> CaseMessage:
    """Add a message to the case's conversation and tell the other side by email."""
    body = (body or "").strip()
    if not body:
        raise CaseActionError(_("The message is empty."))
    role = role_of(author)
    with transaction.atomic():
        locked = lock_case(case)
        if role == Role.CUSTOMER:
            if author.pk != locked.customer_id or not locked.is_visible_to_customer:
                raise CasePermissionError(_("You cannot write on this RMA solution."))
            sender = CaseMessage.Sender.CUSTOMER
        elif role == Role.SYSTEM or not author.has_perm("rma.add_casemessage"):
            raise CasePermissionError(_("You do not have the permission to write to customers."))
        else:
            sender = CaseMessage.Sender.TEAM
        message = CaseMessage.objects.create(case=locked, author=author, sender=sender, body=body)
        write_event(
            case=locked,
            action=Action.MESSAGE,
            actor=author,
            role=role,
            from_status=locked.status,
            to_status=locked.status,
            data={"message_id": message.pk},
            meta=meta or NO_META,
        )
        from rma.tasks import send_case_message_email

        send_case_message_email.delay_on_commit(message_id=message.pk)
    return message

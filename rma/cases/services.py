"""
Every change to a case itself: creating and editing it, the steps of its lifecycle, and its
conversation. The machinery they share (lock, checks, event, email) is in
``rma.cases.workflow``; the required information has its own services in
``rma.required.services``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rma.cases.deadlines import due_at_for
from rma.cases.models import Action, Case, CaseItem, CaseMessage, CaseNumberCounter, Role
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    CaseStatusError,
    RequestMeta,
    check_unchanged_since,
    lock_case,
    queue_event_email,
    role_of,
    transition,
    write_event,
    write_step_event,
)
from rma_portal.tasks import queue_after_commit

User = get_user_model()

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
    """Save a new draft ``case`` (built by a form or by code) with its number and items.

    A case an agent creates is theirs unless they assign it to someone else.
    """
    if case.pk is not None:
        raise ValueError("case_create takes an unsaved case")
    if case.assigned_agent_id is None and role_of(actor) in (Role.AGENT, Role.SUPERVISOR):
        case.assigned_agent = actor
    with transaction.atomic():
        case.status = Case.Status.DRAFT
        case.needs_approval = case.needs_approval or case.approval_required_by_rules()
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
        queue_event_email(event)
    return case


def case_update(
    *,
    case: Case,
    actor: Any,
    changed_fields: Iterable[str],
    meta: RequestMeta | None = None,
    seen_event_id: int | None = None,
) -> Case:
    """Save edits made on ``case``: solution fields only in draft or disagreed.

    ``seen_event_id``: the case's newest event when the form was opened; edits made on a
    case that has changed since are refused rather than written over the newer change.
    """
    changed = [name for name in changed_fields if name in SOLUTION_FIELDS + TEAM_FIELDS]
    if not changed:
        return case
    with transaction.atomic():
        locked = lock_case(case)
        check_unchanged_since(locked, seen_event_id)
        if any(name in SOLUTION_FIELDS for name in changed) and not locked.is_solution_editable:
            raise CaseStatusError(
                _("The solution can be changed only in draft or after the customer disagreed.")
            )
        if "needs_approval" in changed and locked.needs_approval and not case.needs_approval:
            _check_may_waive_approval(actor)
        for name in changed:
            setattr(locked, name, getattr(case, name))
        locked.needs_approval = locked.needs_approval or locked.approval_required_by_rules()
        locked.full_clean(exclude=["number", "customer"])
        locked.save()
        write_step_event(
            case=locked,
            action=Action.EDIT,
            actor=actor,
            role=role_of(actor),
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
            write_step_event(
                case=locked,
                action=Action.EDIT,
                actor=actor,
                role=role_of(actor),
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


def _check_may_waive_approval(actor: Any) -> None:
    # Whether a solution is reviewed is not for the agent who drafted it to decide.
    if not actor.has_perm("rma.approve_case"):
        raise CasePermissionError(_("Only a supervisor can decide that a solution needs no approval."))


def _needs_approval(case: Case) -> bool:
    return case.needs_approval or case.approval_required_by_rules()


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

    return transition(
        case=case, action=Action.SUBMIT_FOR_APPROVAL, actor=actor, comment=comment, meta=meta, prepare=prepare
    )


def case_publish(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Show a draft that needs no approval to the customer."""

    def prepare(locked: Case) -> None:
        if _needs_approval(locked):
            raise CaseActionError(_("This solution needs a supervisor's approval first."))
        _check_ready_for_customer(locked)

    return transition(
        case=case, action=Action.PUBLISH, actor=actor, comment=comment, meta=meta, prepare=prepare
    )


def case_approve(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """A supervisor approves the solution: the customer now sees it."""
    return transition(case=case, action=Action.APPROVE, actor=actor, comment=comment, meta=meta)


def case_send_back(*, case: Case, actor: Any, comment: str, meta: RequestMeta | None = None) -> Case:
    """A supervisor returns the solution to draft, saying why."""
    return transition(case=case, action=Action.SEND_BACK, actor=actor, comment=comment, meta=meta)


def case_agree(
    *,
    case: Case,
    actor: Any,
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

    def prepare(locked: Case) -> str:
        return Case.Status.AWAITING_INFO if locked.requires_info else Case.Status.PROCESSING

    return transition(
        case=case,
        action=Action.AGREE,
        actor=actor,
        on_behalf=on_behalf,
        comment=comment,
        meta=meta,
        prepare=prepare,
        revision=revision,
    )


def case_disagree(
    *,
    case: Case,
    actor: Any,
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


def case_revise(*, case: Case, actor: Any, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """Offer the (edited) solution again after a disagreement, through approval if it needs one."""

    def prepare(locked: Case) -> str:
        _check_ready_for_customer(locked)
        locked.revision += 1
        return Case.Status.PENDING_APPROVAL if _needs_approval(locked) else Case.Status.PENDING_CONFIRM

    return transition(
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
    return transition(case=case, action=Action.CANCEL, actor=actor, comment=comment, meta=meta)


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
    return transition(
        case=case, action=Action.COMPLETE, actor=actor, comment=comment, data=data, meta=meta, prepare=prepare
    )


def case_message_post(*, case: Case, author: Any, body: str, meta: RequestMeta | None = None) -> CaseMessage:
    """Add a message to the case's conversation and tell the other side by email."""
    body = (body or "").strip()
    if not body:
        raise CaseActionError(_("The message is empty."))
    role = role_of(author)
    with transaction.atomic():
        locked = lock_case(case)
        if locked.is_closed:
            raise CaseStatusError(
                _("This RMA solution is closed, so it takes no more messages. Please use the contact page.")
            )
        if role == Role.CUSTOMER:
            if author.pk != locked.customer_id or not locked.is_visible_to_customer:
                raise CasePermissionError(_("You cannot write on this RMA solution."))
            sender = CaseMessage.Sender.CUSTOMER
        elif role == Role.SYSTEM or not author.has_perm("rma.add_casemessage"):
            raise CasePermissionError(_("You do not have the permission to write to customers."))
        else:
            sender = CaseMessage.Sender.TEAM
        message = CaseMessage.objects.create(case=locked, author=author, sender=sender, body=body)
        write_step_event(
            case=locked,
            action=Action.MESSAGE,
            actor=author,
            role=role,
            data={"message_id": message.pk},
            meta=meta or NO_META,
        )
        queue_after_commit("rma.tasks.send_case_message_email", message_id=message.pk)
    return message

"""
Creating and editing a case: its number, its solution fields (frozen once the customer may
rely on them), its items, and the customer it is for. The steps of its lifecycle are in
``rma.cases.services``.
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
from rma.cases.models import Action, Actor, Case, CaseItem, CaseNumberCounter, Role
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    CaseStatusError,
    RequestMeta,
    check_unchanged_since,
    lock_case,
    role_of,
    write_event,
    write_step_event,
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
    "advance_replacement",
    "hold_amount",
    "hold_currency",
    "policy_exception_reason",
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
    actor: Actor,
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
        write_event(
            case=case,
            action=Action.CREATE,
            actor=actor,
            role=role_of(actor),
            to_status=case.status,
            meta=meta or NO_META,
        )
    return case


def case_update(
    *,
    case: Case,
    actor: Actor,
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
                _("The solution can be changed only on a claim, in draft or after the customer disagreed.")
            )
        if "needs_approval" in changed and locked.needs_approval and not case.needs_approval:
            _check_may_waive_approval(actor)
        for name in changed:
            setattr(locked, name, getattr(case, name))
        locked.needs_approval = locked.needs_approval or locked.approval_required_by_rules()
        locked.prefill_hold_amount()
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
    actor: Actor,
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
        before = _warranty_before(item for item in saved if item.pk is not None)
        for item in saved:
            item.case = locked
            item.full_clean()
            item.save()
        for item in deleted:
            item.delete()
        for item in saved:
            _record_warranty_override(
                case=locked, item=item, before=before.get(item.pk), actor=actor, meta=meta or NO_META
            )
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


def _warranty_before(items: Iterable[CaseItem]) -> dict[int, CaseItem]:
    """The saved items as they are in the database, for the before of an override's event."""
    ids = [item.pk for item in items]
    if not ids:
        return {}
    return {item.pk: item for item in CaseItem.objects.select_related("case").filter(pk__in=ids)}


def _override_state(item: CaseItem | None) -> dict[str, str]:
    if item is None:
        return {"ends_on": "", "override_until": "", "reason": ""}
    return {
        "ends_on": item.warranty_ends.isoformat(),
        "override_until": item.warranty_override_until.isoformat() if item.warranty_override_until else "",
        "reason": item.warranty_override_reason,
    }


def _record_warranty_override(
    *, case: Case, item: CaseItem, before: CaseItem | None, actor: Actor, meta: RequestMeta
) -> None:
    """One event for an item whose warranty the team set, changed or gave back to the policy,
    with the warranty end and the override before and after."""
    old_until = before.warranty_override_until if before is not None else None
    old_reason = before.warranty_override_reason if before is not None else ""
    if (item.warranty_override_until, item.warranty_override_reason) == (old_until, old_reason):
        return
    if item.warranty_override_until is None and old_until is None:
        return  # a reason typed without a date overrides nothing
    # The verdict is read again with the saved values (a new product, a new registration).
    item.__dict__.pop("_registration", None)
    item._warranty = None
    write_step_event(
        case=case,
        action=Action.WARRANTY_OVERRIDE,
        actor=actor,
        role=role_of(actor),
        comment=item.warranty_override_reason,
        data={"item": str(item), "before": _override_state(before), "after": _override_state(item)},
        meta=meta,
    )


def _check_may_waive_approval(actor: Actor) -> None:
    # Whether a solution is reviewed is not for the agent who drafted it to decide.
    if not actor.has_perm("rma.approve_case"):
        raise CasePermissionError(_("Only a supervisor can decide that a solution needs no approval."))


def case_open_claim(
    *, case: Case, customer: User, item: Mapping[str, Any], meta: RequestMeta | None = None
) -> Case:
    """Save the unsaved ``case`` of a customer's warranty claim, in ``requested``, with its one
    item; the customer's event queues the acknowledgement email after the commit. The claim's
    own details are the caller's (``rma.claims.services.claim_send``), in the same transaction."""
    if case.pk is not None:
        raise ValueError("case_open_claim takes an unsaved case")
    with transaction.atomic():
        case.customer = customer
        case.status = Case.Status.REQUESTED
        case.number = _next_number(timezone.now().year)
        case.due_at = due_at_for(case.status, case.status_changed_at)
        case.save()
        line = CaseItem(case=case, **item)
        line.full_clean()
        line.save()
        write_event(
            case=case,
            action=Action.CLAIM_SEND,
            actor=customer,
            role=Role.CUSTOMER,
            to_status=case.status,
            meta=meta or NO_META,
        )
    return case

"""
Every change to the required information of a case.

One step serves every kind of part (``part_submission``): store the files first, then in one
transaction lock the case, check who acts and that the case takes this part now, fill in
the part, record who sent it, write the event, and move the case to ``under_review`` once
every needed part is in. The return shipment and the shipping address use it here, the
payment proof in ``payments.services``. The team's verdict (accept, send back) is a step of
the lifecycle that marks each part in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from rma.cases.models import Action, Actor, Case, Role
from rma.cases.moves import moving
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    CaseStatusError,
    RequestMeta,
    authorize_customer_step,
    lock_case,
    role_of,
    write_step_event,
)
from rma.required.models import PartState, RequiredPart
from rma.required.parts import (
    UnknownPart,
    every_part_in,
    missing_parts,
    needed_part_models,
    resolve_send_back,
)
from rma_portal import images
from rma_portal.formats import join_list


def check_part_step(case: Case, model: type[RequiredPart], *, customer: bool = False) -> None:
    """Refuse a part the solution does not ask for, or a case that takes no information now
    (``customer``: said to the customer, in the status they are shown)."""
    if not model.is_needed(case):
        raise CaseActionError(
            _("Nothing was changed: this RMA solution does not ask for “%(part)s”.") % {"part": model.title}
        )
    if not model.open_now(case):
        raise CaseStatusError(
            _("Nothing was changed: %(number)s is “%(status)s”, so it takes no information now.")
            % {
                "number": case.number,
                "status": Case.Status(case.customer_status).label if customer else case.get_status_display(),
            }
        )


@dataclass
class PartSubmission:
    """One part being sent, inside ``part_submission``: the locked case, the locked part, the
    pieces it still asks for and the images already stored. The caller fills the part in and
    sets ``data``, the event's data; raising ``CaseActionError`` refuses and keeps nothing."""

    case: Case
    part: Any
    pieces: tuple[str, ...]
    stored: list[images.StoredImage]
    data: dict[str, Any] = field(default_factory=dict)


@contextmanager
def part_submission(
    *,
    case: Case,
    model: type[RequiredPart],
    actor: Actor,
    uploads: Sequence[images.CleanImage] = (),
    folder: str = "uploads",
    on_behalf: bool = False,
    meta: RequestMeta | None = None,
) -> Iterator[PartSubmission]:
    """The one step for every part: the customer (or the team on their behalf) sends it.

    Files are stored before the transaction and removed again if anything refuses, so a
    refused submission leaves the case, the part and the storage as they were. The body of
    the ``with`` fills the part in; on leaving it, the submission is recorded, its event
    written and the case moved to review once every needed part is in.
    """
    # Before storing anything; checked again under the lock.
    check_part_step(case, model, customer=not on_behalf)
    with images.storing(uploads, folder=folder) as stored, transaction.atomic():
        locked = lock_case(case)
        role = authorize_customer_step(case=locked, actor=actor, on_behalf=on_behalf)
        check_part_step(locked, model, customer=role == Role.CUSTOMER)
        part = model.objects.select_for_update().filter(case=locked).first() or model.start(locked)
        pieces = part.open_pieces()
        if not pieces:
            raise CaseActionError(
                _("Nothing was changed: “%(part)s” is already with the warranty team.")
                % {"part": model.title}
            )
        submission = PartSubmission(case=locked, part=part, pieces=pieces, stored=stored)
        yield submission
        part.record_submission(actor=actor, on_behalf=on_behalf)
        part.save()
        write_step_event(
            case=locked,
            action=model.submit_action,
            actor=actor,
            role=role,
            on_behalf=on_behalf,
            data=submission.data,
            meta=meta or NO_META,
        )
        complete_if_ready(case=locked, actor=actor, on_behalf=on_behalf, meta=meta)


def complete_if_ready(*, case: Case, actor: Actor | None, on_behalf: bool = False, meta: Any = None) -> Case:
    """Move a locked ``awaiting_info`` case to ``under_review`` once every needed part is in.

    Called by ``part_submission`` inside the transaction that stored a part.
    """
    if case.status != Case.Status.AWAITING_INFO or not every_part_in(case):
        return case
    return case_mark_info_complete(
        case=case,
        actor=actor,
        on_behalf=on_behalf,
        data={"parts": [model.key for model in needed_part_models(case)]},
        meta=meta,
    )


# --- The lifecycle steps about the required information -------------------------------------


def case_mark_info_complete(
    *,
    case: Case,
    actor: Actor | None,
    on_behalf: bool = False,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """Every required part (return, payment proof, address) is in: the team reviews it.

    Refused while a needed part is neither in nor waived, whoever asks: an agent enters the
    missing part for the customer, or waives it with a reason. ``part_submission`` calls it in
    the transaction that stores the last part; ``actor`` is the customer, an agent with
    ``on_behalf=True``, or ``None`` for the system.
    """

    step = {"actor": actor, "on_behalf": on_behalf, "comment": comment, "meta": meta}
    with moving(case=case, action=Action.MARK_INFO_COMPLETE, data=data, **step) as move:
        missing = [str(model.title) for model in missing_parts(move.case)]
        if missing:
            raise CaseActionError(
                _("Nothing was changed: still missing: %(parts)s. Enter it for the customer or waive it.")
                % {"parts": join_list(missing)}
            )
        if not data:
            move.data["parts"] = [model.key for model in needed_part_models(move.case)]
    return move.case


def part_waive(
    *, case: Case, part_key: str, actor: Actor, reason: str, meta: RequestMeta | None = None
) -> RequiredPart:
    """The team decides a part is not needed any more, with a reason the customer sees.

    The part then counts as in; the case moves on to review if it was the last one.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CaseActionError(_("Please say why it is not needed: the customer sees the reason."))
    if role_of(actor) in (Role.CUSTOMER, Role.SYSTEM) or not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    with transaction.atomic():
        locked = lock_case(case)
        models = {model.key: model for model in needed_part_models(locked)}
        if part_key not in models:
            raise CaseActionError(
                _("Nothing was changed: this solution does not ask for: %(parts)s.") % {"parts": part_key}
            )
        model = models[part_key]
        check_part_step(locked, model)
        part = model.objects.select_for_update().filter(case=locked).first() or model.start(locked)
        if part.is_in:
            raise CaseActionError(_("Nothing was changed: “%(part)s” is already in.") % {"part": model.title})
        part.record_waiver(actor=actor, reason=reason)
        part.save()
        write_step_event(
            case=locked,
            action=Action.PART_WAIVE,
            actor=actor,
            role=role_of(actor),
            on_behalf=True,
            comment=reason,
            data={"part": model.key},
            meta=meta or NO_META,
        )
        complete_if_ready(case=locked, actor=actor, on_behalf=True, meta=meta)
    return part


def _record_verdict(
    case: Case, *, actor: Actor, accepted: bool, reason: str = "", names: Sequence[str] = ()
) -> None:
    """Mark the parts of a locked case: all accepted, or the named ones sent back with ``reason``."""
    try:
        chosen = (
            {model: () for model in needed_part_models(case)} if accepted else resolve_send_back(case, names)
        )
    except UnknownPart as error:
        raise CaseActionError(str(error)) from None
    for model, pieces in chosen.items():
        part = model.objects.select_for_update().filter(case=case).first()
        if part is None or (accepted and part.state == PartState.WAIVED):
            continue  # a waived part stays waived: there is nothing of it to accept
        part.record_verdict(accepted=accepted, actor=actor, reason=reason, pieces=pieces)
        part.save()


def case_accept(*, case: Case, actor: Actor, comment: str = "", meta: RequestMeta | None = None) -> Case:
    """The team accepts what the customer sent (every part marked accepted); the solution is carried out."""

    with moving(case=case, action=Action.ACCEPT, actor=actor, comment=comment, meta=meta) as move:
        _record_verdict(move.case, actor=actor, accepted=True)
    return move.case


def case_request_info(
    *,
    case: Case,
    actor: Actor,
    comment: str,
    data: Mapping[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> Case:
    """Ask the customer again for information, with the reason.

    ``data["parts"]`` names the parts (or pieces, such as ``label_photo``) sent back; when it
    names none, every part is sent back. The others stay as the customer sent them.
    """

    step = {"action": Action.REQUEST_INFO, "actor": actor, "comment": comment, "data": data, "meta": meta}
    with moving(case=case, **step) as move:
        names = (data or {}).get("parts") or ()
        _record_verdict(move.case, actor=actor, accepted=False, reason=comment.strip(), names=names)
    return move.case


def submission_send_back(
    *, case: Case, actor: Actor, parts: Sequence[str], reason: str, meta: RequestMeta | None = None
) -> Case:
    """The team sends one or more parts back with a reason; the customer re-sends only those.

    The case returns to ``awaiting_info``; the parts not named stay submitted.
    """
    reason = (reason or "").strip()
    parts = list(dict.fromkeys(parts))
    if not parts:
        raise CaseActionError(_("Choose at least one part to send back."))
    if not reason:
        raise CaseActionError(_("Please say why, so the customer knows what to fix."))
    try:
        resolve_send_back(case, parts)  # refuses unknown names before anything changes
    except UnknownPart as error:
        raise CaseActionError(str(error)) from None
    return case_request_info(case=case, actor=actor, comment=reason, data={"parts": parts}, meta=meta)

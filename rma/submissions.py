"""
The required information of a case, part by part: the return shipment, the payment proof,
the shipping address.

Each part lives in its own app and registers here how to read its state. The case page
shows the checklist from ``required_parts``; the services that store a part call
``complete_if_ready`` in their transaction, which moves the case to ``under_review`` once
every part the solution needs is in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from rma.models import Case


class PartState:
    """The same four words for every part (stored values of ``payments.models.PartState``)."""

    TO_DO = "to_do"
    SUBMITTED = "submitted"
    SENT_BACK = "sent_back"
    ACCEPTED = "accepted"
    IN = frozenset({SUBMITTED, ACCEPTED})
    LABELS = {
        TO_DO: _("To do"),
        SUBMITTED: _("Submitted"),
        SENT_BACK: _("Sent back"),
        ACCEPTED: _("Accepted"),
    }


@dataclass(frozen=True)
class PartSpec:
    """How one kind of part is recognised, read and reached."""

    key: str
    title: str | Promise
    needed: Callable[[Case], bool]
    read: Callable[[Case], tuple[str, str]]  # (state, reason it was sent back)
    url_name: str
    # Records the team's verdict on the part: (locked case, new state, reason sent back,
    # the items of the part sent back, all of them when the whole part was named).
    mark: Callable[[Case, str, str, tuple[str, ...]], None]
    # Pieces of the part the team may send back one by one (e.g. just the label photo).
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """One line of a case's checklist."""

    key: str
    title: str
    state: str
    reason: str
    url: str

    @property
    def state_label(self) -> str:
        return str(PartState.LABELS[self.state])

    @property
    def is_in(self) -> bool:
        return self.state in PartState.IN

    @property
    def open_to_customer(self) -> bool:
        return self.state in (PartState.TO_DO, PartState.SENT_BACK)


# The parts a solution may ask for, in the order the customer usually does them.
PART_ORDER = ("return", "payment", "address")
NEEDED: dict[str, Callable[[Case], bool]] = {
    "return": lambda case: case.requires_return,
    "payment": lambda case: case.requires_payment,
    "address": lambda case: case.requires_shipping_address,
}
DEFAULT_TITLES = {
    "return": _("Return shipment"),
    "payment": _("Payment proof"),
    "address": _("Shipping address"),
}
_registry: dict[str, PartSpec] = {}


def related_part(case: Case, accessor: str) -> Any:
    """The part row behind a one-to-one accessor of ``case`` (cached by ``select_related``), or None."""
    try:
        return getattr(case, accessor)
    except ObjectDoesNotExist:
        return None


def register_part(spec: PartSpec) -> None:
    """Called from an app's ``ready()``: this app stores the part ``spec.key``."""
    _registry[spec.key] = spec


def required_parts(case: Case) -> list[Part]:
    """The checklist of ``case``: every part its solution needs, with its state."""
    parts = []
    for key in PART_ORDER:
        if not NEEDED[key](case):
            continue
        spec = _registry.get(key)
        if spec is None:
            # No page takes this part yet: it is still to do, with nowhere to send it.
            parts.append(
                Part(key=key, title=str(DEFAULT_TITLES[key]), state=PartState.TO_DO, reason="", url="")
            )
            continue
        state, reason = spec.read(case)
        parts.append(
            Part(
                key=key,
                title=str(spec.title),
                state=state,
                reason=reason,
                url=reverse(spec.url_name, kwargs={"number": case.number}),
            )
        )
    return parts


def every_part_in(case: Case) -> bool:
    """Whether each part the solution needs is submitted or accepted.

    A needed part whose app has not registered counts as missing: nothing could have been
    submitted for it.
    """
    for key in PART_ORDER:
        if not NEEDED[key](case):
            continue
        spec = _registry.get(key)
        if spec is None or spec.read(case)[0] not in PartState.IN:
            return False
    return True


def complete_if_ready(*, case: Case, actor: Any | None, on_behalf: bool = False, meta: Any = None) -> Case:
    """Move a locked ``awaiting_info`` case to ``under_review`` once every needed part is in.

    Call it inside the transaction that stored a part, after the part's row is saved.
    """
    from rma.services import case_mark_info_complete

    if case.status != Case.Status.AWAITING_INFO or not every_part_in(case):
        return case
    return case_mark_info_complete(
        case=case,
        actor=actor,
        on_behalf=on_behalf,
        data={"parts": [key for key in PART_ORDER if NEEDED[key](case)]},
        meta=meta,
    )


def _registered_needed(case: Case) -> list[PartSpec]:
    return [_registry[key] for key in PART_ORDER if NEEDED[key](case) and key in _registry]


def resolve_send_back(case: Case, parts: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Which parts, and which of their pieces, ``parts`` names; none named means every part.

    Raises ``CaseActionError`` for a name the solution does not ask for.
    """
    from rma.services import CaseActionError

    specs = {spec.key: spec for spec in _registered_needed(case)}
    if not parts:
        return {key: spec.items for key, spec in specs.items()}
    owner = {item: spec.key for spec in specs.values() for item in spec.items}
    unknown = [key for key in parts if key not in specs and key not in owner]
    if unknown:
        raise CaseActionError(
            gettext_now("This solution does not ask for: %(parts)s.") % {"parts": ", ".join(unknown)}
        )
    chosen: dict[str, tuple[str, ...]] = {}
    for key in dict.fromkeys(parts):
        if key in specs:
            chosen[key] = specs[key].items
        else:
            part = owner[key]
            chosen[part] = tuple(dict.fromkeys((*chosen.get(part, ()), key)))
    return chosen


def record_verdict(case: Case, *, accepted: bool, reason: str = "", parts: Sequence[str] = ()) -> None:
    """Mark the parts of a locked case: all accepted, or the named ones sent back with ``reason``.

    Called by ``rma.services.case_accept`` and ``case_request_info`` inside their transaction.
    """
    if accepted:
        for spec in _registered_needed(case):
            spec.mark(case, PartState.ACCEPTED, "", ())
        return
    for key, items in resolve_send_back(case, parts).items():
        _registry[key].mark(case, PartState.SENT_BACK, reason, items)


def submission_accept(*, case: Case, actor: Any, comment: str = "", meta: Any = None) -> Case:
    """The team accepts everything the customer sent: every part accepted, the case to processing."""
    from rma.services import case_accept

    return case_accept(case=case, actor=actor, comment=comment, meta=meta)


def submission_send_back(
    *, case: Case, actor: Any, parts: Sequence[str], reason: str, meta: Any = None
) -> Case:
    """The team sends one or more parts back with a reason; the customer re-sends only those.

    The case returns to ``awaiting_info``; the parts not named stay submitted.
    """
    from rma.services import CaseActionError, case_request_info

    reason = (reason or "").strip()
    parts = list(dict.fromkeys(parts))
    if not parts:
        raise CaseActionError(gettext_now("Choose at least one part to send back."))
    if not reason:
        raise CaseActionError(gettext_now("Please say why, so the customer knows what to fix."))
    resolve_send_back(case, parts)  # refuses unknown names before anything changes
    return case_request_info(case=case, actor=actor, comment=reason, data={"parts": parts}, meta=meta)

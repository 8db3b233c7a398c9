"""
The parts a solution may ask for, declared once, and the checklist read from them.

``settings.RMA_REQUIRED_PARTS`` names every kind of part by its model label, in the order the
customer usually does them. Each is a ``RequiredPart`` model that knows when a case needs it, how to
reach its page and what may be sent back of it; nothing registers itself anywhere. The
labels are resolved through Django's app registry, so this module does not import the
apps that build parts on top of it (``payments``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _

from rma.cases.models import Case, declared_part_models
from rma.required.models import PART_IN_STATES, PartState, RequiredPart
from rma_portal.formats import join_list


def part_models() -> tuple[type[RequiredPart], ...]:
    """The part models of ``settings.RMA_REQUIRED_PARTS``, in order."""
    models = declared_part_models()
    for model in models:
        if not issubclass(model, RequiredPart):  # a wrong declaration, never a user error
            raise TypeError(f"{model.__name__} is not a RequiredPart")
    return models


def needed_part_models(case: Case) -> list[type[RequiredPart]]:
    """The kinds of part the solution of ``case`` asks for."""
    return [model for model in part_models() if model.is_needed(case)]


def part_of(case: Case, model: type[RequiredPart]) -> RequiredPart | None:
    """The part row of ``case`` (cached by ``select_related``), or None before anything was sent."""
    try:
        return getattr(case, model.case_accessor)
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class Part:
    """One line of a case's checklist."""

    key: str
    title: str
    state: str
    reason: str
    url: str
    on_behalf: bool = False
    waived_reason: str = ""
    submitted_at: datetime.datetime | None = None
    reviewed_at: datetime.datetime | None = None
    # Sent after the replacement shipped ahead (the return of an advance replacement).
    after_shipment: bool = False
    # Whether the case takes this part now (it waits for information, or for the return).
    takes_now: bool = False
    # What the team sent back of it, by name, when it sent back only some of its pieces.
    sent_back_pieces: tuple[str, ...] = ()
    # The part's declaration (its model): its words, its help answer, its pictures.
    model: type[RequiredPart] | None = field(default=None, compare=False, repr=False)

    @property
    def step_title(self) -> str:
        """The part as a step of the tracker: what the customer does."""
        return str(getattr(self.model, "step_title", "") or self.title)

    @property
    def help_anchor(self) -> str:
        return getattr(self.model, "help_anchor", "")

    @property
    def has_pictures(self) -> bool:
        return getattr(self.model, "has_pictures", False)

    def ask(self, case: Case) -> str:
        """What the part asks of the customer (its model's ``ask``)."""
        if self.model is None:
            return self.title
        return self.model.ask(case, after_shipment=self.after_shipment, sent_back=self.sent_back_pieces)

    @property
    def state_label(self) -> str:
        return str(PartState(self.state).label)

    @property
    def is_in(self) -> bool:
        return self.state in PART_IN_STATES

    @property
    def open_to_customer(self) -> bool:
        return self.state in (PartState.TO_DO, PartState.SENT_BACK)


@dataclass(frozen=True)
class PartTool:
    """A page of the team's about one part (asking PayPal again about a hold), shown to
    those with ``permission``."""

    label: str
    url: str
    permission: str


@dataclass
class PartReview:
    """What the reviewer sees of one part."""

    details: list[tuple[str, str]] = field(default_factory=list)
    images: list[tuple[str, str, str]] = field(default_factory=list)  # (caption, thumbnail URL, full URL)
    warnings: list[str] = field(default_factory=list)
    tools: list[PartTool] = field(default_factory=list)

    def keep_tools_of(self, user) -> PartReview:
        """Only the tools ``user`` may use (none for no user)."""
        self.tools = [tool for tool in self.tools if user is not None and user.has_perm(tool.permission)]
        return self


def required_parts(case: Case) -> list[Part]:
    """The checklist of ``case``: every part its solution needs, with its state."""
    parts = []
    for model in needed_part_models(case):
        row = part_of(case, model)
        parts.append(
            Part(
                key=model.key,
                title=str(model.title),
                state=row.state if row else PartState.TO_DO,
                reason=row.sent_back_reason if row else "",
                url=reverse(model.step_url_name, kwargs={"number": case.number}),
                on_behalf=bool(row and row.on_behalf and row.is_in),
                waived_reason=row.waived_reason if row and row.state == PartState.WAIVED else "",
                submitted_at=row.submitted_at if row else None,
                reviewed_at=row.reviewed_at if row else None,
                after_shipment=model.after_shipment(case),
                takes_now=model.open_now(case),
                sent_back_pieces=_sent_back_labels(row),
                model=model,
            )
        )
    return parts


def _sent_back_labels(row: RequiredPart | None) -> tuple[str, ...]:
    """The pieces of a part sent back, by name, when only some of them were."""
    if row is None or row.state != PartState.SENT_BACK:
        return ()
    pieces = row.open_pieces()
    if set(pieces) >= set(row.piece_names()):
        return ()
    return tuple(row.piece_label(piece) for piece in pieces)


def missing_parts(case: Case) -> list[type[RequiredPart]]:
    """The kinds of part ``case`` needs for the review that are neither in nor waived (a
    part sent after the replacement shipped ahead is not needed for it)."""
    return [
        model
        for model in needed_part_models(case)
        if not model.after_shipment(case) and not ((row := part_of(case, model)) and row.is_in)
    ]


def every_part_in(case: Case) -> bool:
    """Whether each part the solution needs is submitted, accepted or waived."""
    return not missing_parts(case)


def _pieces(case: Case, model: type[RequiredPart]) -> tuple[RequiredPart | None, tuple[str, ...]]:
    part = part_of(case, model)
    return part, (part.piece_names() if part is not None else model.pieces)


def send_back_choices(case: Case) -> list[tuple[str, str]]:
    """The parts, and the pieces of parts (a photo, one receipt), the reviewer may send back."""
    choices = []
    for model in needed_part_models(case):
        part, pieces = _pieces(case, model)
        choices.append((model.key, str(model.title)))
        for piece in pieces:
            label = part.piece_label(piece) if part is not None else str(model.piece_labels.get(piece, piece))
            choices.append((piece, f"— {label}"))
    return choices


class UnknownPart(ValueError):
    """A name that is neither a part nor a piece of a part this case asks for."""


def resolve_send_back(case: Case, names: Sequence[str]) -> dict[type[RequiredPart], tuple[str, ...]]:
    """Which parts, and which of their pieces, ``names`` names; none named means every part."""
    models = {model.key: model for model in needed_part_models(case)}
    pieces_of = {model: _pieces(case, model)[1] for model in models.values()}
    if not names:
        return dict(pieces_of)
    owner = {piece: model for model, pieces in pieces_of.items() for piece in pieces}
    unknown = [name for name in names if name not in models and name not in owner]
    if unknown:
        raise UnknownPart(_("This solution does not ask for: %(parts)s.") % {"parts": join_list(unknown)})
    chosen: dict[type[RequiredPart], tuple[str, ...]] = {}
    for name in dict.fromkeys(names):
        if name in models:
            chosen[models[name]] = pieces_of[models[name]]
        else:
            model = owner[name]
            chosen[model] = tuple(dict.fromkeys((*chosen.get(model, ()), name)))
    return chosen

"""What every required part is: its states and the ``RequiredPart`` base with its rules."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Actor, Case


def normalise_identifier(value: str) -> str:
    """A tracking or transaction number as people type or paste it: spaces and dashes
    dropped, letters upper-cased."""
    return "".join(ch for ch in (value or "") if ch not in " -\t").upper()


class PartState(models.TextChoices):
    """Where a required part of a case stands: the words of the customer's checklist."""

    TO_DO = "to_do", _("To do")
    SUBMITTED = "submitted", _("Submitted")
    SENT_BACK = "sent_back", _("Sent back")
    ACCEPTED = "accepted", _("Accepted")
    WAIVED = "waived", _("Not needed")


# The states in which a part counts as in: received, or waived by the team with a reason.
PART_IN_STATES = frozenset({PartState.SUBMITTED, PartState.ACCEPTED, PartState.WAIVED})


class RequiredPart(models.Model):
    """One part of a case's required information, whatever its kind.

    A concrete part has a one-to-one ``case`` field whose reverse accessor it names in
    ``case_accessor``, and says when a case needs it (``is_needed``). ``pieces`` are the
    bits the team may send back one by one (the label photo alone, say); a part without
    pieces is sent back whole.
    """

    key: ClassVar[str]
    title: ClassVar[str | Promise]
    case_accessor: ClassVar[str]
    step_url_name: ClassVar[str]
    submit_action: ClassVar[str]
    pieces: ClassVar[tuple[str, ...]] = ()
    piece_labels: ClassVar[dict[str, Any]] = {}
    # A number that should be on one case only (a tracking or transaction number), and the
    # risk signal (kind, title) the team sees when another case carries the same one.
    identifier_field: ClassVar[str] = ""
    identifier_risk: ClassVar[tuple[str, str | Promise]] = ("", "")
    # How the part reads to the customer: its step in the case's tracker, the help answer
    # about it, whether it is sent as pictures (the help answer about uploads then fits too),
    # and the timeline's sentence for its ``submit_action``. ``ask`` is the sentence that
    # asks for it.
    step_title: ClassVar[str | Promise] = ""
    help_anchor: ClassVar[str] = ""
    has_pictures: ClassVar[bool] = False
    submitted_sentence: ClassVar[str | Promise] = ""
    # How it is entered: the dotted path of its ``rma.required.bindings.PartBinding`` (its
    # form and the call of its service), which the customer's step, the team's entry page
    # and the demo share. A path, as the binding's forms import the models.
    binding: ClassVar[str] = ""

    state = models.CharField(_("state"), max_length=20, choices=PartState.choices, default=PartState.TO_DO)
    sent_back_items = models.JSONField(_("pieces sent back"), default=list, blank=True)
    sent_back_reason = models.TextField(_("reason it was sent back"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    on_behalf = models.BooleanField(
        _("sent on the customer's behalf"),
        default=False,
        help_text=_("The warranty team entered it for the customer."),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    waived_reason = models.TextField(
        _("why it is not needed"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Shown to the customer."),
    )

    class Meta:
        abstract = True

    @classmethod
    def get_binding(cls) -> Any:
        """The part's ``PartBinding`` (``binding``), made anew."""
        return import_string(cls.binding)()

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        """Whether the solution of ``case`` asks for this kind of part."""
        raise NotImplementedError

    @classmethod
    def after_shipment(cls, case: Case) -> bool:
        """Whether the part follows a replacement shipped ahead (the return of an advance
        replacement): it is then not needed for the review, and the customer sends it
        while the case awaits the return."""
        return False

    @classmethod
    def open_now(cls, case: Case) -> bool:
        """Whether the case takes this part now: while it waits for information, or for a
        part sent after the replacement shipped ahead, once it did."""
        if cls.after_shipment(case):
            # Once the return is marked received or the hold is being captured, it is too late.
            return case.status == Case.Status.AWAITING_RETURN and not case.settling_hold
        return case.status == Case.Status.AWAITING_INFO

    @classmethod
    def ask(cls, case: Case, *, after_shipment: bool = False, sent_back: tuple[str, ...] = ()) -> str:
        """What the part asks of the customer, in a sentence short enough to read before
        deciding (``sent_back``: the pieces the team sent back, by name, when only some were)."""
        return str(cls.title)

    @classmethod
    def start(cls, case: Case) -> RequiredPart:
        """A new, unsaved part of ``case``, before the customer sent anything."""
        return cls(case=case)

    @property
    def is_in(self) -> bool:
        return self.state in PART_IN_STATES

    @property
    def is_open_to_customer(self) -> bool:
        """The customer may (re)send a part that is still to do or was sent back."""
        return self.state in (PartState.TO_DO, PartState.SENT_BACK)

    def piece_names(self) -> tuple[str, ...]:
        """The pieces of this part the team may send back one by one."""
        return self.pieces

    def piece_label(self, piece: str) -> str:
        return str(self.piece_labels.get(piece, piece))

    def open_pieces(self) -> tuple[str, ...]:
        """What may be sent now: everything at first, then only what was sent back."""
        every = self.piece_names() or ("whole",)
        if self.state == PartState.TO_DO:
            return every
        if self.state == PartState.SENT_BACK:
            return tuple(piece for piece in every if piece in (self.sent_back_items or every))
        return ()

    def record_submission(self, *, actor: Actor, on_behalf: bool) -> None:
        """The part is in, from the customer or from the team on their behalf."""
        self.state = PartState.SUBMITTED
        self.sent_back_items = []
        self.sent_back_reason = ""
        self.submitted_at = timezone.now()
        self.submitted_by = actor
        self.on_behalf = on_behalf

    def record_waiver(self, *, actor: Actor, reason: str) -> None:
        """The team decided the part is not needed after all, saying why."""
        self.state = PartState.WAIVED
        self.waived_reason = reason
        self.sent_back_items = []
        self.sent_back_reason = ""
        self.submitted_at = timezone.now()
        self.submitted_by = actor
        self.on_behalf = True

    def record_verdict(
        self, *, accepted: bool, actor: Actor, reason: str = "", pieces: tuple[str, ...] = ()
    ) -> None:
        """The team's review: accepted, or sent back (``pieces`` of it, or all) with ``reason``."""
        self.state = PartState.ACCEPTED if accepted else PartState.SENT_BACK
        self.sent_back_reason = "" if accepted else reason
        self.sent_back_items = [] if accepted else list(pieces or self.piece_names())
        self.reviewed_at = timezone.now()
        self.reviewed_by = actor

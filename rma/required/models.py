"""
The required information of a case: the parts a solution asks the customer for.

Every kind of part is a ``RequiredPart``: the same state, sent-back reason, who sent it
(the customer, or the team on their behalf) and who reviewed it, and the same rules for
what the customer may send now. The return shipment and the shipping address are here;
the payment proof (``payments.models.SupplementaryPayment``) is built on the same base.
Which parts exist, and in which order the customer sees them, is declared once in
``rma.required.parts``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Action, Actor, Case
from rma_portal.formats import country_name, join_list, postal_address_lines
from rma_portal.images import StoredImage


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


class ReturnShipment(RequiredPart):
    """How the customer sent the items back: carrier, tracking number and two photos."""

    key = "return"
    title = _("Return shipment")
    case_accessor = "return_shipment"
    step_url_name = "rma:case_return"
    submit_action = Action.RETURN_SUBMIT
    pieces = ("tracking", "label_photo", "postage_receipt")
    piece_labels = {
        "tracking": _("Carrier and tracking number"),
        "label_photo": _("Shipping label photo"),
        "postage_receipt": _("Postage receipt photo"),
    }
    PHOTOS = ("label_photo", "postage_receipt")
    identifier_field = "tracking_number"
    identifier_risk = ("repeated_tracking_number", _("The same return tracking number is on another case"))
    step_title = _("Send the return")
    help_anchor = "return"
    has_pictures = True
    submitted_sentence = _("Your return information was received.")

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="return_shipment", verbose_name=_("case")
    )
    carrier = models.CharField(_("carrier"), max_length=60)
    tracking_number = models.CharField(_("tracking number"), max_length=40, db_index=True)
    label_photo = models.FileField(_("shipping label photo"), max_length=200)
    label_photo_thumbnail = models.FileField(_("label photo thumbnail"), max_length=200)
    label_photo_name = models.CharField(_("label photo file name"), max_length=120)
    postage_receipt = models.FileField(_("postage receipt"), max_length=200)
    postage_receipt_thumbnail = models.FileField(_("postage receipt thumbnail"), max_length=200)
    postage_receipt_name = models.CharField(_("postage receipt file name"), max_length=120)

    class Meta:
        verbose_name = _("return shipment")
        verbose_name_plural = _("return shipments")
        # The return list filtered by carrier, in its order (newest first).
        indexes = [models.Index(fields=["carrier", "-id"], name="rma_return_carrier")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        return case.requires_return

    @classmethod
    def ask(cls, case: Case, *, after_shipment: bool = False, sent_back: tuple[str, ...] = ()) -> str:
        if after_shipment:
            return gettext(
                "Once your replacement has shipped, send the item back to our warehouse (the address is on "
                "this page) by a tracked service, then give us the tracking number and photos of the label "
                "and the receipt."
            )
        if sent_back:
            return gettext(
                "Send us again only what the warranty team asked for: %(pieces)s. The rest of your return "
                "information is kept."
            ) % {"pieces": join_list(sent_back)}
        return gettext(
            "Send the items back to our warehouse (the address is on this page) by a tracked service, "
            "then give us the tracking number and photos of the label and the receipt."
        )

    @classmethod
    def after_shipment(cls, case: Case) -> bool:
        return case.ships_ahead


class ShippingAddress(RequiredPart):
    """Where a replacement or resend goes; the country is the case's and never changes here."""

    key = "address"
    title = _("Shipping address")
    case_accessor = "shipping_address"
    step_url_name = "rma:case_address"
    submit_action = Action.ADDRESS_CONFIRM
    step_title = _("Confirm the address")
    help_anchor = "address"
    submitted_sentence = _("Your shipping address was received.")
    FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "phone")

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="shipping_address", verbose_name=_("case")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2, editable=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("shipping address")
        verbose_name_plural = _("shipping addresses")
        # The shared-address risk check compares street and postal code whatever their case.
        indexes = [models.Index(Upper("postal_code"), Upper("line1"), name="rma_address_street")]

    def __str__(self) -> str:
        return ", ".join(self.lines)

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        return case.requires_shipping_address

    @classmethod
    def ask(cls, case: Case, *, after_shipment: bool = False, sent_back: tuple[str, ...] = ()) -> str:
        return gettext("Confirm the address we ship to (the country stays %(country)s).") % {
            "country": country_name(case.country)
        }

    @property
    def lines(self) -> list[str]:
        return postal_address_lines(
            name=self.full_name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
            phone=self.phone,
        )


class StoredPicture(models.Model):
    """A picture stored by the image pipeline (``rma_portal.images``) with its thumbnail."""

    image = models.FileField(_("image"), max_length=200)
    thumbnail = models.FileField(_("thumbnail"), max_length=200)
    original_name = models.CharField(_("original file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        abstract = True

    @staticmethod
    def fields_of(stored: StoredImage) -> dict[str, Any]:
        """The fields of a picture row for an image the pipeline just stored."""
        return {
            "image": stored.name,
            "thumbnail": stored.thumbnail_name,
            "original_name": stored.original_name[:120],
            "content_type": stored.content_type,
            "width": stored.width,
            "height": stored.height,
            "size": stored.size,
        }


class HeldUpload(StoredPicture):
    """A picture that passed every check in a submission refused for another reason.

    It is kept, private to its customer, case and part, so the customer need not choose it
    again: the next submission of that part uses it unless the customer removes it or picks
    another file. It is deleted once used, or after ``HELD_UPLOAD_HOURS``.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="held_uploads", verbose_name=_("case")
    )
    part = models.CharField(_("part"), max_length=20)
    field = models.CharField(_("form field"), max_length=40)
    created_at = models.DateTimeField(_("kept since"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("held upload")
        verbose_name_plural = _("held uploads")
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["case", "customer", "part"], name="rma_held_case_customer_part"),
            models.Index(fields=["created_at"], name="rma_held_created"),
        ]

    def __str__(self) -> str:
        return self.original_name

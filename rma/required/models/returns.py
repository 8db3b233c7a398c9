"""The return shipment: carrier, tracking number, label photo and postage receipt."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Action, Case
from rma.required.models.part import RequiredPart
from rma_portal.formats import join_list


class ReturnShipment(RequiredPart):
    """How the customer sent the items back: carrier, tracking number and two photos."""

    key = "return"
    title = _("Return shipment")
    case_accessor = "return_shipment"
    step_url_name = "rma:case_return"
    binding = "rma.required.bindings.ReturnBinding"
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

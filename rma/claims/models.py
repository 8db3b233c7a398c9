"""A customer's warranty claim: what they told us beside the case's one item, and their photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Case
from rma.required.models import StoredPicture


class Claim(models.Model):
    """What a customer sent at ``/rma/new/``; the case (in ``requested``) holds the item."""

    class Reason(models.TextChoices):
        NO_POWER = "no_power", _("Does not power on")
        NO_VIDEO = "no_video", _("No video")
        NIGHT_VISION = "night_vision", _("Night vision")
        CONNECTIVITY = "connectivity", _("Connectivity or app")
        RECORDING = "recording", _("Recording or storage")
        DAMAGED_ON_ARRIVAL = "damaged_on_arrival", _("Physical damage on arrival")
        MISSING_PARTS = "missing_parts", _("Missing parts")
        OTHER = "other", _("Other")

    class PurchaseChannel(models.TextChoices):
        OFFICIAL_STORE = "official_store", _("Our official store")
        OTHER = "other", _("Another shop or marketplace")

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="claim", verbose_name=_("case")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    problem = models.TextField(_("the problem, in the customer's words"), max_length=5000)
    order_number = models.CharField(_("order number"), max_length=60, blank=True)
    purchase_channel = models.CharField(_("bought from"), max_length=20, choices=PurchaseChannel.choices)
    # The policy's verdict when the claim was sent, for the queue and the reports.
    in_warranty = models.BooleanField(_("in warranty when sent"))
    warranty_ends = models.DateField(_("warranty ends"))
    refund_possible = models.BooleanField(_("refund possible when sent"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("warranty claim")
        verbose_name_plural = _("warranty claims")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return str(self.case)


class ClaimPhoto(StoredPicture):
    """A photo or screenshot of the fault, through the image pipeline (``rma_portal.images``).

    One that passed its checks in a form refused for another reason is kept for its customer,
    without a claim, until the form is sent or ``HELD_UPLOAD_HOURS`` pass.
    """

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="photos", verbose_name=_("claim")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("claim photo")
        verbose_name_plural = _("claim photos")
        ordering = ("claim", "position", "id")
        indexes = [
            models.Index(
                fields=["customer"], condition=models.Q(claim__isnull=True), name="rma_claim_photo_kept"
            )
        ]

    def __str__(self) -> str:
        return self.original_name

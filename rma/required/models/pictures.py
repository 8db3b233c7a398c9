"""Pictures stored by the image pipeline, and those kept from a refused form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Case
from rma_portal.images import StoredImage


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

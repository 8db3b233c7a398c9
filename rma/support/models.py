"""Messages to the warranty team sent through "Contact support"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Case
from rma.required.models import StoredPicture


class SupportRequest(models.Model):
    """A message sent through "Contact support", by a customer or a signed-out visitor."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("email address"), max_length=254)
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_requests",
        verbose_name=_("case"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"), max_length=5000)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    # The language the sender wrote in: their acknowledgement is written in it.
    language = models.CharField(_("language"), max_length=10, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["handled_at", "-created_at"], name="rma_support_open_created")]

    def __str__(self) -> str:
        return f"{self.email}: {self.subject}"

    @property
    def reference(self) -> str:
        """The number the sender is given to quote, e.g. ``SR-2026-000042``."""
        return f"SR-{self.created_at:%Y}-{self.pk:06d}"


class SupportScreenshot(StoredPicture):
    """A screenshot sent with a support request, cleaned and stored by ``rma_portal.images``.

    Private: only signed-in staff may open it (``rma.support.views.ScreenshotFileView``).
    A screenshot that passed its checks in a form refused for another reason is kept
    without a request, under a random ``held_key`` the form carries, until the sender sends
    the form again or ``SUPPORT_HELD_SCREENSHOT_MINUTES`` pass, within the byte caps of
    ``rma.support.services.support_screenshots_hold``.
    """

    support_request = models.ForeignKey(
        SupportRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screenshots",
        verbose_name=_("support request"),
    )
    held_key = models.CharField(_("kept for a form"), max_length=64, blank=True, default="", db_default="")
    # Whom a kept screenshot is held for (a hash of the client's address) and what it holds
    # (a hash of its content): the bytes held per client are capped, and the same picture
    # chosen again for the same form is not stored twice.
    held_for = models.CharField(_("kept for client"), max_length=64, blank=True, default="", db_default="")
    digest = models.CharField(_("content hash"), max_length=64, blank=True, default="", db_default="")
    position = models.PositiveSmallIntegerField(_("position"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        ordering = ("support_request", "position", "id")
        indexes = [
            models.Index(fields=["held_key"], condition=~models.Q(held_key=""), name="rma_support_shot_held"),
            models.Index(
                fields=["held_for"], condition=~models.Q(held_key=""), name="rma_support_shot_held_for"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

"""The conversation between the customer and the warranty team on a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models.case import Case


class CaseMessage(models.Model):
    """A message in the conversation between the customer and the warranty team."""

    class Sender(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        TEAM = "team", _("Warranty team")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    sender = models.CharField(_("from"), max_length=20, choices=Sender.choices)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["case", "created_at"], name="rma_message_case_created")]

    def __str__(self) -> str:
        return f"{self.get_sender_display()}: {self.body[:40]}"

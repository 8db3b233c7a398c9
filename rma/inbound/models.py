"""Every mail taken from the team's mailbox, with what became of it and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Case, CaseMessage


class InboundMail(models.Model):
    """One mail received, once per Message-ID: where it went and why, its original for a while."""

    class Outcome(models.TextChoices):
        TAKEN = "taken", _("On the case")
        TO_CHECK = "to_check", _("To check")
        ATTACHED = "attached", _("Attached by the team")
        DISCARDED = "discarded", _("Discarded")
        IGNORED = "ignored", _("Automatic mail, ignored")
        REFUSED = "refused", _("Refused")

    class Reason(models.TextChoices):
        REPLY = "reply", _("A reply from the case's customer")
        OTHER_SENDER = "other_sender", _("Sent from another address than the customer's")
        CASE_CLOSED = "case_closed", _("The case is closed")
        BAD_TOKEN = "bad_token", _("The reply address names no case (altered or forged)")
        NO_CASE = "no_case", _("Names no case")
        EMPTY = "empty", _("No new words and no pictures")
        AUTO_REPLY = "auto_reply", _("Automatic reply (out of office)")
        BOUNCE = "bounce", _("Delivery report (bounce)")
        LOOP = "loop", _("One of the portal's own emails")
        TOO_LARGE = "too_large", _("Too large")
        TOO_MANY_ATTACHMENTS = "too_many_attachments", _("Too many attachments")
        FLOOD = "flood", _("Too many mails from this sender within an hour")

    message_id = models.CharField(_("Message-ID"), max_length=250, unique=True)
    sender = models.EmailField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    # The case the mail names (by its token), or the one the team attached it to.
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mails",
        verbose_name=_("case"),
    )
    case_message = models.OneToOneField(
        CaseMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mail",
        verbose_name=_("message"),
    )
    # The new words, as the case would show them, and the names of what was attached.
    body = models.TextField(_("new words"), blank=True)
    attachment_names = models.JSONField(_("attachments"), default=list, blank=True)
    # The mail as received, for the team; emptied after INBOUND_KEEP_DAYS.
    original = models.BinaryField(_("original"), null=True, blank=True, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("mail received")
        verbose_name_plural = _("mails received")
        ordering = ("-received_at", "-id")
        indexes = [
            models.Index(fields=["outcome", "-received_at"], name="rma_inbound_outcome"),
            models.Index(fields=["sender", "received_at"], name="rma_inbound_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"

    @property
    def original_kept(self) -> bool:
        return self.original is not None

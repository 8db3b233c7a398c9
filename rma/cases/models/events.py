"""The audit trail of a case: one event per thing that happened, kept for good."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models.case import Case
from rma.cases.models.lifecycle import Action, Role


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused: audit rows are written once and kept."""

    def update(self, **kwargs):
        raise TypeError("Case events are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Case events are append-only and cannot be deleted.")


class CaseEvent(models.Model):
    """One entry of a case's audit trail. Written once, never changed or removed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    on_behalf = models.BooleanField(_("on the customer's behalf"), default=False)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Case.Status.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["case", "created_at"], name="rma_event_case_created")]

    # Events a customer sees on their timeline; the rest is the team's own business.
    CUSTOMER_VISIBLE_ACTIONS = frozenset(
        {
            Action.PUBLISH,
            Action.APPROVE,
            Action.AGREE,
            Action.DISAGREE,
            Action.REVISE,
            Action.CANCEL,
            Action.MARK_INFO_COMPLETE,
            Action.ACCEPT,
            Action.REQUEST_INFO,
            Action.COMPLETE,
            Action.RETURN_SUBMIT,
            Action.ADDRESS_CONFIRM,
            Action.PAYMENT_SUBMIT,
            Action.INVOICE_SENT,
            Action.PART_WAIVE,
            Action.SHIP_AHEAD,
            Action.RECEIVE_RETURN,
            Action.CAPTURE_HOLD,
            Action.EXTEND_RETURN,
            Action.METHOD_CHOOSE,
            Action.HOLD_CANCEL,
            Action.HOLD_PLACE,
            Action.HOLD_VOID,
            Action.HOLD_CAPTURED,
        }
    )
    # Whose comment the customer may read along with the event.
    CUSTOMER_VISIBLE_COMMENTS = frozenset(
        {
            Action.DISAGREE,
            Action.REVISE,
            Action.CANCEL,
            Action.REQUEST_INFO,
            Action.COMPLETE,
            Action.PART_WAIVE,
            Action.SHIP_AHEAD,
            Action.EXTEND_RETURN,
        }
    )

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Case events are append-only and cannot be updated.")
        super().save(*args, **kwargs)
        self._record_milestone()

    @property
    def milestone(self) -> str | None:
        """The case's milestone field this event may set, if any."""
        if self.action == Action.COMPLETE or (
            self.to_status == Case.Status.COMPLETED and self.from_status != self.to_status
        ):
            return "first_completed_at"
        if self.action == Action.CANCEL:
            return "first_cancelled_at"
        if self.to_status == Case.Status.PENDING_CONFIRM and self.from_status != self.to_status:
            return "first_visible_at"
        return None

    def _record_milestone(self) -> None:
        """Keep the earliest moment of the milestone on the case, in one UPDATE."""
        field = self.milestone
        if field is None:
            return
        moment = Value(self.created_at, output_field=models.DateTimeField())
        Case.objects.filter(pk=self.case_id).update(**{field: Coalesce(Least(F(field), moment), moment)})
        case = self.case if self._meta.get_field("case").is_cached(self) else None
        if case is not None and (getattr(case, field) is None or self.created_at < getattr(case, field)):
            setattr(case, field, self.created_at)

    def delete(self, *args, **kwargs):
        raise TypeError("Case events are append-only and cannot be deleted.")

    @property
    def comment_visible_to_customer(self) -> bool:
        return self.action in self.CUSTOMER_VISIBLE_COMMENTS

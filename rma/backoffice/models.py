"""The reminders and overdue flags the team's deadline machinery sends."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Case


class CaseReminder(models.Model):
    """One reminder or overdue flag sent for one deadline of a case.

    The unique constraint is what makes the beat task idempotent: two runs, or two beat
    processes, cannot both record (and so both send) the reminder of the same deadline.
    Agents' manual reminders are kept here too, outside that constraint.
    """

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Reminder to the customer")
        OVERDUE = "overdue", _("Overdue flag to the team")
        MANUAL = "manual", _("Reminder sent by an agent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status then"), max_length=20, choices=Case.Status.choices)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("claimed"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_at"],
                condition=~Q(kind="manual"),
                name="rma_reminder_once_per_deadline",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} ({self.case_id}, {self.due_at:%Y-%m-%d %H:%M})"
            if self.due_at
            else self.get_kind_display()
        )


class CaseDayFigure(models.Model):
    """How many cases of one solution and warehouse were opened, completed for the first
    time, and cancelled (never completed) on one day (in ``settings.TIME_ZONE``).

    Kept up to date as cases change (``rma.backoffice.figures``), so the reports add up a
    few rows a day rather than counting the cases; rebuilt by ``manage.py backfill_case_figures``.
    Several rows may hold one key: the figures are their sums.
    """

    day = models.DateField()
    solution_type = models.CharField(max_length=20, choices=Case.SolutionType.choices)
    warehouse = models.ForeignKey(
        "rma.Warehouse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    opened = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "solution_type", "warehouse"], name="rma_case_day_figure")]

    def __str__(self) -> str:
        return f"{self.day} {self.solution_type}: {self.opened}, {self.completed}, {self.cancelled}"


class CaseStatusFigure(models.Model):
    """How many cases of one solution and warehouse are in one status now; kept like
    ``CaseDayFigure``. Several rows may hold one key: the figure is their sum."""

    status = models.CharField(max_length=20, choices=Case.Status.choices)
    solution_type = models.CharField(max_length=20, choices=Case.SolutionType.choices)
    warehouse = models.ForeignKey(
        "rma.Warehouse",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    count = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["status", "solution_type", "warehouse"], name="rma_case_status_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.solution_type}: {self.count}"

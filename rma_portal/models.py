"""The project's own table: the outbox of tasks that committed changes need."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """
    A task a committed change needs (an email, a follow-up), recorded in the change's own
    transaction and kept until a worker has done it (``rma_portal.outbox``).
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # From this time on the relay hands the task to the broker (again).
    due_at = models.DateTimeField(default=timezone.now)
    handoffs = models.PositiveIntegerField(default=0)
    # The worker running the task, and until when its claim holds (a killed worker's lapses).
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # After this the task is worth nothing (a sign-in code no longer valid): never handed over.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="outbox_waiting", condition=Q(done_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"

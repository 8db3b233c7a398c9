"""Celery tasks of the team's deadlines: the beat task that reminds and flags, and its emails."""

from __future__ import annotations

from celery import shared_task

from rma.backoffice.models import CaseReminder
from rma.backoffice.reminders import (
    build_reminder_email,
    flag_overdue_cases,
    remind_due_cases,
    reminder_mark_sent,
    reminder_still_applies,
)
from rma_portal.tasks import EMAIL_RETRY


@shared_task(name="rma.tasks.send_deadline_reminders", acks_late=True)
def send_deadline_reminders() -> dict[str, int]:
    """Beat task: remind customers before their deadline and flag overdue cases, once each."""
    return {"reminded": remind_due_cases(), "flagged": flag_overdue_cases()}


def _send(reminder: CaseReminder | None) -> bool:
    if reminder is None or not reminder_still_applies(reminder):
        return False
    build_reminder_email(reminder).send()
    reminder_mark_sent(reminder=reminder)
    return True


def _unsent(reminder_ids: list[int]):
    return CaseReminder.objects.select_related("case__customer", "case__assigned_agent").filter(
        pk__in=reminder_ids, sent_at__isnull=True
    )


@shared_task(name="rma.tasks.send_case_reminder_email", **EMAIL_RETRY)
def send_case_reminder_email(reminder_id: int) -> bool:
    """Send a claimed reminder or overdue flag, unless the case has moved on since."""
    return _send(_unsent([reminder_id]).first())


@shared_task(name="rma.tasks.send_case_reminder_emails", **EMAIL_RETRY)
def send_case_reminder_emails(reminder_ids: list[int]) -> int:
    """Send a batch of claimed reminders; a retry sends only those not sent yet."""
    return sum(_send(reminder) for reminder in _unsent(reminder_ids).order_by("pk").iterator(chunk_size=200))

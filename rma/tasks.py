"""Celery tasks of the cases: they take ids, load the rows, and send the emails."""

from __future__ import annotations

from celery import shared_task

from rma.emails import build_case_event_email, build_case_message_email
from rma.models import CaseEvent, CaseMessage

# smtplib's errors and socket failures are all OSError: a mail server that is down or slow
# is retried with a growing delay, for up to about an hour.
EMAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(**EMAIL_RETRY)
def send_case_event_email(event_id: int) -> bool:
    """Send the email a case event calls for; returns whether one was sent."""
    event = (
        CaseEvent.objects.select_related("case__customer", "case__assigned_agent", "case__warehouse", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return False
    message = build_case_event_email(event)
    if message is None:
        return False
    message.send()
    return True


@shared_task(**EMAIL_RETRY)
def send_case_message_email(message_id: int) -> bool:
    """Tell the other side of a case conversation about a new message."""
    message = (
        CaseMessage.objects.select_related("case__customer", "case__assigned_agent", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return False
    build_case_message_email(message).send()
    return True


@shared_task(acks_late=True)
def send_deadline_reminders() -> dict[str, int]:
    """Beat task: remind customers before their deadline and flag overdue cases, once each."""
    from rma.reminders import flag_overdue_cases, remind_due_cases

    return {"reminded": remind_due_cases(), "flagged": flag_overdue_cases()}


@shared_task(**EMAIL_RETRY)
def send_case_reminder_email(reminder_id: int) -> bool:
    """Send a claimed reminder or overdue flag, unless the case has moved on since."""
    from django.utils import timezone

    from rma.models import CaseReminder
    from rma.reminders import build_reminder_email, reminder_still_applies

    reminder = (
        CaseReminder.objects.select_related("case__customer", "case__assigned_agent")
        .filter(pk=reminder_id, sent_at__isnull=True)
        .first()
    )
    if reminder is None or not reminder_still_applies(reminder):
        return False
    build_reminder_email(reminder).send()
    CaseReminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    return True


@shared_task(**EMAIL_RETRY)
def send_support_request_email(support_request_id: int) -> bool:
    """Email a support request to the warranty team."""
    from rma.models import SupportRequest
    from rma.support import build_support_request_email

    support_request = (
        SupportRequest.objects.select_related("case", "customer").filter(pk=support_request_id).first()
    )
    if support_request is None:
        return False
    build_support_request_email(support_request).send()
    return True

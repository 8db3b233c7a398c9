"""Celery tasks of the cases: they take ids, load the rows, and send the emails."""

from __future__ import annotations

from celery import shared_task

from rma.cases.emails import build_case_event_email, build_case_message_email
from rma.cases.models import CaseEvent, CaseMessage
from rma_portal.tasks import EMAIL_RETRY


@shared_task(name="rma.tasks.send_case_event_email", **EMAIL_RETRY)
def send_case_event_email(event_id: int, email: str = "") -> bool:
    """Send the email ``email`` (``"<app>/<name>"``, chosen when the event was written) about
    a case event; returns whether one was sent. A task queued without a name (before the
    writer named it) sends the first email the tables choose for the event."""
    event = (
        CaseEvent.objects.select_related("case__customer", "case__assigned_agent", "case__warehouse", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return False
    message = build_case_event_email(event, email)
    if message is None:
        return False
    message.send()
    return True


@shared_task(name="rma.tasks.send_case_message_email", **EMAIL_RETRY)
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

"""The Celery tasks of the ``rma`` app, one module per sub-domain, gathered for discovery."""

from rma.backoffice.tasks import send_case_reminder_email, send_case_reminder_emails, send_deadline_reminders
from rma.cases.tasks import send_case_event_email, send_case_message_email
from rma.inbound.tasks import fetch_email_replies, purge_email_originals
from rma.required.tasks import delete_stale_held_uploads
from rma.support.tasks import (
    delete_stale_held_screenshots,
    send_support_acknowledgement,
    send_support_request_email,
)

__all__ = [
    "delete_stale_held_screenshots",
    "delete_stale_held_uploads",
    "fetch_email_replies",
    "purge_email_originals",
    "send_case_event_email",
    "send_case_message_email",
    "send_case_reminder_email",
    "send_case_reminder_emails",
    "send_deadline_reminders",
    "send_support_acknowledgement",
    "send_support_request_email",
]

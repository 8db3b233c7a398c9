"""Celery tasks of "Contact support"."""

from __future__ import annotations

from celery import shared_task

from rma.support.emails import build_support_acknowledgement_email, build_support_request_email
from rma.support.models import SupportRequest
from rma.support.services import support_screenshots_expire
from rma_portal.tasks import EMAIL_RETRY


def _support_request(support_request_id: int) -> SupportRequest | None:
    return (
        SupportRequest.objects.select_related("case", "customer", "case__assigned_agent")
        .prefetch_related("screenshots")
        .filter(pk=support_request_id)
        .first()
    )


@shared_task(name="rma.tasks.send_support_request_email", **EMAIL_RETRY)
def send_support_request_email(support_request_id: int) -> bool:
    """Email a support request to the warranty team."""
    support_request = _support_request(support_request_id)
    if support_request is None:
        return False
    build_support_request_email(support_request).send()
    return True


@shared_task(name="rma.tasks.send_support_acknowledgement", **EMAIL_RETRY)
def send_support_acknowledgement(support_request_id: int) -> bool:
    """Tell the sender of a support request that it arrived, with its reference number."""
    support_request = _support_request(support_request_id)
    if support_request is None:
        return False
    build_support_acknowledgement_email(support_request).send()
    return True


@shared_task(name="rma.tasks.delete_stale_held_screenshots", acks_late=True)
def delete_stale_held_screenshots() -> int:
    """Hourly (Celery beat): delete screenshots kept from refused contact forms nobody sent again."""
    deleted = total = support_screenshots_expire()
    while deleted == 1000:  # one batch at a time, so a backlog never holds a long transaction
        deleted = support_screenshots_expire()
        total += deleted
    return total

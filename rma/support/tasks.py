"""Celery tasks of "Contact support"."""

from __future__ import annotations

from celery import shared_task

from rma.support.emails import build_support_request_email
from rma.support.models import SupportRequest
from rma_portal.tasks import EMAIL_RETRY


@shared_task(name="rma.tasks.send_support_request_email", **EMAIL_RETRY)
def send_support_request_email(support_request_id: int) -> bool:
    """Email a support request to the warranty team."""
    support_request = (
        SupportRequest.objects.select_related("case", "customer").filter(pk=support_request_id).first()
    )
    if support_request is None:
        return False
    build_support_request_email(support_request).send()
    return True

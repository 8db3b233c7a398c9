"""Celery tasks of replies by email, run by beat (and by ``run_schedule`` in a local run)."""

from __future__ import annotations

from celery import shared_task

from rma.inbound.imap import fetch_replies
from rma.inbound.services import inbound_purge_originals


@shared_task(name="rma.tasks.fetch_email_replies", acks_late=True)
def fetch_email_replies() -> dict[str, int]:
    """Every minute: take the replies waiting in the team's mailbox (nothing without INBOUND_IMAP_HOST)."""
    return dict(fetch_replies())


@shared_task(name="rma.tasks.purge_email_originals", acks_late=True)
def purge_email_originals() -> int:
    """Every six hours: empty the originals of received mail older than INBOUND_KEEP_DAYS."""
    return inbound_purge_originals()

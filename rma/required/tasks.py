"""Celery tasks of the required information."""

from __future__ import annotations

from celery import shared_task

from rma.required.held_uploads import held_uploads_expire


@shared_task(name="rma.tasks.delete_stale_held_uploads", acks_late=True)
def delete_stale_held_uploads() -> int:
    """Hourly (Celery beat): delete pictures kept from refused submissions that nobody claimed."""
    deleted = total = held_uploads_expire()
    while deleted == 1000:  # one batch at a time, so a backlog never holds a long transaction
        deleted = held_uploads_expire()
        total += deleted
    return total

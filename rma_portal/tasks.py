"""
What the portal's Celery tasks share: one retry policy, queueing a task by its name once
the current transaction commits (through the outbox), and the outbox's relay.

A service queues its tasks by name, so it never imports the tasks module that imports the
service back. Every app's ``AppConfig.ready`` imports its tasks module, so each name is
registered in the web process (for eager runs) as well as in the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from rma_portal import outbox
from rma_portal.celery import app

logger = logging.getLogger(__name__)


def email_retry_policy(
    *,
    backoff: int = settings.EMAIL_RETRY_BACKOFF,
    backoff_max: int = settings.EMAIL_RETRY_BACKOFF_MAX,
    max_retries: int = 10,
) -> dict[str, Any]:
    """The options of a task that sends an email, for ``@shared_task(**...)``.

    smtplib's errors and socket failures are all OSError: a mail server that is down or slow
    is retried with a growing, jittered delay for a few minutes; after that the outbox hands
    the task over again every ``OUTBOX_RETRY_FAILED_AFTER`` seconds. The delay stays below
    the broker's visibility timeout, so a waiting retry is never handed to a second worker.
    ``acks_late``: a worker that dies while sending leaves the message for another one.
    """
    return {
        "autoretry_for": (OSError,),
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "retry_jitter": True,
        "max_retries": max_retries,
        "acks_late": True,
    }


EMAIL_RETRY = email_retry_policy()


def queue_after_commit(task_name: str, **kwargs: Any) -> outbox.Handover:
    """Queue the task registered as ``task_name`` with ``kwargs`` after the commit.

    The task is written to the outbox in the current transaction (unless its arguments carry
    a secret), so a broker that is away delays it and never loses it. Outside a transaction
    it is queued at once. An unknown name raises ``KeyError`` at once, in the request,
    rather than losing the task.
    """
    task = app.tasks[task_name]
    message_id = None
    if task.recorded_before_commit and task.commit_without_waiting_for_disk:
        message_id = outbox.record_alone(task, kwargs)
    elif task.recorded_before_commit:
        message_id = outbox.record(task, kwargs).pk
    handover = outbox.Handover()
    transaction.on_commit(lambda: outbox.hand_over(task, kwargs, message_id, handover))
    return handover


@shared_task(name="rma_portal.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Every few seconds (Celery beat): hand the outbox's due tasks to the broker again."""
    sent = outbox.relay()
    if sent:
        logger.info("Outbox: %s task(s) handed to the broker again.", sent)
    return sent

"""
What the portal's Celery tasks share: one retry policy, and queueing a task by its name
once the current transaction commits.

A service queues its tasks by name, so it never imports the tasks module that imports the
service back. Every app's ``AppConfig.ready`` imports its tasks module, so each name is
registered in the web process (for eager runs) as well as in the worker.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rma_portal.celery import app


def email_retry_policy(
    *, backoff: int = 30, backoff_max: int = 15 * 60, max_retries: int = 8
) -> dict[str, Any]:
    """The options of a task that sends an email, for ``@shared_task(**...)``.

    smtplib's errors and socket failures are all OSError: a mail server that is down or slow
    is retried with a growing, jittered delay (by default for up to about an hour).
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


def queue_after_commit(task_name: str, **kwargs: Any) -> None:
    """Queue the task registered as ``task_name`` with ``kwargs`` after the commit.

    Outside a transaction it is queued at once. An unknown name raises ``KeyError`` at once,
    in the request, rather than losing the task.
    """
    task = app.tasks[task_name]
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))

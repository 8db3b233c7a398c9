"""
The outbox: no task a committed change needs is lost between the database and the broker.

``queue_after_commit`` (``rma_portal.tasks``) records the task in an ``OutboxMessage`` row in
the change's own transaction and hands it to Celery once the transaction commits. When the
broker does not take it, or the worker that took it dies, the row is still there:
``relay`` (every few seconds, from Celery beat) hands every row that is due again. Each
message carries its row's id; ``OutboxTask`` claims the row before running the task and
marks it done after, so a message delivered twice runs once.

A task whose arguments carry a secret is not written down before it is sent: it goes
straight to the broker, and only when the broker refuses it is it recorded. A task may ask
for its arguments to be cleared once it is done (a sign-in request's browser binding).
"""

from __future__ import annotations

import contextvars
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.contrib.django.task import DjangoTask
from celery.exceptions import Retry
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from rma_portal.cache import report_unreachable
from rma_portal.celery import app
from rma_portal.models import OutboxMessage

logger = logging.getLogger(__name__)

OUTBOX_KWARG = "_outbox_id"
# The outbox row of the task running in this thread, and how many emails it has built.
_running: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("outbox_running", default=None)
# A broker that cannot be reached: kombu's own error, or the client's underneath it.
BROKER_UNREACHABLE = (OperationalError, RedisError, OSError)


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


@dataclass
class Handover:
    """What became of a queued task: ``delayed`` once the broker refused it (kept for the relay)."""

    delayed: bool = False


def record(task, kwargs: dict[str, Any], *, due_at: datetime | None = None) -> OutboxMessage:
    """Write the task down, in the current transaction; the relay hands it over from ``due_at``."""
    now = timezone.now()
    return OutboxMessage.objects.create(
        task_name=task.name,
        kwargs=kwargs,
        created_at=now,
        due_at=due_at or now + _seconds(task.relay_after_setting),
        expires_at=task.expires_at(kwargs),
    )


def record_alone(task, kwargs: dict[str, Any]) -> int:
    """
    Write down a task that belongs to no other change, in a transaction of its own; returns
    its row's id. On PostgreSQL it is one statement, whose commit does not wait for the log
    to reach the disk (``synchronous_commit`` off for that transaction alone): the row is
    there for every connection at once, and only a crash of the database server itself in
    the next moment could lose it. For tasks that say so (``commit_without_waiting_for_disk``):
    "Send Code", whose customer would press it again.
    """
    connection = connections[OutboxMessage.objects.db]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return record(task, kwargs).pk
    now = timezone.now()
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (task_name, kwargs, created_at, due_at, handoffs, claimed_by, expires_at) "  # noqa: S608 (the table's own name)
            "SELECT %s, %s::jsonb, %s, %s, 0, '', %s "
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS this_transaction_only "
            "RETURNING id",
            [
                task.name,
                json.dumps(kwargs),
                now,
                now + _seconds(task.relay_after_setting),
                task.expires_at(kwargs),
            ],
        )
        return cursor.fetchone()[0]


def send(task, kwargs: dict[str, Any], message_id: int | None) -> bool:
    """Hand the task to the broker; ``False`` when it cannot be reached."""
    if message_id is not None:
        kwargs = {**kwargs, OUTBOX_KWARG: message_id}
    try:
        task.apply_async(kwargs=kwargs)
    except BROKER_UNREACHABLE as error:
        report_unreachable("broker", error)
        return False
    return True


def hand_over(task, kwargs: dict[str, Any], message_id: int | None, handover: Handover) -> None:
    """After the commit: send the task; what the broker refuses is left to the relay."""
    if send(task, kwargs, message_id):
        return
    handover.delayed = True
    if message_id is None:
        record(task, kwargs, due_at=timezone.now())
    else:
        OutboxMessage.objects.filter(pk=message_id).update(due_at=timezone.now())


def relay(*, limit: int = 200) -> int:
    """Hand every due task that is not done to the broker again; returns how many were sent."""
    now = timezone.now()
    # Worth nothing any more: done, and their arguments (a sign-in code's) cleared.
    OutboxMessage.objects.filter(done_at__isnull=True, expires_at__lt=now).update(done_at=now, kwargs={})
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, due_at__lte=now, handoffs__lt=settings.OUTBOX_MAX_HANDOFFS)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at")[:limit]
        )
        sent = []
        for message in due:
            task = _task(message.task_name)
            if task is None:
                continue
            if not send(task, message.kwargs, message.pk):
                break  # the broker is away: the rest waits for the next round
            sent.append(message.pk)
        OutboxMessage.objects.filter(pk__in=sent).update(
            due_at=now + _seconds("OUTBOX_RELAY_AFTER"), handoffs=F("handoffs") + 1
        )
    OutboxMessage.objects.filter(done_at__lt=now - _seconds("OUTBOX_KEEP_DONE")).delete()
    return len(sent)


def _task(name: str):
    task = app.tasks.get(name)
    if task is None:
        logger.error("Outbox message for unknown task %s left waiting.", name)
    return task


def _claim(message_id: int, claimant: str, *, exclusive: bool) -> bool:
    """Take the row for this run: not done, and (``exclusive``) no other live claim on it."""
    now = timezone.now()
    # The task is stopped at its time limit: a claim that outlives it is a dead worker's.
    claim_for = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5)
    waiting = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True)
    if exclusive:
        waiting = waiting.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    return bool(waiting.update(claimed_by=claimant, claimed_until=now + claim_for))


def _reconnect_if_broken() -> None:
    """Drop database connections an error left unusable (a terminated one), so that the
    row can be released on a fresh one rather than failing again."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _release(message_id: int, due_at: datetime) -> None:
    _reconnect_if_broken()
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
        claimed_by="", claimed_until=None, due_at=due_at
    )


def _done(message_id: int, *, clear_arguments: bool) -> None:
    changes: dict[str, Any] = {"done_at": timezone.now(), "claimed_until": None}
    if clear_arguments:
        changes["kwargs"] = {}
    OutboxMessage.objects.filter(pk=message_id).update(**changes)


def _retry_at(retry: Retry) -> datetime:
    when = retry.when
    if isinstance(when, datetime):
        return when
    return timezone.now() + timedelta(seconds=float(when or 0))


def email_key(domain: str, tag: str = "") -> str | None:
    """A Message-ID that is the same each time the running outbox task builds its n-th email.

    A task run twice (its worker died after the mail server took the message) sends the same
    Message-ID again, so the receiving side can drop the copy. ``None`` outside such a task.
    A ``tag`` (the same on every run) is carried after the row's numbers, for replies to find.
    """
    running = _running.get()
    if running is None:
        return None
    running[1] += 1
    suffix = f".{tag}" if tag else ""
    return f"<rma-outbox-{running[0]}-{running[1]}{suffix}@{domain}>"


class OutboxTask(DjangoTask):
    """
    Every task of the portal: a message that carries an outbox row's id runs only while it
    holds the row's claim, and marks the row done when it has run.

    ``recorded_before_commit`` is ``False`` for tasks whose arguments carry a secret;
    ``clear_arguments_when_done`` for those whose row should not keep them once done;
    ``relay_after_setting`` names the setting of the seconds after which the relay hands
    the task over again when no worker has taken it.
    """

    recorded_before_commit = True
    # Written alone, its commit not waiting for the disk, when queued outside a transaction
    # (``record_alone``): for a task whose request can simply be made again.
    commit_without_waiting_for_disk = False
    clear_arguments_when_done = False
    relay_after_setting = "OUTBOX_RELAY_AFTER"
    # Celery's check of the arguments is made in ``apply_async``, without the outbox's own.
    typing = False

    def expires_at(self, kwargs: dict[str, Any]) -> datetime | None:
        """When a message of this task with ``kwargs`` is worth nothing any more."""
        return None

    def apply_async(self, args=None, kwargs=None, **options):
        check_arguments = getattr(self, "__header__", None)
        if check_arguments is not None:
            check_arguments(*(args or ()), **{k: v for k, v in (kwargs or {}).items() if k != OUTBOX_KWARG})
        return super().apply_async(args, kwargs, **options)

    def signature_from_request(self, request=None, args=None, kwargs=None, **extra):
        """A retry carries the outbox row's id on (an eager run's request has lost it)."""
        signature = super().signature_from_request(request, args, kwargs, **extra)
        message_id = getattr(request or self.request, "outbox_message_id", None)
        if message_id is not None:
            signature.kwargs[OUTBOX_KWARG] = message_id
        return signature

    def __call__(self, *args, **kwargs):
        if OUTBOX_KWARG not in kwargs:
            return super().__call__(*args, **kwargs)
        # A copy: the dict may be the request's own, which a retry sends on, the id included.
        kwargs = dict(kwargs)
        message_id = kwargs.pop(OUTBOX_KWARG)
        self.request.outbox_message_id = message_id  # for ``signature_from_request`` on a retry
        # An eager run (tests, a local run) is the only copy, its retries nested in it.
        eager = self.request.is_eager
        if not _claim(message_id, str(self.request.id)[:64], exclusive=not eager):
            logger.info("Outbox message %s (%s) already done or running: skipped.", message_id, self.name)
            return None
        token = _running.set([message_id, 0])
        try:
            result = super().__call__(*args, **kwargs)
        except Retry as retry:
            if not eager:  # an eager retry has already run, nested in this call
                _release(message_id, _retry_at(retry) + _seconds("OUTBOX_RELAY_AFTER"))
            raise
        except Exception:
            _release(message_id, timezone.now() + _seconds("OUTBOX_RETRY_FAILED_AFTER"))
            raise
        finally:
            _running.reset(token)
        _done(message_id, clear_arguments=self.clear_arguments_when_done)
        return result

"""Runs the periodic tasks of ``CELERY_BEAT_SCHEDULE`` in this process: Celery beat for a local
run, where tasks run in-process and no broker is there to carry beat's messages.

Like beat, one job that fails never stops the others: the failure is logged and the runner
goes on with the next job, and tries the failing one again at its next interval. A job that
keeps failing is reported with its traceback the first time, then in one line per interval
with the number of failures in a row, and once more when it succeeds again.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from rma_portal.celery import app

logger = logging.getLogger("rma_portal.run_schedule")


def _replace_dropped_connections() -> None:
    """Close connections the database dropped or that outlived ``CONN_MAX_AGE``, as a worker
    does before and after each task, so one dropped connection fails one job, not every job
    after it. (A connection inside a transaction, as in a test, is left alone.)"""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _seconds(schedule) -> float:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    return schedule.run_every.total_seconds()  # celery.schedules.schedule


@dataclass
class Job:
    name: str
    task_name: str
    every: float
    due: float = 0.0
    failures_in_a_row: int = 0

    def run(self) -> tuple[bool, object]:
        """Run the task once: (succeeded, its result or the exception it raised)."""
        _replace_dropped_connections()
        try:
            result = app.tasks[self.task_name].apply()
        except Exception as error:  # a task run eagerly propagates what it raised
            return False, error
        finally:
            _replace_dropped_connections()
        if result.failed():
            return False, result.result
        return True, result.result


class Command(BaseCommand):
    help = (
        "Run the periodic tasks (expired sign-in codes, deadline reminders and overdue flags, ...) "
        "on their schedule in this process, as Celery beat does in production. For a local run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once, then stop.")

    def handle(self, *args, once=False, **options):
        jobs = [
            Job(name=name, task_name=entry["task"], every=_seconds(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        ]
        while True:
            for job in jobs:
                now = time.monotonic()
                if now < job.due:
                    continue
                job.due = now + job.every
                self.run_job(job, verbose=once)
            if once:
                return
            time.sleep(max(1.0, min(job.due for job in jobs) - time.monotonic()))

    def run_job(self, job: Job, *, verbose: bool) -> None:
        succeeded, outcome = job.run()
        if succeeded:
            if job.failures_in_a_row:
                logger.warning("%s: succeeded again after %d failures", job.name, job.failures_in_a_row)
            job.failures_in_a_row = 0
            if verbose or outcome:
                self.stdout.write(f"{job.name}: {outcome}")
            return
        job.failures_in_a_row += 1
        if job.failures_in_a_row == 1:
            error = outcome if isinstance(outcome, BaseException) else None
            logger.error(
                "%s failed: %r; the other jobs go on, it runs again in %d s",
                job.name,
                outcome,
                job.every,
                exc_info=(type(error), error, error.__traceback__) if error else None,
            )
        else:
            logger.error("%s failed again (%d in a row): %r", job.name, job.failures_in_a_row, outcome)
        self.stderr.write(f"{job.name}: failed: {outcome!r}")

"""Runs the periodic tasks of ``CELERY_BEAT_SCHEDULE`` in this process: Celery beat for a local
run, where tasks run in-process and no broker is there to carry beat's messages."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from rma_portal.celery import app


def _seconds(schedule) -> float:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    return schedule.run_every.total_seconds()  # celery.schedules.schedule


class Command(BaseCommand):
    help = (
        "Run the periodic tasks (expired sign-in codes, deadline reminders and overdue flags, ...) "
        "on their schedule in this process, as Celery beat does in production. For a local run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once, then stop.")

    def handle(self, *args, once=False, **options):
        entries = {
            name: (entry["task"], _seconds(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        due = dict.fromkeys(entries, 0.0)
        while True:
            now = time.monotonic()
            for name, (task_name, every) in entries.items():
                if now < due[name]:
                    continue
                due[name] = now + every
                result = app.tasks[task_name].apply()
                if result.failed():
                    self.stderr.write(f"{name}: {result.result!r}")
                elif once or result.result:
                    self.stdout.write(f"{name}: {result.result}")
            if once:
                return
            time.sleep(max(1.0, min(due.values()) - time.monotonic()))

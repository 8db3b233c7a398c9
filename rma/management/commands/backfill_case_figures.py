"""``manage.py backfill_case_figures``: count every case again into the reports' figures
(after rows were written without the models, by a bulk load or a restore)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from rma.backoffice.figures import rebuild


class Command(BaseCommand):
    help = "Count every case again into the reports' per-day and per-status figures."

    def handle(self, *args, **options) -> None:
        days, statuses = rebuild()
        self.stdout.write(f"{days:,} rows of days, {statuses:,} rows of statuses.")

"""
``manage.py seed_scale``: a back office at scale, with cases that look like a live team's.

The distribution (statuses, customers, events, messages, required parts, holds) is in
``rma_portal.scale.plan`` and described in docs/performance.md; the rows are written with
COPY in batches (``rma_portal.scale.writer``). PostgreSQL only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from rma_portal.scale.writer import seed_scale


class Command(BaseCommand):
    help = "Seed (or resume seeding) a PostgreSQL database with cases at scale."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000, help="how many cases (default 1,000,000)")
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, *args, cases: int, quiet: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL's COPY: set DATABASE_URL.")
        seed_scale(total=cases, progress=None if quiet else self.stdout.write)

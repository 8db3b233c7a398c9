#!/usr/bin/env python
"""
Seed the benchmark database: 100,000 cases over 20,000 customers, written in bulk.

The measured customer (``bench-customer@bench.example``) has 20 visible cases with 3 items
and 10 events each; ``bench-small@bench.example`` has 3 and ``bench-large@bench.example`` 60,
to compare query counts. Everything else is spread over the remaining customers. Running it
again on a seeded database does nothing. It then prints, as one JSON line, what the load
generator needs: a case number of the measured customer and fresh sessions signed in as them.

Usage (production settings, PostgreSQL): DATABASE_URL=... python bench/seed.py [--sessions N]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from rma.cases.models import Action, Case, CaseEvent, CaseItem, Role  # noqa: E402
from rma.models import Warehouse  # noqa: E402

TOTAL_CASES = 100_000
TOTAL_CUSTOMERS = 20_000
BATCH = 5_000
YEAR = 2020  # bench numbers never meet the real yearly counter
MEASURED = "bench-customer@bench.example"
SMALL = "bench-small@bench.example"
LARGE = "bench-large@bench.example"
VISIBLE = [s for s in Case.Status if s not in Case.HIDDEN_STATUSES]
ALL_STATUSES = list(Case.Status)
EVENT_ACTIONS = [Action.PUBLISH, Action.AGREE, Action.MESSAGE, Action.EDIT, Action.MARK_INFO_COMPLETE]


def _customers() -> list[User]:
    existing = User.objects.filter(email__endswith="@bench.example").count()
    if existing < TOTAL_CUSTOMERS:
        unusable = make_password(None)
        emails = [MEASURED, SMALL, LARGE] + [
            f"customer{n:05d}@bench.example" for n in range(TOTAL_CUSTOMERS - 3)
        ]
        known = set(User.objects.filter(email__endswith="@bench.example").values_list("email", flat=True))
        new = [User(email=email, password=unusable) for email in emails if email not in known]
        User.objects.bulk_create(new, batch_size=BATCH)
    return list(User.objects.filter(email__endswith="@bench.example").order_by("id"))


def _plan(customers: list[User]) -> list[tuple[User, str, int, int]]:
    """(customer, status, items, events) for every case, the special customers first."""
    by_email = {customer.email: customer for customer in customers}
    plan = []
    for n in range(20):
        plan.append((by_email[MEASURED], VISIBLE[n % len(VISIBLE)], 3, 10))
    for n in range(3):
        plan.append((by_email[SMALL], VISIBLE[n % len(VISIBLE)], 3, 10))
    for n in range(60):
        plan.append((by_email[LARGE], VISIBLE[n % len(VISIBLE)], 3, 10))
    others = [c for c in customers if c.email not in (MEASURED, SMALL, LARGE)]
    rng = random.Random(4)
    for n in range(TOTAL_CASES - len(plan)):
        plan.append((others[n % len(others)], rng.choice(ALL_STATUSES), 1, 2))
    return plan


def seed() -> None:
    # Each batch commits on its own, so an interrupted run resumes after its last batch.
    done = Case.objects.filter(number__startswith=f"RMA-{YEAR}-").count()
    if done >= TOTAL_CASES:
        return
    warehouse, _created = Warehouse.objects.get_or_create(
        name="Bench Returns Centre",
        defaults={"line1": "1 Bench Road", "city": "Reno", "postal_code": "89501", "country": "US"},
    )
    customers = _customers()
    plan = _plan(customers)
    rng = random.Random(7)
    now = timezone.now()
    for start in range(done, len(plan), BATCH):
        chunk = plan[start : start + BATCH]
        with transaction.atomic():
            cases = []
            for offset, (customer, status, _items, _events) in enumerate(chunk):
                created = now - datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
                cases.append(
                    Case(
                        number=f"RMA-{YEAR}-{start + offset + 1:06d}",
                        customer=customer,
                        status=status,
                        solution_type=rng.choice(Case.SolutionType.values),
                        return_required=True,
                        warehouse=warehouse,
                        country="US",
                        created_at=created,
                        status_changed_at=created,
                    )
                )
            Case.objects.bulk_create(cases)
            items, events = [], []
            for case, (_customer, _status, item_count, event_count) in zip(cases, chunk, strict=True):
                for i in range(item_count):
                    items.append(
                        CaseItem(
                            case=case,
                            product_model=f"Camera {i}",
                            serial_number=f"SN{case.number[-6:]}{i}",
                            purchase_date=datetime.date(2025, 1, 1),
                        )
                    )
                for e in range(event_count):
                    events.append(
                        CaseEvent(
                            case=case,
                            actor=None,
                            actor_role=Role.SYSTEM,
                            action=EVENT_ACTIONS[e % len(EVENT_ACTIONS)],
                            from_status=case.status,
                            to_status=case.status,
                            comment="Benchmark event",
                            created_at=case.created_at + datetime.timedelta(minutes=e),
                        )
                    )
            CaseItem.objects.bulk_create(items)
            CaseEvent.objects.bulk_create(events)
        print(f"  {start + len(chunk):>7} cases", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sessions_for(email: str, count: int) -> list[str]:
    """Fresh signed-in sessions, as the portal's sign-in would leave them."""
    user = User.objects.get(email=email)
    keys = []
    for _ in range(count):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sessions", type=int, default=64, help="signed-in sessions to print")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
    seed()
    measured = Case.objects.filter(customer__email=MEASURED, status=Case.Status.PENDING_CONFIRM).first()
    print(
        json.dumps(
            {
                "case_number": measured.number,
                "sessions": sessions_for(MEASURED, args.sessions),
                "small_sessions": sessions_for(SMALL, 1),
                "large_sessions": sessions_for(LARGE, 1),
                "cases": Case.objects.count(),
                "customers": User.objects.filter(email__endswith="@bench.example").count(),
            }
        )
    )


if __name__ == "__main__":
    main()

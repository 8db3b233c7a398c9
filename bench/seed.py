"""
Seed the benchmark database: 100,000 cases over 20,000 customers.

The measured customer (bench@example.com) has 20 cases with 3 items and 10 events each;
bench-three@example.com has 3 cases and bench-sixty@example.com 60, to compare query counts.
Run by bench/run.py with the benchmark's environment; safe to run again (it seeds once).
"""

import datetime
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from rma.models import Action, Case, CaseEvent, CaseItem, CaseNumberCounter, Role, Warehouse  # noqa: E402

TOTAL_CASES = int(os.environ.get("BENCH_CASES", "100000"))
TOTAL_CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
MEASURED = "bench@example.com"
BATCH = 5000
VISIBLE = [
    Case.Status.PENDING_CONFIRM,
    Case.Status.AWAITING_INFO,
    Case.Status.UNDER_REVIEW,
    Case.Status.PROCESSING,
    Case.Status.COMPLETED,
    Case.Status.DISAGREED,
]


def _case(number: int, customer_id: int, warehouse: Warehouse, created: datetime.datetime) -> Case:
    solution = random.choice(list(Case.SolutionType))
    return Case(
        number=f"RMA-{created.year}-{number:06d}",
        customer_id=customer_id,
        status=random.choice(VISIBLE),
        solution_type=solution,
        solution_note="Replacement of the camera after a failed night-vision module.",
        return_required=True,
        warehouse=warehouse,
        refund_amount=49 if solution == Case.SolutionType.REFUND else None,
        refund_currency="USD" if solution == Case.SolutionType.REFUND else "",
        payment_amount=15 if number % 4 == 0 else None,
        payment_currency="USD" if number % 4 == 0 else "",
        country="US",
        created_at=created,
        status_changed_at=created,
    )


def _items(case: Case, count: int) -> list[CaseItem]:
    return [
        CaseItem(
            case=case,
            product_model=f"Camera {index}",
            serial_number=f"SN{case.pk:08d}{index}",
            purchase_date=datetime.date(2025, 6, 1),
            warranty_months=24,
        )
        for index in range(count)
    ]


def _events(case: Case, customer_id: int, count: int) -> list[CaseEvent]:
    actions = [Action.CREATE, Action.PUBLISH, Action.MESSAGE, Action.AGREE, Action.EDIT]
    return [
        CaseEvent(
            case=case,
            actor_id=customer_id,
            actor_role=Role.CUSTOMER,
            action=actions[index % len(actions)],
            comment="Checked the serial number against the order.",
            created_at=case.created_at + datetime.timedelta(hours=index),
        )
        for index in range(count)
    ]


def seed() -> None:
    if Case.objects.count() >= TOTAL_CASES and User.objects.filter(email=MEASURED).exists():
        print(f"already seeded: {Case.objects.count()} cases")
        return
    random.seed(7)
    now = timezone.now()
    with transaction.atomic():
        warehouse, _ = Warehouse.objects.get_or_create(
            name="Bench warehouse",
            defaults={"line1": "1 Dock Road", "city": "Reno", "postal_code": "89502", "country": "US"},
        )
        emails = [MEASURED, "bench-three@example.com", "bench-sixty@example.com"] + [
            f"bench-customer-{n}@example.com" for n in range(TOTAL_CUSTOMERS - 3)
        ]
        User.objects.bulk_create(
            [User(email=email, password="!unusable") for email in emails],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
        plan = [(ids[MEASURED], 3, 10)] * 20 + [(ids["bench-three@example.com"], 1, 2)] * 3
        plan += [(ids["bench-sixty@example.com"], 1, 2)] * 60
        others = [ids[e] for e in emails[3:]]
        plan += [(others[n % len(others)], 1, 1) for n in range(TOTAL_CASES - len(plan))]

        number = 0
        for start in range(0, len(plan), BATCH):
            chunk = plan[start : start + BATCH]
            cases = []
            for customer_id, _items_count, _events_count in chunk:
                number += 1
                created = now - datetime.timedelta(minutes=number)
                cases.append(_case(number, customer_id, warehouse, created))
            Case.objects.bulk_create(cases)
            items, events = [], []
            for case, (customer_id, item_count, event_count) in zip(cases, chunk, strict=True):
                items += _items(case, item_count)
                events += _events(case, customer_id, event_count)
            CaseItem.objects.bulk_create(items, batch_size=BATCH)
            CaseEvent.objects.bulk_create(events, batch_size=BATCH)
            print(f"  {start + len(chunk)} cases", flush=True)
        CaseNumberCounter.objects.update_or_create(year=now.year, defaults={"last_value": number})
    print(f"seeded {Case.objects.count()} cases over {User.objects.count()} people")


if __name__ == "__main__":
    seed()

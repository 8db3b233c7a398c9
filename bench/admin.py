#!/usr/bin/env python
"""
``make bench-admin``: the back office at a million cases, on PostgreSQL, as an agent.

Seeds the database once with ``manage.py seed_scale`` (1,000,000 cases by default; a second
run reuses them), then requests each page of the table below in-process through Django's
test client with production settings (DEBUG off, Redis cache and sessions), signed in as a
supervisor with a verified second factor. For each it prints the median time of several
runs, the queries per request, and for the slowest query the top node of its plan and any
sequential scan of a table of more than 10,000 rows. The CSV export runs in a child
process whose peak memory is read from the kernel; the overdue task runs over the seeded
backlog inside a transaction that is rolled back, so every run finds the same backlog.

``--write FILE`` puts the table into FILE between the ``bench admin`` markers.

Usage: BENCH_ADMIN_DATABASE_URL=postgres://... python bench/admin.py [--runs 5] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rma_admin_bench"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_ADMIN_REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_urlsafe(48))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.plans import QueryLog, plan_summary  # noqa: E402
from rma.backoffice.reminders import flag_overdue_cases  # noqa: E402
from rma.cases.models import Case, CaseItem, Warehouse  # noqa: E402

BEGIN, END = "<!-- bench admin: begin -->", "<!-- bench admin: end -->"
SUPERVISOR = "bench-supervisor@scale.example"
# (group, target in ms or None): what "done" asks of each row.
TARGETS = {"list": 300, "search": 200, "page": 100, "report8": 500, "report2y": 1000}


def supervisor_client() -> Client:
    user, created = User.objects.get_or_create(
        email=SUPERVISOR, defaults={"is_staff": True, "is_superuser": True, "full_name": "Bench Supervisor"}
    )
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sample_values() -> dict[str, str]:
    """Real values of the seeded data to search for and filter by."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.number, u.email, u.full_name FROM rma_case c JOIN accounts_user u ON u.id = c.customer_id"
            " JOIN payments_supplementarypayment p ON p.case_id = c.id"
            " JOIN rma_returnshipment r ON r.case_id = c.id JOIN rma_shippingaddress a ON a.case_id = c.id"
            " WHERE c.number LIKE 'RMA-2019-%%' ORDER BY c.number DESC LIMIT 1"
        )
        case_id, number, email, name = cursor.fetchone()
        cursor.execute("SELECT tracking_number FROM rma_returnshipment WHERE case_id = %s", [case_id])
        tracking = cursor.fetchone()[0]
        cursor.execute(
            "SELECT transaction_number FROM payments_supplementarypayment WHERE case_id = %s", [case_id]
        )
        transaction_number = cursor.fetchone()[0]
    item = (
        CaseItem.objects.filter(case__number__startswith="RMA-2019-").exclude(uid="").order_by("-id").first()
    )
    return {
        "case_id": str(case_id),
        "number": number,
        "email": email,
        "email_part": email.split("@")[0][3:] + "@",
        "name": " ".join(name.split()[:2]),
        "serial": item.serial_number.lower(),
        "uid": item.uid,
        "tracking": tracking,
        "transaction": transaction_number,
        "warehouse": str(
            Warehouse.objects.filter(name__startswith="Scale Centre").values_list("pk", flat=True)[0]
        ),
        "agent": str(User.objects.filter(email="agent7@scale.example").values_list("pk", flat=True)[0]),
    }


def measures(values: dict[str, str]) -> list[tuple[str, str, str]]:
    """(row name, group, path) of every page the table measures."""
    cases = "/admin/rma/case/"
    today = timezone.localdate()
    rows = [("case list, default page", "list", cases)]
    for queue in ("mine", "unassigned", "waiting_on_us", "waiting_on_customer", "overdue", "disagreed",
                  "awaiting_approval"):  # fmt: skip
        rows.append((f"queue tab: {queue}", "list", f"{cases}?queue={queue}"))
    for name, query in (
        ("status", "status__exact=processing"),
        ("solution", "solution_type__exact=refund"),
        ("warehouse", f"warehouse__id__exact={values['warehouse']}"),
        ("agent", f"assigned_agent__id__exact={values['agent']}"),
        ("needs approval", "needs_approval__exact=1"),
    ):
        rows.append((f"filter: {name}", "list", f"{cases}?{query}"))
    for name, order in (("number", "1"), ("status", "3"), ("due", "4"), ("solution", "5"),
                        ("warehouse", "6"), ("created ascending", "8")):  # fmt: skip
        rows.append((f"sort: {name}", "list", f"{cases}?o={order}"))
    rows.append(("page 5000 (capped: to page 200, with a message)", "list", f"{cases}?p=5000"))
    for name, term in (
        ("case number", values["number"]),
        ("email", values["email"]),
        ("S/N", values["serial"]),
        ("UID", values["uid"]),
        ("tracking number", values["tracking"]),
        ("PayPal transaction", values["transaction"]),
        ("customer name", values["name"]),
        ("partial email", values["email_part"]),
    ):
        rows.append((f"search: {name}", "search", f"{cases}?q={term.replace(' ', '+')}"))
    rows.append(
        ("return list: tracking search", "search", f"/admin/rma/returnshipment/?q={values['tracking']}")
    )
    rows.append((
        "payment list: transaction search", "search",
        f"/admin/payments/supplementarypayment/?q={values['transaction']}",
    ))  # fmt: skip
    rows.append(("case page", "page", f"{cases}{values['case_id']}/change/"))
    rows.append(("reports, 8 weeks", "report8", "/admin/rma/reports/"))
    two_years = today - datetime.timedelta(days=2 * 365)
    rows.append(("reports, 2 years", "report2y", f"/admin/rma/reports/?start={two_years}&end={today}"))
    return rows


def measure_page(client: Client, path: str, runs: int) -> dict:
    timings, counts, slowest = [], [], None
    for run in range(runs + 1):  # the first run warms the caches and is not counted
        with QueryLog() as log:
            started = time.perf_counter()
            response = client.get(path, secure=True, follow=True)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}\n{body[:500]!r}")
        if run:
            timings.append(elapsed)
            counts.append(len(log.queries))
            worst = max(log.queries, key=lambda q: q[1], default=None)
            if worst and (slowest is None or worst[1] > slowest[1]):
                slowest = worst
    return {"ms": statistics.median(timings), "queries": max(counts), "plan": plan_summary(slowest)}


def measure_export() -> dict:
    """The CSV export of every case, in a child process (its peak memory is its own)."""
    output = subprocess.run(
        [sys.executable, __file__, "--export-child"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout.split()
    return {
        "ms": float(output[0]),
        "rows": int(output[1]),
        "start_mb": float(output[2]),
        "peak_mb": float(output[3]),
    }


def peak_memory_mb() -> float:
    """This process's peak resident memory (``ru_maxrss`` would count the parent's too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_child() -> None:
    client = supervisor_client()
    start_mb = peak_memory_mb()
    started = time.perf_counter()
    response = client.get("/admin/rma/case/export.csv", secure=True)
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    elapsed = (time.perf_counter() - started) * 1000
    peak_mb = peak_memory_mb()
    print(f"{elapsed:.0f} {rows} {start_mb:.0f} {peak_mb:.0f}")


def measure_overdue() -> dict:
    with QueryLog() as log:
        started = time.perf_counter()
        with transaction.atomic():
            flagged = flag_overdue_cases()
            transaction.set_rollback(True)
        elapsed = (time.perf_counter() - started) * 1000
    return {"ms": elapsed, "queries": len(log.queries), "flagged": flagged}


def table(results: list[tuple[str, str, dict]], export: dict | None, overdue: dict | None) -> str:
    lines = ["| what | median (ms) | queries | slowest query: plan | target |", "|---|---:|---:|---|---|"]
    for name, group, result in results:
        target = TARGETS[group]
        met = "met" if result["ms"] < target and (group != "page" or result["queries"] <= 15) else "NOT met"
        limit = f"< {target} ms" + (", ≤ 15 queries" if group == "page" else "")
        lines.append(
            f"| {name} | {result['ms']:.0f} | {result['queries']} | {result['plan']} | {limit} {met} |"
        )
    if export:
        met = "met" if export["ms"] < 60_000 and export["peak_mb"] < 200 else "NOT met"
        lines.append(
            f"| CSV export, {export['rows']:,} rows | {export['ms']:.0f} | | memory {export['start_mb']:.0f} → "
            f"{export['peak_mb']:.0f} MB | < 60 s, < 200 MB {met} |"
        )
    if overdue:
        met = "met" if overdue["ms"] < 30_000 else "NOT met"
        lines.append(
            f"| overdue task, backlog of {overdue['flagged']:,} | {overdue['ms']:.0f} | {overdue['queries']:,} | "
            f"| < 30 s {met} |"
        )
    return "\n".join(lines)


def describe(runs: int) -> str:
    counts = {model: model.objects.count() for model in (Case, CaseItem)}
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"Measured {timezone.now():%Y-%m-%d %H:%M} UTC by `bench/admin.py`: medians of {runs} runs after one "
        f"warm-up, in-process (Django test client, production settings), signed in as a supervisor.\n"
        f"Data: {counts[Case]:,} cases, {counts[CaseItem]:,} items. Machine: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load} at the end."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="measure only the rows whose name contains this")
    parser.add_argument("--skip-slow", action="store_true", help="skip the CSV export and the overdue task")
    parser.add_argument("--write", type=Path, help="write the table into this Markdown file")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_test_environment()
    if args.export_child:
        return export_child()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set BENCH_ADMIN_DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_scale", cases=args.cases)
    client = supervisor_client()
    results = []
    for name, group, path in measures(sample_values()):
        if args.only and args.only not in name:
            continue
        result = measure_page(client, path, args.runs)
        print(
            f"{name:<36} {result['ms']:>8.0f} ms {result['queries']:>4} queries  {result['plan']}", flush=True
        )
        results.append((name, group, result))
    export = overdue = None
    if not args.skip_slow and not args.only:
        export = measure_export()
        print(f"CSV export: {export}", flush=True)
        overdue = measure_overdue()
        print(f"overdue task: {overdue}", flush=True)
    text = f"{describe(args.runs)}\n\n{table(results, export, overdue)}"
    print(text)
    if args.write:
        document = args.write.read_text()
        head, _begin, rest = document.partition(BEGIN)
        _old, _end, tail = rest.partition(END)
        args.write.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""
``make bench-admin``: the back office at a million cases, on PostgreSQL, as an agent.

Seeds the database once with ``manage.py seed_scale`` (1,000,000 cases by default; a second
run reuses them), then requests each page of the table below in-process through Django's
test client with production settings (DEBUG off, Redis cache and sessions), signed in as a
warranty agent (the "Warranty agents" group, not a superuser) with a verified second factor;
the reports and one case page as a supervisor. The searches look for cases spread over the
table (``bench.admin_rows``). For each row it prints the median time of several runs, the
queries per request, the top node of the slowest query's plan, and every sequential scan of
a table of more than 10,000 rows in the plans of its queries, from ``EXPLAIN (ANALYZE)``. The CSV export runs in a child
process whose peak memory is read from the kernel; the overdue task runs over the seeded
backlog inside a transaction that is rolled back, so every run finds the same backlog.

``--write FILE`` puts the table into FILE between the ``bench admin`` markers.

Usage: BENCH_ADMIN_DATABASE_URL=postgres://... python bench/admin.py [--runs 5] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
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

from bench.admin_rows import (  # noqa: E402
    PAGE_QUERIES,
    TARGETS,
    agent_client,
    reference_ids,
    rows,
    samples,
    supervisor_client,
)  # noqa: E402
from bench.plans import QueryLog, plan_summary, scans_of  # noqa: E402
from rma.backoffice.reminders import flag_overdue_cases  # noqa: E402
from rma.cases.models import Case, CaseItem  # noqa: E402

BEGIN, END = "<!-- bench admin: begin -->", "<!-- bench admin: end -->"


def measure_page(client: Client, paths: list[str], runs: int) -> dict:
    """Median of ``runs`` requests (each run the next of ``paths``), after one warm-up of each."""
    timings, counts, slowest, last = [], [], None, []
    for path in paths:
        response = client.get(path, secure=True, follow=True)
        _body(response)
    for run in range(runs):
        path = paths[run % len(paths)]
        with QueryLog() as log:
            started = time.perf_counter()
            response = client.get(path, secure=True, follow=True)
            body = _body(response)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}\n{body[:500]!r}")
        timings.append(elapsed)
        counts.append(len(log.queries))
        last = log.queries
        worst = max(log.queries, key=lambda q: q[1], default=None)
        if worst and (slowest is None or worst[1] > slowest[1]):
            slowest = worst
    return {
        "ms": statistics.median(timings),
        "queries": max(counts),
        "plan": plan_summary(slowest),
        "scans": scans_of(last),
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


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
    lines = [
        "| what | median (ms) | queries | slowest query: plan | seq scans of big tables | goal |",
        "|---|---:|---:|---|---|---|",
    ]
    for name, group, result in results:
        target = TARGETS[group]
        met = result["ms"] < target and (group != "page" or result["queries"] <= PAGE_QUERIES)
        met = "met" if met and not result["scans"] else "NOT met"
        limit = f"< {target} ms" + (f", ≤ {PAGE_QUERIES} queries" if group == "page" else "")
        scans = ", ".join(result["scans"]) or "none"
        lines.append(
            f"| {name} | {result['ms']:.0f} | {result['queries']} | {result['plan']} | {scans} | {limit} {met} |"
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
        f"warm-up, in-process (Django test client, production settings), signed in as a warranty agent "
        f"(a supervisor for the reports and the second case page) with a verified second factor.\n"
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
    clients = {"agent": agent_client(), "supervisor": supervisor_client()}
    results = []
    for name, group, who, paths in rows(samples(args.cases), reference_ids()):
        if args.only and args.only not in name:
            continue
        result = measure_page(clients[who], paths, args.runs)
        scans = ", ".join(result["scans"])
        print(
            f"{name:<44} {result['ms']:>8.0f} ms {result['queries']:>4} queries  {result['plan']}"
            + (f"  SEQ SCAN: {scans}" if scans else ""),
            flush=True,
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

"""The queries a request runs, and what PostgreSQL's plan says of them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from django.db import connection

# A sequential scan of a table larger than this is what a page view must never do.
BIG_TABLE_ROWS = 10_000
# The reports' figures: a few rows a day whatever the number of cases (five years are about
# 30,000 rows), which a 2-year report rightly reads whole; never counted as a big table.
FIGURE_TABLES = frozenset({"rma_casedayfigure", "rma_casestatusfigure"})


class QueryLog:
    """Every query run inside the block: (sql, milliseconds, params), without DEBUG."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, float, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, (time.perf_counter() - started) * 1000, params))

    def __enter__(self) -> QueryLog:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)


def explain(sql: str, params, analyze: bool = False) -> dict:
    """PostgreSQL's plan of one query (run too with ``analyze``), as its top node."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) " + sql, params)
        document = cursor.fetchone()[0]
    if isinstance(document, str):
        document = json.loads(document)
    return document[0]["Plan"]


def nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def big_seq_scans(plan: dict) -> list[str]:
    """The tables of more than ``BIG_TABLE_ROWS`` rows that the plan reads from end to end."""
    tables = [node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"]
    if not tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [tables])
        sizes = dict(cursor.fetchall())
    return sorted(
        {table for table in tables if sizes.get(table, 0) > BIG_TABLE_ROWS and table not in FIGURE_TABLES}
    )


def plan_summary(query: tuple[str, float, tuple] | None) -> str:
    """The slowest query's time, the top node of its plan, and any big sequential scan."""
    if query is None:
        return ""
    sql, ms, params = query
    if not sql.lstrip().upper().startswith("SELECT"):
        return f"{ms:.0f} ms: {sql.split()[0]}"
    plan = explain(sql, params)
    top = plan["Node Type"] + (f" on {plan['Relation Name']}" if "Relation Name" in plan else "")
    scans = big_seq_scans(plan)
    return f"{ms:.0f} ms: {top}" + (f"; seq scan of {', '.join(scans)}" if scans else "")


def scans_of(queries: list[tuple[str, float, tuple]]) -> list[str]:
    """Every big table that a SELECT of ``queries`` reads from end to end, by
    ``EXPLAIN (ANALYZE, FORMAT JSON)`` (the plan PostgreSQL really ran)."""
    found: set[str] = set()
    for sql, _ms, params in queries:
        if sql.lstrip().upper().startswith("SELECT"):
            found.update(big_seq_scans(explain(sql, params, analyze=True)))
    return sorted(found)

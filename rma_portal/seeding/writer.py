"""
Writes the planned cases with PostgreSQL's COPY, in batches of ``BATCH`` cases, one
transaction each: an interrupted run resumes after its last batch, and a second run on a
seeded database does nothing. PostgreSQL only.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from rma.backoffice.figures import rebuild

from . import words
from .plan import Context, Planned, plan_case

PREFIX = "RMA-2019-"  # scale numbers never meet the real yearly counter
TEAM_DOMAIN = "team.scale.example"
AGENTS, SUPERVISORS = 36, 4
BATCH = 25_000
SPREAD_DAYS = 5 * 365
SEED = 24
# (city, country, currency) of each warehouse, named "Scale Centre <city>".
WAREHOUSES = (
    ("Reno", "US", "USD"),
    ("Leipzig", "DE", "EUR"),
    ("Birmingham", "GB", "GBP"),
    ("Lyon", "FR", "EUR"),
    ("Osaka", "JP", "JPY"),
    ("Toronto", "CA", "CAD"),
)
MAX_CASES_PER_CUSTOMER = 40

CASE_COLUMNS = (
    "number, status, solution_type, solution_note, return_required, payment_amount, payment_currency, "
    "refund_amount, refund_currency, needs_approval, country, agent_notes, revision, refund_reference, "
    "outbound_carrier, outbound_tracking_number, created_at, updated_at, status_changed_at, completed_at, "
    "assigned_agent_id, customer_id, warehouse_id, due_at, first_cancelled_at, first_completed_at, "
    "first_visible_at, advance_replacement, hold_amount, hold_currency, hold_placed_at, replacement_method, "
    "return_due_at, hold_settlement, offered_solution, policy_exception_reason"
)


def letters(n: int) -> str:
    """``n`` written in letters (a name or an address never carries a digit)."""
    text = ""
    while True:
        n, rest = divmod(n, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[rest] + text
        if not n:
            return text


def person(n: int) -> tuple[str, str]:
    """The full name and email of customer ``n``."""
    first = words.FIRST_NAMES[n * 7 % len(words.FIRST_NAMES)]
    last = words.LAST_NAMES[n * 13 // 7 % len(words.LAST_NAMES)]
    if n % 7 == 0:  # one in seven writes from a small domain shared by a few customers
        domain = f"{words.SMALL_DOMAIN_WORDS[n % len(words.SMALL_DOMAIN_WORDS)]}-{letters(n % 211)}.example"
    else:
        domain = words.BIG_DOMAINS[n % len(words.BIG_DOMAINS)]
    return f"{first} {last}", f"{first.lower()}.{last.lower()}.{letters(n)}@{domain}"


def cases_per_customer(total: int) -> list[int]:
    """A long tail: half the customers have one case, a few have up to 40 (P(k >= m) = m^-4/3)."""
    rng = random.Random(SEED)
    counts, seeded = [], 0
    while seeded < total:
        k = min(MAX_CASES_PER_CUSTOMER, int(1 / (1 - rng.random()) ** 0.75), total - seeded)
        counts.append(k)
        seeded += k
    return counts


def copy(cursor, table: str, columns: str, rows) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
        for row in rows:
            stream.write_row(row)


def seed_people(cursor, total: int) -> tuple[list[int], list[int], list[int], dict[int, str]]:
    """The team and the customers (created once); returns their ids, customers in order."""
    now = timezone.now()
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS scale_people (n int, email text, full_name text, staff bool)"
    )
    cursor.execute("TRUNCATE scale_people")
    team = [
        (
            -n,
            f"{words.FIRST_NAMES[n % 50].lower()}.{words.LAST_NAMES[(n * 3) % 50].lower()}@{TEAM_DOMAIN}",
            f"{words.FIRST_NAMES[n % 50]} {words.LAST_NAMES[(n * 3) % 50]}",
            True,
        )
        for n in range(1, AGENTS + SUPERVISORS + 1)
    ]
    customers = [(n, *reversed(person(n)), False) for n in range(1, len(cases_per_customer(total)) + 1)]
    copy(cursor, "scale_people", "n, email, full_name, staff", team + customers)
    cursor.execute(
        "INSERT INTO accounts_user (password, email, full_name, is_superuser, is_staff, is_active,"
        " date_joined,"
        " language) SELECT '!', email, full_name, false, staff, true, %s,"
        " (ARRAY['', 'en', 'de', 'fr', 'es', 'it', 'ja'])[1 + abs(n) %% 7] FROM scale_people ORDER BY n"
        " ON CONFLICT DO NOTHING",
        [now - __import__("datetime").timedelta(days=SPREAD_DAYS + 30)],
    )
    cursor.execute(
        "SELECT p.n, u.id, u.full_name FROM scale_people p JOIN accounts_user u USING (email) ORDER BY p.n"
    )
    rows = cursor.fetchall()
    staff = [user for n, user, _name in rows if n < 0]
    agents, supervisors = staff[SUPERVISORS:], staff[:SUPERVISORS]
    cursor.execute(
        "INSERT INTO accounts_user_groups (user_id, group_id) SELECT u, g.id FROM unnest(%s::bigint[]) u,"
        " auth_group g WHERE g.name = 'Warranty agents' UNION ALL SELECT u, g.id FROM unnest(%s::bigint[]) u,"
        " auth_group g WHERE g.name = 'Warranty supervisors' ON CONFLICT DO NOTHING",
        [agents, supervisors],
    )
    return (
        agents,
        supervisors,
        [user for n, user, _name in rows if n > 0],
        {user: name for _n, user, name in rows},
    )


def seed_places(cursor) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    for city, country, currency in WAREHOUSES:
        cursor.execute(
            "INSERT INTO rma_warehouse (name, recipient, line1, line2, city, region, postal_code, country,"
            " phone,"
            " is_active, currency) VALUES (%s, 'Returns', 'Dock Road', '', %s, '', 'AB', %s, '', true, %s)"
            " ON CONFLICT DO NOTHING",
            [f"Scale Centre {city}", city, country, currency],
        )
    cursor.execute(
        "SELECT id, country, currency FROM rma_warehouse WHERE name LIKE 'Scale Centre %%' ORDER BY id"
    )
    warehouses = cursor.fetchall()
    for model, category in words.PRODUCTS:
        for name, condition in ((model, "new"), (f"{model} Refurbished", "refurbished")):
            cursor.execute(
                "INSERT INTO rma_product (model_name, category, condition) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [name, category, condition],
            )
    names = [model for model, _ in words.PRODUCTS] + [f"{model} Refurbished" for model, _ in words.PRODUCTS]
    cursor.execute("SELECT id, model_name, condition FROM rma_product WHERE model_name = ANY(%s)", [names])
    products = cursor.fetchall()
    # New products are returned about four times as often as refurbished ones.
    return warehouses, [p for p in products if p[2] == "new"] * 4 + [p for p in products if p[2] != "new"]


def spread_owners(customers: list[int], total: int) -> list[int]:
    """The customer of each case ordinal: each customer's cases spread over the five years."""
    slots = [
        customer for customer, k in zip(customers, cases_per_customer(total), strict=False) for _ in range(k)
    ]
    step = next(p for p in (7919, 7927, 7933, 7937, 7949) if math.gcd(p, total) == 1)
    return [slots[(i * step) % total] for i in range(1, total + 1)]


def write_batch(cursor, ctx: Context, lo: int, hi: int, names: dict[int, str]) -> None:
    rng = random.Random(SEED * 1_000_003 + lo)
    out = Planned()
    for i in range(lo, hi + 1):
        plan_case(ctx, rng, i, f"{PREFIX}{i:07d}", out)
    copy(cursor, "rma_case", CASE_COLUMNS, out.case)
    cursor.execute(
        "SELECT number, id FROM rma_case WHERE number BETWEEN %s AND %s",
        [f"{PREFIX}{lo:07d}", f"{PREFIX}{hi:07d}"],
    )
    ids = dict(cursor.fetchall())
    copy(
        cursor,
        "rma_caseitem",
        "case_id, product_id, product_model, serial_number, uid, quantity, kit_scope,"
        " purchase_date, condition, purchase_channel",
        ((ids[r[0]], *r[1:]) for r in out.items),
    )
    copy(
        cursor,
        "rma_casemessage",
        "case_id, sender, author_id, body, created_at",
        ((ids[r[0]], *r[1:]) for r in out.messages),
    )
    cursor.execute(
        "SELECT case_id, created_at, id FROM rma_casemessage WHERE case_id = ANY(%s)", [list(ids.values())]
    )
    sent = defaultdict(dict)
    for case_id, created_at, message_id in cursor.fetchall():
        sent[case_id][created_at] = message_id
    ordered = {case_id: [sent[case_id][moment] for moment in sorted(sent[case_id])] for case_id in sent}

    def events():
        for number, action, before, after, role, actor, data, comment, behalf, moment, message in out.events:
            case_id = ids[number]
            if message is not None:
                data = {"message_id": ordered[case_id][message - 1]}
            yield (case_id, action, before, after, role, actor, json.dumps(data), comment, behalf, moment, "")

    copy(
        cursor,
        "rma_caseevent",
        "case_id, action, from_status, to_status, actor_role, actor_id, data, comment,"
        " on_behalf, created_at, user_agent",
        events(),
    )
    parts = "state, sent_back_reason, submitted_at, reviewed_at, sent_back_items, on_behalf"
    copy(
        cursor,
        "rma_returnshipment",
        f"case_id, carrier, tracking_number, {parts}, label_photo,"
        " label_photo_thumbnail, label_photo_name, postage_receipt, postage_receipt_thumbnail,"
        " postage_receipt_name",
        (
            (
                ids[n],
                carrier,
                tracking,
                state,
                reason,
                at,
                seen,
                "[]",
                False,
                *(("returns/label.jpg",) * 6 if at else ("",) * 6),
            )
            for n, carrier, tracking, state, reason, at, seen in out.returns
        ),
    )
    copy(
        cursor,
        "rma_shippingaddress",
        f"case_id, full_name, line1, line2, city, region, postal_code, country, phone, {parts}",
        (
            (
                ids[n],
                names.get(customer, ""),
                f"{letters(customer % 997).title()} Street",
                "",
                "Springfield",
                "",
                "AB",
                country,
                "",
                state,
                reason,
                at,
                seen,
                "[]",
                False,
            )
            for n, customer, country, state, reason, at, seen in out.addresses
        ),
    )
    copy(
        cursor,
        "payments_supplementarypayment",
        f"case_id, amount, currency, transaction_number, {parts},"
        " receiving_account, lookup_state, lookup_status, lookup_currency, lookup_payer_email, lookup_error,"
        " invoice_state, invoice_id, invoice_link, invoice_error, created_at, updated_at, lookup_answer,"
        " invoice_answer",
        (
            (
                ids[n],
                amount,
                currency,
                txn if at else "",
                state,
                reason,
                at,
                seen,
                "[]",
                False,
                f"payments@{TEAM_DOMAIN}",
                "matched" if state == "accepted" else "not_checked",
                "",
                "",
                "",
                "",
                "none",
                "",
                "",
                "",
                created,
                created,
                "{}",
                "{}",
            )
            for n, amount, currency, state, txn, reason, at, seen, created in out.payments
        ),
    )
    copy(
        cursor,
        "payments_replacementchoice",
        f"case_id, method, hold_state, amount, currency, authorized_at,"
        f" {parts}, request_key, order_id, approval_url, authorization_id, authorization_status, capture_id,"
        " paypal_error, created_at, updated_at",
        (
            (
                ids[n],
                method,
                hold,
                amount,
                currency,
                placed,
                state,
                "",
                placed,
                None,
                "[]",
                False,
                f"k{ids[n]}",
                f"ORDER{letters(ids[n]).upper()}" if method else "",
                "",
                f"AUTH{letters(ids[n]).upper()}" if placed else "",
                "",
                "",
                "",
                created,
                created,
            )
            for n, method, hold, amount, currency, placed, state, created in out.choices
        ),
    )


def seed_scale(*, total: int, progress=None) -> int:
    """Seed ``total`` cases (resuming a partial run); returns how many were written now."""
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        with transaction.atomic():
            agents, supervisors, customers, names = seed_people(cursor, total)
            warehouses, products = seed_places(cursor)
        cursor.execute("SELECT count(*) FROM rma_case WHERE number LIKE %s", [PREFIX + "%"])
        done = cursor.fetchone()[0]
        if done >= total:
            return 0
        ctx = Context(
            agents=agents,
            supervisors=supervisors,
            owners=spread_owners(customers, total),
            warehouses=warehouses,
            products=products,
            total=total,
            spread_days=SPREAD_DAYS,
            now=timezone.now(),
        )
        started = time.monotonic()
        for lo in range(done - done % BATCH + 1, total + 1, BATCH):
            hi = min(total, lo + BATCH - 1)
            with transaction.atomic():
                write_batch(cursor, ctx, lo, hi, names)
            if progress:
                progress(f"  {hi:>9,} cases  ({time.monotonic() - started:.0f} s)")
    # The rows went in with COPY, past the models: the reports' figures are counted once now.
    rebuild()
    # VACUUM marks the pages all-visible, so the indexes are read alone (index-only scans);
    # inside a transaction (a test) only ANALYZE can run.
    with connection.cursor() as wrapper:
        wrapper.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return total - done

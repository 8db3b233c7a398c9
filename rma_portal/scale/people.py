"""The team, the customers (1 to 40 cases each, on a long tail), the warehouses and the
catalogue of the seeded back office."""

from __future__ import annotations

import datetime
import math
import random

from django.utils import timezone

from . import words

TEAM_DOMAIN = "team.scale.example"
AGENTS, SUPERVISORS = 36, 4
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
        [now - datetime.timedelta(days=SPREAD_DAYS + 30)],
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

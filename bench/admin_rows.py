"""
The rows of ``make bench-admin``: who signs in, which seeded values each row searches for,
and the pages measured, with the goal of each.

The values are taken from cases spread over the table (at a tenth, three tenths, ... of the
seeded numbers), one per run, so no row measures only the newest case.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from rma_portal.scale.writer import PREFIX

# What "done" asks of each group of rows, in ms (the case page also in queries).
TARGETS = {"list": 300, "search": 200, "page": 100, "report8": 500, "report2y": 1000}
PAGE_QUERIES = 15
SPREAD = (0.1, 0.3, 0.5, 0.7, 0.9)
HEAVY_NUMBER = "RMA-2018-0000001"  # a case with 30 items, 400 events and 60 messages


def staff_client(email: str, group: str) -> Client:
    """A member of ``group`` (not a superuser) signed in with a verified second factor."""
    user, _created = User.objects.get_or_create(email=email, defaults={"is_staff": True, "full_name": group})
    user.groups.add(Group.objects.get(name=group))
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def agent_client() -> Client:
    return staff_client("bench.agent@team.scale.example", "Warranty agents")


def supervisor_client() -> Client:
    return staff_client("bench.supervisor@team.scale.example", "Warranty supervisors")


SAMPLE = """
SELECT c.id, c.number, u.email, u.full_name, i.uid, i.serial_number, r.tracking_number, c.status
FROM rma_case c JOIN accounts_user u ON u.id = c.customer_id
JOIN rma_caseitem i ON i.case_id = c.id AND i.uid <> ''
JOIN rma_returnshipment r ON r.case_id = c.id AND r.tracking_number <> ''
WHERE c.number >= %s AND c.number LIKE %s ORDER BY c.number LIMIT 1
"""


def samples(total: int) -> list[dict[str, str]]:
    """Real values of cases spread over the table, one set per point of ``SPREAD``."""
    found = []
    with connection.cursor() as cursor:
        for share in SPREAD:
            cursor.execute(SAMPLE, [f"{PREFIX}{int(total * share):07d}", PREFIX + "%"])
            case_id, number, email, name, uid, serial, tracking, status = cursor.fetchone()
            cursor.execute(
                "SELECT p.transaction_number FROM payments_supplementarypayment p JOIN rma_case c ON c.id = p.case_id"
                " WHERE c.number >= %s AND p.transaction_number <> '' ORDER BY c.number LIMIT 1",
                [number],
            )
            found.append(
                {
                    "case_id": str(case_id),
                    "number": number,
                    "email": email,
                    "name": name,
                    "uid": uid,
                    "serial": serial.lower(),
                    "tracking": tracking,
                    "status": status,
                    "domain": "@" + email.split("@")[1],
                    "transaction": cursor.fetchone()[0],
                }
            )
    return found


def rows(values: list[dict[str, str]], ids: dict[str, str]) -> list[tuple[str, str, str, list[str]]]:
    """(row, group, who, paths: one per run, in turn) of every measured page."""
    cases, returns = "/admin/rma/case/", "/admin/rma/returnshipment/"
    payments, addresses = "/admin/payments/supplementarypayment/", "/admin/rma/shippingaddress/"
    out = [("case list, default page", "list", "agent", [cases])]
    for queue in (
        "mine",
        "unassigned",
        "waiting_on_us",
        "waiting_on_customer",
        "overdue",
        "disagreed",
        "awaiting_approval",
    ):
        out.append((f"queue tab: {queue}", "list", "agent", [f"{cases}?queue={queue}"]))
    for name, query in (
        ("status", "status__exact=processing"),
        ("solution", "solution_type__exact=refund"),
        ("warehouse", f"warehouse__id__exact={ids['warehouse']}"),
        ("agent", f"assigned_agent__id__exact={ids['agent']}"),
        ("needs approval", "needs_approval__exact=1"),
    ):
        out.append((f"filter: {name}", "list", "agent", [f"{cases}?{query}"]))
    for name, order in (
        ("number", "1"),
        ("status", "3"),
        ("due", "4"),
        ("due, descending", "-4"),
        ("solution", "5"),
        ("warehouse", "6"),
        ("created ascending", "8"),
        ("two columns (solution, number)", "5.1"),
    ):
        out.append((f"sort: {name}", "list", "agent", [f"{cases}?o={order}"]))
    out.append(("page 200", "list", "agent", [f"{cases}?p=200"]))
    for name, path in (
        ("return list", returns),
        ("return list: carrier filter", f"{returns}?carrier=DHL"),
        ("return list: page 200", f"{returns}?p=200"),
        ("payment list", payments),
        ("payment list: currency filter", f"{payments}?currency__exact=EUR"),
        ("payment list: page 200", f"{payments}?p=200"),
        ("address list", addresses),
        ("address list: country filter", f"{addresses}?country=DE"),
        ("address list: page 200", f"{addresses}?p=200"),
    ):
        out.append((name, "list", "agent", [path]))
    searches = {
        "case number": "number",
        "email": "email",
        "email domain": "domain",
        "S/N": "serial",
        "UID": "uid",
        "tracking number": "tracking",
        "PayPal transaction": "transaction",
        "two-word name": "name",
    }
    for name, key in searches.items():
        out.append(
            (f"search: {name}", "search", "agent", [f"{cases}?q={v[key].replace(' ', '+')}" for v in values])
        )
    out.append(
        (
            "search: name + status filter",
            "search",
            "agent",
            [f"{cases}?q={v['name'].replace(' ', '+')}&status__exact={v['status']}" for v in values],
        )
    )
    out.append(
        ("return list: tracking search", "search", "agent", [f"{returns}?q={v['tracking']}" for v in values])
    )
    out.append(
        (
            "payment list: transaction search",
            "search",
            "agent",
            [f"{payments}?q={v['transaction']}" for v in values],
        )
    )
    out.append(("case page, agent", "page", "agent", [f"{cases}{v['case_id']}/change/" for v in values]))
    out.append(
        ("case page, supervisor", "page", "supervisor", [f"{cases}{v['case_id']}/change/" for v in values])
    )
    out.append(
        ("case page: 30 items, 400 events, 60 messages", "page", "agent", [f"{cases}{ids['heavy']}/change/"])
    )
    today = timezone.localdate()
    out.append(("reports, 8 weeks", "report8", "supervisor", ["/admin/rma/reports/"]))
    two_years = today - datetime.timedelta(days=2 * 365)
    out.append(
        ("reports, 2 years", "report2y", "supervisor", [f"/admin/rma/reports/?start={two_years}&end={today}"])
    )
    return out


HEAVY = """
WITH model AS (SELECT * FROM rma_case WHERE number LIKE %(prefix)s AND status = 'processing' ORDER BY number LIMIT 1),
heavy AS (
    INSERT INTO rma_case (number, status, solution_type, solution_note, return_required, payment_amount,
        payment_currency, refund_amount, refund_currency, needs_approval, country, agent_notes, revision,
        refund_reference, outbound_carrier, outbound_tracking_number, created_at, updated_at, status_changed_at,
        completed_at, assigned_agent_id, customer_id, warehouse_id, due_at, first_visible_at)
    SELECT %(number)s, status, solution_type, solution_note, return_required, payment_amount, payment_currency,
        refund_amount, refund_currency, false, country, agent_notes, 0, '', '', '', created_at, updated_at,
        status_changed_at, NULL, assigned_agent_id, customer_id, warehouse_id, due_at, first_visible_at
    FROM model RETURNING id, created_at, customer_id, assigned_agent_id
),
items AS (
    INSERT INTO rma_caseitem (case_id, product_model, serial_number, uid, quantity, kit_scope, purchase_date)
    SELECT id, 'Argus Dome', 'HEAVY' || lpad(k::text, 4, '0'), '', 1, 'single_unit', created_at::date - 100
    FROM heavy, generate_series(1, 30) k RETURNING id
),
messages AS (
    INSERT INTO rma_casemessage (case_id, sender, author_id, body, created_at)
    SELECT id, CASE WHEN k %% 2 = 0 THEN 'customer' ELSE 'team' END,
           CASE WHEN k %% 2 = 0 THEN customer_id ELSE assigned_agent_id END,
           'Message number ' || k || ' of a long conversation about the recorder.', created_at + k * interval '1 hour'
    FROM heavy, generate_series(1, 60) k RETURNING id
)
INSERT INTO rma_caseevent (case_id, actor_role, on_behalf, action, from_status, to_status, comment, data, ip,
    user_agent, created_at, actor_id)
SELECT id, 'agent', false, (ARRAY['edit', 'remind', 'message', 'flag_overdue'])[1 + k %% 4], 'processing',
       'processing', '', '{}'::jsonb, NULL, '', created_at + k * interval '10 minutes', assigned_agent_id
FROM heavy, generate_series(1, 400) k
"""


def reference_ids() -> dict[str, str]:
    """The warehouse and agent the filters choose, and the heavy case (made once)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM rma_case WHERE number = %s", [HEAVY_NUMBER])
        if cursor.fetchone() is None:
            cursor.execute(HEAVY, {"prefix": PREFIX + "%", "number": HEAVY_NUMBER})
        cursor.execute("SELECT id FROM rma_case WHERE number = %s", [HEAVY_NUMBER])
        heavy = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM rma_warehouse WHERE name LIKE 'Scale Centre %%' ORDER BY id LIMIT 1")
        warehouse = cursor.fetchone()[0]
        cursor.execute("SELECT assigned_agent_id FROM rma_case WHERE number = %s", [f"{PREFIX}0000007"])
        agent = cursor.fetchone()[0]
    return {"heavy": str(heavy), "warehouse": str(warehouse), "agent": str(agent)}

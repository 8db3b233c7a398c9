"""
``manage.py seed_scale``: a back office at scale, written by PostgreSQL itself.

Cases in the real mix (about three in four completed or cancelled, the open ones recent and
often past their due time), 1 to 3 items each with an S/N (and a UID on every third), 3 to
10 events, a return shipment on 58 %, a shipping address on 56 % (some shared between
customers), a supplementary payment on 13 %, one customer per five cases and 40 agents.

Rows are made with ``INSERT ... SELECT generate_series(...)`` in batches of 50,000 cases,
one transaction each, so an interrupted run resumes after its last batch and a second run
on a seeded database does nothing. PostgreSQL only.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

PREFIX = "RMA-2019-"  # scale numbers never meet the real yearly counter
DOMAIN = "scale.example"
AGENTS = 40
WAREHOUSES = 5
BATCH = 50_000
# Cases younger than this may still be open; older ones are completed or cancelled.
OPEN_WINDOW_DAYS = 120
SPREAD_DAYS = 5 * 365

PEOPLE = """
INSERT INTO accounts_user (password, email, full_name, is_superuser, is_staff, is_active, date_joined,
    language)
SELECT '!', 'agent' || n || '@{domain}', 'Agent ' || n, false, true, true, now(),
       (ARRAY['en','de','fr','es','it','ja'])[1 + n % 6]
FROM generate_series(1, {agents}) n
UNION ALL
SELECT '!', 'customer' || n || '@{domain}',
       (ARRAY['Ana','Ben','Chloe','Dmitri','Emma','Farid','Grace','Hiro','Ines','Jonas'])[1 + n % 10]
       || ' ' || (ARRAY['Smith','Garcia','Müller','Tanaka','Rossi','Dubois','Kowalski','Silva'])[1 + n % 8]
       || ' ' || n,
       false, false, true, now(), (ARRAY['', 'en','de','fr','es','it','ja'])[1 + n % 7]
FROM generate_series(1, {customers}) n
ON CONFLICT DO NOTHING;
INSERT INTO rma_warehouse (name, recipient, line1, line2, city, region, postal_code, country, phone,
    is_active, currency)
SELECT 'Scale Centre ' || n, '', n || ' Dock Road', '', 'Reno', '', '8950' || n, 'US', '', true, 'USD'
FROM generate_series(1, {warehouses}) n
ON CONFLICT DO NOTHING;
"""

# One statement per table; :lo and :hi bound the case ordinals of the batch.
CASES = """
WITH params AS (SELECT now() AS now),
people AS (
    SELECT (SELECT array_agg(id ORDER BY id) FROM accounts_user
            WHERE email LIKE 'customer%%@{domain}') AS customers,
           (SELECT array_agg(id ORDER BY id) FROM accounts_user
            WHERE email LIKE 'agent%%@{domain}') AS agents,
           (SELECT array_agg(id ORDER BY id) FROM rma_warehouse
            WHERE name LIKE 'Scale Centre %%') AS warehouses
),
shaped AS (
    SELECT i, params.now - (({total} - i)::float / {total} * {spread}) * interval '1 day'
                        - (i %% 1440) * interval '1 minute' AS created_at,
           (i * 7919) %% 100 AS roll
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) i, params
)
INSERT INTO rma_case (number, status, solution_type, solution_note, return_required, payment_amount,
    payment_currency, refund_amount, refund_currency, needs_approval, country, agent_notes, revision,
    refund_reference, outbound_carrier, outbound_tracking_number, created_at, updated_at,
    status_changed_at, completed_at, assigned_agent_id, customer_id, warehouse_id, due_at,
    first_visible_at, first_completed_at, first_cancelled_at)
SELECT '{prefix}' || lpad(i::text, 7, '0'), st.status,
       (ARRAY['refund','replacement','replacement','resend','replacement'])[1 + i %% 5], '',
       true, NULL, '', NULL, '', i %% 17 = 0, 'US', '', 0, '', '', '',
       created_at, created_at + interval '3 days', created_at + interval '2 days',
       CASE WHEN st.status IN ('completed', 'cancelled') THEN created_at + interval '9 days' END,
       CASE WHEN i %% 10 = 0 THEN NULL ELSE people.agents[1 + (i * 31) %% {agents}] END,
       people.customers[1 + (i * 104729) %% {customers}],
       people.warehouses[1 + i %% {warehouses}],
       CASE WHEN st.status IN ('completed', 'cancelled') THEN NULL
            ELSE created_at + interval '16 days' END,
       -- as the events below: published on day 1, closed by the last event
       created_at + interval '1 day',
       CASE WHEN st.status = 'completed' THEN created_at + (2 + i %% 8) * interval '1 day' END,
       CASE WHEN st.status = 'cancelled' THEN created_at + (2 + i %% 8) * interval '1 day' END
FROM shaped, people, LATERAL (SELECT CASE
    WHEN now() - created_at > interval '{open_days} days' OR roll < 20
        THEN CASE WHEN roll %% 7 = 0 THEN 'cancelled' ELSE 'completed' END
    ELSE (ARRAY['draft','pending_approval','pending_confirm','disagreed','awaiting_info',
                'under_review','processing','processing'])[1 + roll %% 8]
    END AS status) st
ON CONFLICT DO NOTHING
"""

ROWS_OF_CASES = """
DROP TABLE IF EXISTS scale_batch;
CREATE TEMP TABLE scale_batch ON COMMIT DROP AS
SELECT id, substr(number, {start})::bigint AS i, status, created_at, customer_id FROM rma_case
WHERE number BETWEEN '{prefix}' || lpad(%(lo)s::text, 7, '0') AND '{prefix}' || lpad(%(hi)s::text, 7, '0');

INSERT INTO rma_caseitem (product_model, serial_number, uid, quantity, kit_scope, purchase_date,
    purchase_channel, case_id)
SELECT 'Camera X' || (i %% 9), 'SN' || upper(to_hex(i * 3 + k)) || lpad(k::text, 2, '0'),
       CASE WHEN i %% 3 = 0 THEN 'UID' || lpad((i * 3 + k)::text, 10, '0') ELSE '' END,
       1, 'single_unit', created_at::date - 200,
       CASE WHEN i %% 4 = 0 THEN 'reseller' ELSE 'official_store' END, id
FROM scale_batch, generate_series(1, 1 + i %% 3) k;

INSERT INTO rma_caseevent (actor_role, on_behalf, action, from_status, to_status, comment, data,
    ip, user_agent, created_at, actor_id, case_id)
SELECT 'system', false,
       CASE WHEN k = 1 THEN 'create' WHEN k = 2 THEN 'publish'
            WHEN k = n AND status = 'completed' THEN 'complete'
            WHEN k = n AND status = 'cancelled' THEN 'cancel'
            ELSE (ARRAY['message','edit','remind','return_submit'])[1 + k %% 4] END,
       CASE WHEN k = 1 THEN '' WHEN k = 2 THEN 'draft' ELSE status END,
       CASE WHEN k = 1 THEN 'draft' WHEN k = 2 THEN 'pending_confirm' ELSE status END,
       '', '{{}}'::jsonb, NULL, '', created_at + (k - 1) * interval '1 day', NULL, id
FROM scale_batch, LATERAL (SELECT 3 + i %% 8 AS n) size, generate_series(1, size.n) k;

INSERT INTO rma_returnshipment (carrier, tracking_number, label_photo, label_photo_thumbnail,
    label_photo_name, postage_receipt, postage_receipt_thumbnail, postage_receipt_name, state,
    sent_back_items, sent_back_reason, submitted_at, reviewed_at, case_id, submitted_by_id,
    on_behalf, reviewed_by_id)
SELECT 'UPS', '1Z' || upper(lpad(to_hex(i * 2654435761 %% 4294967295), 8, '0')) || lpad(i::text, 8, '0'),
       '', '', '', '', '', '', 'accepted', '[]'::jsonb, '', created_at + interval '4 days', NULL,
       id, NULL, false, NULL
FROM scale_batch WHERE i %% 100 < 58;

INSERT INTO rma_shippingaddress (full_name, line1, line2, city, region, postal_code, country, phone,
    state, sent_back_reason, submitted_at, reviewed_at, case_id, submitted_by_id, on_behalf,
    reviewed_by_id, sent_back_items)
SELECT 'Customer ' || customer_id, (customer_id %% 150000) || ' Main Street', '', 'Springfield', '',
       lpad((customer_id %% 90000)::text, 5, '0'), 'US', '', 'accepted', '',
       created_at + interval '4 days', NULL, id, NULL, false, NULL, '[]'::jsonb
FROM scale_batch WHERE (i * 13) %% 100 < 56;

INSERT INTO payments_supplementarypayment (amount, currency, receiving_account, state,
    transaction_number, submitted_at, sent_back_reason, reviewed_at, lookup_state, lookup_status,
    lookup_amount, lookup_currency, lookup_payer_email, lookup_error, looked_up_at, invoice_state,
    invoice_requested_at, invoice_id, invoice_link, invoice_error, invoice_sent_at, created_at,
    updated_at, case_id, submitted_by_id, on_behalf, reviewed_by_id, sent_back_items, lookup_answer,
    invoice_answer)
SELECT 25.00, 'USD', 'payments@{domain}', 'submitted',
       upper(lpad(to_hex(i), 8, '0')) || 'PAY' || lpad((i %% 1000000)::text, 6, '0'),
       created_at + interval '5 days', '', NULL, 'not_checked', '', NULL, '', '', '', NULL, 'none',
       NULL, '', '', '', NULL, created_at, created_at, id, NULL, false, NULL, '[]'::jsonb, '{{}}'::jsonb,
       '{{}}'::jsonb
FROM scale_batch WHERE (i * 7) %% 100 < 13;
"""


class Command(BaseCommand):
    help = "Seed (or resume seeding) a PostgreSQL database with cases at scale."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000, help="how many cases (default 1,000,000)")
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, *args, cases: int, quiet: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL's generate_series: set DATABASE_URL.")
        seed_scale(total=cases, progress=None if quiet else self.stdout.write)


def seed_scale(*, total: int, progress=None) -> int:
    """Seed ``total`` cases (resuming a partial run); returns how many were written now."""
    names = {
        "domain": DOMAIN,
        "agents": AGENTS,
        "warehouses": WAREHOUSES,
        "customers": max(1, total // 5),
        "total": total,
        "spread": SPREAD_DAYS,
        "open_days": OPEN_WINDOW_DAYS,
        "prefix": PREFIX,
        "start": len(PREFIX) + 1,
    }
    with connection.cursor() as cursor:
        with transaction.atomic():
            cursor.execute(PEOPLE.format(**names))
        cursor.execute("SELECT count(*) FROM rma_case WHERE number LIKE %s", [PREFIX + "%"])
        done = cursor.fetchone()[0]
        started = time.monotonic()
        for lo in range(done - done % BATCH + 1, total + 1, BATCH):
            hi = min(total, lo + BATCH - 1)
            with transaction.atomic():
                cursor.execute(CASES.format(**names), {"lo": lo, "hi": hi})
                cursor.execute(ROWS_OF_CASES.format(**names), {"lo": lo, "hi": hi})
            if progress:
                progress(f"  {hi:>9,} cases  ({time.monotonic() - started:.0f} s)")
        if done < total:
            cursor.execute("ANALYZE")
    return max(0, total - done)

"""
Writes the planned cases with PostgreSQL's COPY, in batches of ``BATCH`` cases, one
transaction each: an interrupted run resumes after its last batch, and a second run on a
seeded database does nothing. PostgreSQL only.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from rma.backoffice.figures import rebuild

from .mix import Context
from .parts import Planned
from .people import SEED, SPREAD_DAYS, TEAM_DOMAIN, copy, letters, seed_people, seed_places, spread_owners
from .plan import plan_case

PREFIX = "RMA-2019-"  # scale numbers never meet the real yearly counter
BATCH = 25_000

CASE_COLUMNS = (
    "number, status, solution_type, solution_note, return_required, payment_amount, payment_currency, "
    "refund_amount, refund_currency, needs_approval, country, agent_notes, revision, refund_reference, "
    "outbound_carrier, outbound_tracking_number, created_at, updated_at, status_changed_at, completed_at, "
    "assigned_agent_id, customer_id, warehouse_id, due_at, first_cancelled_at, first_completed_at, "
    "first_visible_at, advance_replacement, hold_amount, hold_currency, hold_placed_at, replacement_method, "
    "return_due_at, hold_settlement, offered_solution, policy_exception_reason"
)


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

"""
What each seeded case is: its status, people, solution, and the rows the services would have
written on the way there (events, messages, required parts, the PayPal hold).

The statuses come from ``Case.Status``: every one that is not final is open, so a status added
to the model is seeded too (with ``OTHER_OPEN_WEIGHT`` and a single event creating it).
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from rma.cases.deadlines import allowances
from rma.cases.models import Case

from . import words
from .parts import PartFacts, Planned, part_state, plan_parts

Status = Case.Status
# Weights of the open statuses, out of about a fifth of the cases that are open.
OPEN_WEIGHTS = {
    Status.DRAFT: 8,
    Status.PENDING_APPROVAL: 4,
    Status.PENDING_CONFIRM: 14,
    Status.DISAGREED: 5,
    Status.AWAITING_INFO: 25,
    Status.UNDER_REVIEW: 10,
    Status.PROCESSING: 22,
    Status.AWAITING_RETURN: 6,
}
OTHER_OPEN_WEIGHT = 8
# A case of age d days is still open with probability OPEN_AT_START * exp(-d / OPEN_DECAY_DAYS):
# over five years that is about a fifth, the recent ones mostly open, a tail of stale ones.
OPEN_AT_START = 0.9
OPEN_DECAY_DAYS = 405
CANCELLED_SHARE = 0.15
# The path a case walks; the approval, disagreement and advance steps only on some cases.
PATH = (
    Status.DRAFT,
    Status.PENDING_APPROVAL,
    Status.PENDING_CONFIRM,
    Status.DISAGREED,
    Status.AWAITING_INFO,
    Status.UNDER_REVIEW,
    Status.PROCESSING,
    Status.AWAITING_RETURN,
    Status.COMPLETED,
)


def open_statuses() -> list[str]:
    return [status for status in Status.values if status not in Case.FINAL_STATUSES]


@dataclass
class Context:
    """The rows every case draws on: people, warehouses (id, country, currency), products."""

    agents: list[int]
    supervisors: list[int]
    owners: list[int]  # the customer of each case ordinal, spread over time
    warehouses: list[tuple[int, str, str]]
    products: list[tuple[int, str, str]]
    total: int
    spread_days: int
    now: datetime.datetime
    due_days: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        statuses = open_statuses()
        self.open_choices = statuses
        self.open_weights = [OPEN_WEIGHTS.get(status, OTHER_OPEN_WEIGHT) for status in statuses]
        for status, allowance in allowances().items():
            days = {"d": 1, "wd": 1.4, "h": 1 / 24}[allowance.unit.lower()] * allowance.amount
            self.due_days[status] = days


def plan_case(ctx: Context, rng: random.Random, i: int, number: str, out: Planned) -> None:
    created = ctx.now - datetime.timedelta(
        days=(ctx.total - i) / ctx.total * ctx.spread_days, minutes=rng.randrange(1440)
    )
    age = (ctx.now - created).total_seconds() / 86400
    if rng.random() < OPEN_AT_START * math.exp(-age / OPEN_DECAY_DAYS):
        status = rng.choices(ctx.open_choices, ctx.open_weights)[0]
    else:
        status = Status.CANCELLED if rng.random() < CANCELLED_SHARE else Status.COMPLETED
    solution = rng.choices(("replacement", "refund", "resend"), (55, 25, 20))[0]
    return_required = (
        solution == "replacement" and rng.random() < 0.8 or solution == "refund" and rng.random() < 0.5
    )
    advance = solution == "replacement" and return_required and rng.random() < 0.2
    if status == Status.AWAITING_RETURN:
        solution, return_required, advance = "replacement", True, True
    warehouse_id, country, currency = rng.choice(ctx.warehouses)
    payment = round(rng.uniform(15, 250), 2) if rng.random() < 0.13 else None
    refund = round(rng.uniform(30, 400), 2) if solution == "refund" else None
    needs_approval = rng.random() < 0.08 or status == Status.PENDING_APPROVAL
    disagreed = rng.random() < 0.1 or status == Status.DISAGREED
    agent = None if rng.random() < 0.06 and status == Status.DRAFT else rng.choice(ctx.agents)
    customer = ctx.owners[i - 1]
    supervisor = rng.choice(ctx.supervisors)
    needs_info = return_required or payment is not None or solution in ("replacement", "resend")
    # The target of the walk: cancelled cases stop somewhere on the way.
    stop = status
    if status == Status.CANCELLED:
        stop = rng.choice((Status.DRAFT, Status.PENDING_CONFIRM, Status.AWAITING_INFO, Status.AWAITING_INFO))
    seq = 0
    moment = created
    events = []

    def event(action, before, after, role, actor, data=None, comment="", on_behalf=False, message=None):
        nonlocal seq, moment
        seq += 1
        moment = moment + datetime.timedelta(hours=rng.uniform(1, 60))
        events.append((action, before, after, role, actor, data or {}, comment, on_behalf, moment, message))

    messages = []

    def talk(count):
        nonlocal moment
        for _ in range(count):
            from_customer = rng.random() < 0.55
            moment = moment + datetime.timedelta(hours=rng.uniform(1, 30))
            messages.append(
                (
                    "customer" if from_customer else "team",
                    customer if from_customer else agent,
                    rng.choice(words.CUSTOMER_MESSAGES if from_customer else words.TEAM_MESSAGES),
                    moment,
                )
            )
            event(
                "message",
                current,
                current,
                "customer" if from_customer else "agent",
                customer if from_customer else agent,
                message=len(messages),
            )

    current = Status.DRAFT if status in PATH or status in Case.FINAL_STATUSES else status
    event(
        "create",
        "",
        current,
        "agent" if current == Status.DRAFT else "customer",
        agent if current == Status.DRAFT else customer,
    )
    for _ in range(rng.choices((0, 1, 2), (60, 30, 10))[0]):
        event(
            "edit",
            current,
            current,
            "agent",
            agent,
            {"fields": [rng.choice(("solution_note", "items", "refund_amount"))]},
        )
    parts = []
    if current == Status.DRAFT and stop != Status.DRAFT:
        if needs_approval:
            event("submit_for_approval", current, Status.PENDING_APPROVAL, "agent", agent)
            current = Status.PENDING_APPROVAL
            if stop != Status.PENDING_APPROVAL:
                event("approve", current, Status.PENDING_CONFIRM, "supervisor", supervisor)
        else:
            event("publish", current, Status.PENDING_CONFIRM, "agent", agent)
        if stop != Status.PENDING_APPROVAL:
            current = Status.PENDING_CONFIRM
    if current == Status.PENDING_CONFIRM and stop != Status.PENDING_CONFIRM:
        talk(rng.choices((0, 1, 2), (50, 35, 15))[0])
        if disagreed:
            event(
                "disagree",
                current,
                Status.DISAGREED,
                "customer",
                customer,
                comment=rng.choice(words.DISAGREE_COMMENTS),
            )
            current = Status.DISAGREED
            if stop != Status.DISAGREED:
                event("revise", current, Status.PENDING_CONFIRM, "agent", agent, {"revision": 1})
                current = Status.PENDING_CONFIRM
        if stop != Status.DISAGREED:
            after = Status.AWAITING_INFO if needs_info else Status.PROCESSING
            if needs_info:
                parts = (["return"] if return_required else []) + (["payment"] if payment is not None else [])
                parts += ["address"] if solution in ("replacement", "resend") else []
                parts += ["method"] if advance else []
            event("agree", current, after, "customer", customer, {"parts": parts} if parts else None)
            current = after
    states = {part: part_state(rng, stop if stop != Status.AWAITING_INFO else current) for part in parts}
    if current == Status.AWAITING_INFO:
        talk(rng.choices((0, 1, 2, 3, 5), (30, 30, 20, 12, 8))[0])
        for part, state in states.items():
            if state != "to_do" and part != "method":
                behalf = rng.random() < 0.1
                action = {
                    "return": "return_submit",
                    "payment": "payment_submit",
                    "address": "address_confirm",
                }[part]
                event(
                    action,
                    current,
                    current,
                    "agent" if behalf else "customer",
                    agent if behalf else customer,
                    {"part": part},
                    on_behalf=behalf,
                )
            if part == "method" and state != "to_do":
                event("method_choose", current, current, "customer", customer, {"method": "advance"})
                event("hold_place", current, current, "system", None, {"amount": "0", "currency": currency})
        if stop == Status.AWAITING_INFO and rng.random() < 0.4:
            event("remind", current, current, "system", None, {"kind": "customer"})
        if stop not in (Status.AWAITING_INFO, Status.CANCELLED):
            event("mark_info_complete", current, Status.UNDER_REVIEW, "system", None)
            current = Status.UNDER_REVIEW
    if current == Status.UNDER_REVIEW and stop != Status.UNDER_REVIEW:
        event("accept", current, Status.PROCESSING, "agent", agent)
        current = Status.PROCESSING
    shipped = None
    if current == Status.PROCESSING and advance and stop in (Status.AWAITING_RETURN, Status.COMPLETED):
        shipped = moment
        event(
            "ship_ahead",
            current,
            Status.AWAITING_RETURN,
            "agent",
            agent,
            {"outbound_carrier": "UPS", "outbound_tracking_number": f"1Z{i:016X}"},
        )
        current = Status.AWAITING_RETURN
    if stop == Status.COMPLETED and current in (Status.PROCESSING, Status.AWAITING_RETURN):
        talk(rng.choices((0, 1, 2), (55, 35, 10))[0])
        if current == Status.AWAITING_RETURN:
            event("receive_return", current, current, "agent", agent)
            event("hold_void", current, current, "system", None)
        event("complete", current, Status.COMPLETED, "agent", agent)
        current = Status.COMPLETED
    if status == Status.CANCELLED:
        by_customer = rng.random() < 0.3
        event(
            "cancel",
            current,
            Status.CANCELLED,
            "customer" if by_customer else "agent",
            customer if by_customer else agent,
            comment=rng.choice(words.CANCEL_COMMENTS),
        )
        current = Status.CANCELLED
    if current != status:  # a path the walk above does not know: the case was created in it
        status = current
    changed = next((e[8] for e in reversed(events) if e[1] != e[2]), created)
    first = {
        "visible": next((e[8] for e in events if e[2] == Status.PENDING_CONFIRM and e[1] != e[2]), None),
        "completed": next((e[8] for e in events if e[0] == "complete"), None),
        "cancelled": next((e[8] for e in events if e[0] == "cancel"), None),
    }
    hold_placed = shipped - datetime.timedelta(days=1) if shipped else None
    return_due = shipped + datetime.timedelta(days=25) if shipped else None
    due = None
    if status == Status.AWAITING_RETURN:
        due = return_due
    elif status in ctx.due_days:
        due = changed + datetime.timedelta(days=ctx.due_days[status])
    hold_amount = round(rng.uniform(80, 600), 2) if advance else None
    out.case.append(
        (
            number,
            status,
            solution,
            rng.choice(words.SOLUTION_NOTES),
            return_required,
            payment,
            currency if payment else "",
            refund,
            currency if refund else "",
            needs_approval,
            country,
            rng.choice(words.AGENT_NOTES) if rng.random() < 0.3 else "",
            1 if disagreed else 0,
            "",
            "UPS" if shipped else "",
            f"1Z{i:016X}" if shipped else "",
            created,
            moment,
            changed,
            first["completed"] or first["cancelled"],
            agent,
            customer,
            warehouse_id if return_required or rng.random() < 0.5 else None,
            due,
            first["cancelled"],
            first["completed"],
            first["visible"],
            advance,
            hold_amount,
            currency if advance else "",
            hold_placed,
            "advance" if shipped else "",
            return_due,
            "",
            "",
            "",
        )
    )
    for k in range(rng.choices((1, 2, 3, 5), (70, 18, 8, 4))[0]):
        product_id, model, condition = rng.choice(ctx.products)
        out.items.append(
            (
                number,
                product_id,
                model,
                f"SN{(i * 7 + k) * 2654435761 % 16**10:010X}",
                f"UID{i:08d}{k}" if i % 3 == 0 else "",
                1,
                "whole_kit" if "Kit" in model else "single_unit",
                (created - datetime.timedelta(days=rng.randrange(20, 900))).date(),
                condition,
                rng.choices(("official_store", "reseller", "unknown"), (60, 30, 10))[0],
            )
        )
    for message in messages:
        out.messages.append((number, *message))
    for event_row in events:
        out.events.append((number, *event_row))
    facts = PartFacts(
        i, number, status, created, customer, country, currency, payment, hold_amount, hold_placed
    )
    plan_parts(rng, facts, states, out)

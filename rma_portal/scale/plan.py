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

from rma.cases.models import Case

from . import words
from .mix import CANCELLED_SHARE, OPEN_AT_START, OPEN_DECAY_DAYS, PATH, Context
from .parts import PartFacts, Planned, part_state, plan_parts

Status = Case.Status


def plan_case(ctx: Context, rng: random.Random, i: int, number: str, out: Planned) -> None:
    """Plan case ``i``: its facts, then its walk from creation to its status, then its rows."""
    walk = Walk(ctx, rng, i)
    walk.create()
    walk.offer()
    walk.answer()
    walk.send_parts()
    walk.review_and_ship()
    walk.close()
    walk.write(number, out)


class Walk:
    """One seeded case walked along the lifecycle, writing the events (and messages) the
    services would write on the way. Every draw of ``rng`` happens in the same order for the
    same seed, so a seed always plans the same cases."""

    def __init__(self, ctx: Context, rng: random.Random, i: int) -> None:
        self.ctx, self.rng, self.i = ctx, rng, i
        self.created = ctx.now - datetime.timedelta(
            days=(ctx.total - i) / ctx.total * ctx.spread_days, minutes=rng.randrange(1440)
        )
        self.status = self._final_status()
        self._choose_solution()
        self.warehouse_id, self.country, self.currency = rng.choice(ctx.warehouses)
        self.payment = round(rng.uniform(15, 250), 2) if rng.random() < 0.13 else None
        self.refund = round(rng.uniform(30, 400), 2) if self.solution == "refund" else None
        self.needs_approval = rng.random() < 0.08 or self.status == Status.PENDING_APPROVAL
        self.disagreed = rng.random() < 0.1 or self.status == Status.DISAGREED
        self.agent = None if rng.random() < 0.06 and self.status == Status.DRAFT else rng.choice(ctx.agents)
        self.customer = ctx.owners[i - 1]
        self.supervisor = rng.choice(ctx.supervisors)
        self.needs_info = (
            self.return_required or self.payment is not None or self.solution in ("replacement", "resend")
        )
        # The target of the walk: cancelled cases stop somewhere on the way.
        self.stop = self.status
        if self.status == Status.CANCELLED:
            self.stop = rng.choice(
                (Status.DRAFT, Status.PENDING_CONFIRM, Status.AWAITING_INFO, Status.AWAITING_INFO)
            )
        self.moment = self.created
        self.events: list[tuple] = []
        self.messages: list[tuple] = []
        self.parts: list[str] = []
        self.states: dict[str, str] = {}
        self.shipped: datetime.datetime | None = None
        self.current = ""

    def _final_status(self) -> str:
        age = (self.ctx.now - self.created).total_seconds() / 86400
        if self.rng.random() < OPEN_AT_START * math.exp(-age / OPEN_DECAY_DAYS):
            return self.rng.choices(self.ctx.open_choices, self.ctx.open_weights)[0]
        return Status.CANCELLED if self.rng.random() < CANCELLED_SHARE else Status.COMPLETED

    def _choose_solution(self) -> None:
        rng = self.rng
        self.solution = rng.choices(("replacement", "refund", "resend"), (55, 25, 20))[0]
        self.return_required = (
            self.solution == "replacement"
            and rng.random() < 0.8
            or self.solution == "refund"
            and rng.random() < 0.5
        )
        self.advance = self.solution == "replacement" and self.return_required and rng.random() < 0.2
        if self.status == Status.AWAITING_RETURN:
            self.solution, self.return_required, self.advance = "replacement", True, True

    # --- Writing events and messages ----------------------------------------------------------

    def event(self, action, after, role, actor, data=None, comment="", on_behalf=False, message=None) -> None:
        """An event from the current status to ``after``, some hours after the last one."""
        self.moment = self.moment + datetime.timedelta(hours=self.rng.uniform(1, 60))
        before = self.current
        self.events.append(
            (action, before, after, role, actor, data or {}, comment, on_behalf, self.moment, message)
        )

    def step(self, action, after, role, actor, data=None, comment="") -> None:
        """An event that moves the case to ``after``."""
        self.event(action, after, role, actor, data, comment)
        self.current = after

    def talk(self, count: int) -> None:
        """``count`` messages between the customer and the agent, each with its event."""
        for _ in range(count):
            from_customer = self.rng.random() < 0.55
            self.moment = self.moment + datetime.timedelta(hours=self.rng.uniform(1, 30))
            author = self.customer if from_customer else self.agent
            text = self.rng.choice(words.CUSTOMER_MESSAGES if from_customer else words.TEAM_MESSAGES)
            self.messages.append(("customer" if from_customer else "team", author, text, self.moment))
            role = "customer" if from_customer else "agent"
            self.event("message", self.current, role, author, message=len(self.messages))

    # --- The walk, stage by stage ---------------------------------------------------------------

    def create(self) -> None:
        status = self.status
        created_in = Status.DRAFT if status in PATH or status in Case.FINAL_STATUSES else status
        by_agent = created_in == Status.DRAFT
        self.step(
            "create",
            created_in,
            "agent" if by_agent else "customer",
            self.agent if by_agent else self.customer,
        )
        for _ in range(self.rng.choices((0, 1, 2), (60, 30, 10))[0]):
            field_name = self.rng.choice(("solution_note", "items", "refund_amount"))
            self.event("edit", self.current, "agent", self.agent, {"fields": [field_name]})

    def offer(self) -> None:
        """Draft to the customer: published, or approved by a supervisor first."""
        if self.current != Status.DRAFT or self.stop == Status.DRAFT:
            return
        if self.needs_approval:
            self.step("submit_for_approval", Status.PENDING_APPROVAL, "agent", self.agent)
            if self.stop == Status.PENDING_APPROVAL:
                return
            self.event("approve", Status.PENDING_CONFIRM, "supervisor", self.supervisor)
        else:
            self.event("publish", Status.PENDING_CONFIRM, "agent", self.agent)
        if self.stop != Status.PENDING_APPROVAL:
            self.current = Status.PENDING_CONFIRM

    def answer(self) -> None:
        """The customer's answer: a disagreement and a revision on some, then agreement."""
        if self.current != Status.PENDING_CONFIRM or self.stop == Status.PENDING_CONFIRM:
            return
        rng = self.rng
        self.talk(rng.choices((0, 1, 2), (50, 35, 15))[0])
        if self.disagreed:
            comment = rng.choice(words.DISAGREE_COMMENTS)
            self.step("disagree", Status.DISAGREED, "customer", self.customer, comment=comment)
            if self.stop == Status.DISAGREED:
                return
            self.step("revise", Status.PENDING_CONFIRM, "agent", self.agent, {"revision": 1})
        after = Status.AWAITING_INFO if self.needs_info else Status.PROCESSING
        if self.needs_info:
            self.parts = (["return"] if self.return_required else []) + (
                ["payment"] if self.payment is not None else []
            )
            self.parts += ["address"] if self.solution in ("replacement", "resend") else []
            self.parts += ["method"] if self.advance else []
        self.step("agree", after, "customer", self.customer, {"parts": self.parts} if self.parts else None)

    def send_parts(self) -> None:
        """The parts sent (some by the team for the customer), then the case to review."""
        stage = self.stop if self.stop != Status.AWAITING_INFO else self.current
        self.states = {part: part_state(self.rng, stage) for part in self.parts}
        if self.current != Status.AWAITING_INFO:
            return
        self.talk(self.rng.choices((0, 1, 2, 3, 5), (30, 30, 20, 12, 8))[0])
        for part, state in self.states.items():
            if state != "to_do":
                self._send(part)
        if self.stop == Status.AWAITING_INFO and self.rng.random() < 0.4:
            self.event("remind", self.current, "system", None, {"kind": "customer"})
        if self.stop not in (Status.AWAITING_INFO, Status.CANCELLED):
            self.step("mark_info_complete", Status.UNDER_REVIEW, "system", None)

    def _send(self, part: str) -> None:
        if part == "method":
            self.event("method_choose", self.current, "customer", self.customer, {"method": "advance"})
            self.event("hold_place", self.current, "system", None, {"amount": "0", "currency": self.currency})
            return
        behalf = self.rng.random() < 0.1
        action = {"return": "return_submit", "payment": "payment_submit", "address": "address_confirm"}[part]
        actor = self.agent if behalf else self.customer
        role = "agent" if behalf else "customer"
        self.event(action, self.current, role, actor, {"part": part}, on_behalf=behalf)

    def review_and_ship(self) -> None:
        """Accepted by the team; an advance replacement ships ahead of its return."""
        if self.current == Status.UNDER_REVIEW and self.stop != Status.UNDER_REVIEW:
            self.step("accept", Status.PROCESSING, "agent", self.agent)
        ships = self.advance and self.stop in (Status.AWAITING_RETURN, Status.COMPLETED)
        if self.current == Status.PROCESSING and ships:
            self.shipped = self.moment
            tracking = {"outbound_carrier": "UPS", "outbound_tracking_number": f"1Z{self.i:016X}"}
            self.step("ship_ahead", Status.AWAITING_RETURN, "agent", self.agent, tracking)

    def close(self) -> None:
        """Completed (the hold released first on an advance replacement), or cancelled."""
        if self.stop == Status.COMPLETED and self.current in (Status.PROCESSING, Status.AWAITING_RETURN):
            self.talk(self.rng.choices((0, 1, 2), (55, 35, 10))[0])
            if self.current == Status.AWAITING_RETURN:
                self.event("receive_return", self.current, "agent", self.agent)
                self.event("hold_void", self.current, "system", None)
            self.step("complete", Status.COMPLETED, "agent", self.agent)
        if self.status == Status.CANCELLED:
            by_customer = self.rng.random() < 0.3
            comment = self.rng.choice(words.CANCEL_COMMENTS)
            role, actor = ("customer", self.customer) if by_customer else ("agent", self.agent)
            self.step("cancel", Status.CANCELLED, role, actor, comment=comment)
        # A path the walk does not know: the case was created in its status.
        self.status = self.current

    # --- The rows -------------------------------------------------------------------------------

    def _first(self, found) -> datetime.datetime | None:
        return next((event[8] for event in self.events if found(event)), None)

    def due(self, changed: datetime.datetime) -> datetime.datetime | None:
        if self.status == Status.AWAITING_RETURN:
            return self.shipped + datetime.timedelta(days=25) if self.shipped else None
        if self.status in self.ctx.due_days:
            return changed + datetime.timedelta(days=self.ctx.due_days[self.status])
        return None

    def write(self, number: str, out: Planned) -> None:
        rng, shipped, currency = self.rng, self.shipped, self.currency
        changed = next((e[8] for e in reversed(self.events) if e[1] != e[2]), self.created)
        visible = self._first(lambda e: e[2] == Status.PENDING_CONFIRM and e[1] != e[2])
        completed = self._first(lambda e: e[0] == "complete")
        cancelled = self._first(lambda e: e[0] == "cancel")
        hold_placed = shipped - datetime.timedelta(days=1) if shipped else None
        return_due = shipped + datetime.timedelta(days=25) if shipped else None
        due = self.due(changed)
        hold_amount = round(rng.uniform(80, 600), 2) if self.advance else None
        out.case.append(
            (
                number,
                self.status,
                self.solution,
                rng.choice(words.SOLUTION_NOTES),
                self.return_required,
                self.payment,
                currency if self.payment else "",
                self.refund,
                currency if self.refund else "",
                self.needs_approval,
                self.country,
                rng.choice(words.AGENT_NOTES) if rng.random() < 0.3 else "",
                1 if self.disagreed else 0,
                "",
                "UPS" if shipped else "",
                f"1Z{self.i:016X}" if shipped else "",
                self.created,
                self.moment,
                changed,
                completed or cancelled,
                self.agent,
                self.customer,
                self.warehouse_id if self.return_required or rng.random() < 0.5 else None,
                due,
                cancelled,
                completed,
                visible,
                self.advance,
                hold_amount,
                currency if self.advance else "",
                hold_placed,
                "advance" if shipped else "",
                return_due,
                "",
                "",
                "",
            )
        )
        self._write_items(number, out)
        for message in self.messages:
            out.messages.append((number, *message))
        for event_row in self.events:
            out.events.append((number, *event_row))
        facts = PartFacts(
            self.i, number, self.status, self.created, self.customer, self.country, currency,
            self.payment, hold_amount, hold_placed,
        )  # fmt: skip
        plan_parts(rng, facts, self.states, out)

    def _write_items(self, number: str, out: Planned) -> None:
        rng, i = self.rng, self.i
        for k in range(rng.choices((1, 2, 3, 5), (70, 18, 8, 4))[0]):
            product_id, model, condition = rng.choice(self.ctx.products)
            out.items.append(
                (
                    number,
                    product_id,
                    model,
                    f"SN{(i * 7 + k) * 2654435761 % 16**10:010X}",
                    f"UID{i:08d}{k}" if i % 3 == 0 else "",
                    1,
                    "whole_kit" if "Kit" in model else "single_unit",
                    (self.created - datetime.timedelta(days=rng.randrange(20, 900))).date(),
                    condition,
                    rng.choices(("official_store", "reseller", "unknown"), (60, 30, 10))[0],
                )
            )

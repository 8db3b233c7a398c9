"""The required parts of a seeded case, in the states its status implies: the return over
its warehouse country's carriers, the shipping address, the payment, the PayPal hold."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from rma.cases.models import Case
from rma.required.carriers import carriers_for

from . import words

Status = Case.Status


@dataclass
class Planned:
    case: list = field(default_factory=list)
    items: list = field(default_factory=list)
    events: list = field(default_factory=list)  # (number, ..., message_seq or None)
    messages: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    choices: list = field(default_factory=list)


class PartFacts(NamedTuple):
    i: int
    number: str
    status: str
    created: datetime.datetime
    customer: int
    country: str
    currency: str
    payment: float | None
    hold_amount: float | None
    hold_placed: datetime.datetime | None


def part_state(rng: random.Random, status: str) -> str:
    if status == Status.AWAITING_INFO:
        return rng.choices(("to_do", "submitted", "sent_back", "accepted", "waived"), (35, 30, 15, 15, 5))[0]
    if status == Status.UNDER_REVIEW:
        return rng.choices(("submitted", "accepted", "waived"), (70, 25, 5))[0]
    if status == Status.CANCELLED:
        return rng.choices(("to_do", "sent_back", "submitted"), (60, 25, 15))[0]
    return rng.choices(("accepted", "waived"), (95, 5))[0]


def plan_parts(rng: random.Random, facts: PartFacts, states: dict[str, str], out: Planned) -> None:
    """The rows of each part the case needs, in its state."""
    i, number, status, created, customer, country, currency, payment, hold_amount, hold_placed = facts
    submitted = created + datetime.timedelta(days=4)
    for part, state in states.items():
        sent = submitted if state != "to_do" else None
        reason = rng.choice(words.SEND_BACK_REASONS) if state == "sent_back" else ""
        reviewed = sent + datetime.timedelta(days=1) if state in ("accepted", "sent_back") and sent else None
        if part == "return":
            carrier = rng.choice(carriers_for(country))
            tracking = f"{carrier[:2].upper()}{i * 2654435761 % 16**12:012X}{i:08d}" if sent else ""
            out.returns.append((number, carrier if sent else "", tracking, state, reason, sent, reviewed))
        elif part == "address":
            out.addresses.append((number, customer, country, state, reason, sent, reviewed))
        elif part == "payment":
            out.payments.append(
                (
                    number,
                    payment,
                    currency,
                    state,
                    f"{i:08X}PAY{i * 7919 % 16**6:06X}",
                    reason,
                    sent,
                    reviewed,
                    created,
                )
            )
        elif part == "method":
            if status == Status.AWAITING_RETURN:
                hold = rng.choices(("authorized", "failed", "voiding"), (90, 4, 6))[0]
            elif status == Status.COMPLETED:
                hold = rng.choices(("voided", "captured"), (85, 15))[0]
            else:
                hold = "none" if state == "to_do" else rng.choice(("approving", "authorized"))
            out.choices.append(
                (
                    number,
                    "advance" if hold != "none" else "",
                    hold,
                    hold_amount,
                    currency,
                    hold_placed or (sent if hold != "none" else None),
                    state,
                    created,
                )
            )

"""The demo as data: the cases, one or more in every status, their products and registrations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from rma.cases.models import Case
from rma.cases.workflow import RequestMeta

S = Case.Status
META = RequestMeta(user_agent="seed_demo")

# Where the demo customer's replacements go, when no address is on file yet.
DEMO_ADDRESS = {
    "full_name": "Dana Demo",
    "line1": "42 Elm Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62704",
    "phone": "+1 217 555 0100",
}

DEMO_WAREHOUSES = {
    "us": {
        "name": "Reno Returns Centre",
        "recipient": "Warranty Returns (RMA)",
        "line1": "1450 Freeport Boulevard, Dock 7",
        "city": "Sparks",
        "region": "NV",
        "postal_code": "89431",
        "country": "US",
        "phone": "+1 775 555 0143",
    },
    "eu": {
        "name": "Venlo Returns Centre",
        "recipient": "Warranty Returns (RMA)",
        "line1": "Celsiusweg 22",
        "city": "Venlo",
        "postal_code": "5928 PR",
        "country": "NL",
        "phone": "+31 77 555 0190",
    },
}


@dataclass(frozen=True)
class DemoCase:
    """One demo case: who owns it, its solution, and the status it is walked to."""

    key: str
    owner: str
    status: str
    solution: dict[str, Any]
    items: tuple[dict[str, Any], ...]
    warehouse: str | None = None
    disagree_comment: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _item(
    model: str, *, serial: str = "", uid: str = "", days_ago: int = 300, kit: bool = False, value: str = ""
) -> dict:
    return {
        "product_model": model,
        "serial_number": serial,
        "uid": uid,
        "kit_scope": "whole_kit" if kit else "single_unit",
        "purchase_date": datetime.date(2026, 1, 1) - datetime.timedelta(days=days_ago),
        "purchase_channel": "official_store",
        "unit_value": Decimal(value) if value else None,
    }


def _refund_item(model: str, *, serial: str = "", uid: str = "", days_ago: int = 12) -> dict:
    """An item bought ``days_ago`` days before the demo is seeded, from the official store:
    within the refund rule's 30 days unless the case makes an exception."""
    return {
        **_item(model, serial=serial, uid=uid),
        "purchase_date": timezone.localdate() - datetime.timedelta(days=days_ago),
    }


REFUND = {"solution_type": "refund", "refund_amount": Decimal("89.99"), "refund_currency": "USD"}
REPLACEMENT = {"solution_type": "replacement"}
PAYMENT = {"payment_amount": Decimal("25.00"), "payment_currency": "USD"}
# Advance replacement offered: the hold amount is left empty and comes from the items' values.
ADVANCE = {
    "solution_type": "replacement",
    "return_required": True,
    "advance_replacement": True,
    "hold_currency": "USD",
}
DEMO = "demo@example.com"

DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase("draft", DEMO, S.DRAFT, REPLACEMENT, (_item("Argus 3 Pro", serial="192168001001"),), "us"),
    DemoCase(
        "pending-approval",
        DEMO,
        S.PENDING_APPROVAL,
        {
            **REFUND,
            "refund_amount": Decimal("499.00"),
            "needs_approval": True,
            "policy_exception_reason": (
                "Bought 45 days ago: the customer reported the fault on day 20 and our first answer "
                "came late, so we keep to the refund they asked for then."
            ),
        },
        (_refund_item("RLK16 NVR System", serial="BOX0016000042", days_ago=45) | {"kit_scope": "whole_kit"},),
        "us",
    ),
    DemoCase(
        "confirm-replacement",
        DEMO,
        S.PENDING_CONFIRM,
        {**REPLACEMENT, "solution_note": "The replacement is the same model, in the same colour."},
        (_item("E1 Zoom", serial="E1Z00000771"),),
        "us",
    ),
    DemoCase(
        "confirm-refund",
        DEMO,
        S.PENDING_CONFIRM,
        {**REFUND, "refund_amount": Decimal("39.99"), "return_required": False},
        (_refund_item("Solar Panel 2", uid="95270000SOLAR002"),),
    ),
    DemoCase(
        "awaiting-return",
        DEMO,
        S.AWAITING_INFO,
        {**REFUND, "return_required": True},
        (_refund_item("Duo 2 WiFi", serial="DUO2000123", days_ago=20),),
        "us",
    ),
    DemoCase(
        "awaiting-payment",
        DEMO,
        S.AWAITING_INFO,
        {
            **REPLACEMENT,
            **PAYMENT,
            "solution_note": "An upgrade to the newer model, for the price difference.",
        },
        (_item("Go Plus", uid="95270000GOPLUS01"),),
    ),
    DemoCase(
        "awaiting-return-and-payment",
        DEMO,
        S.AWAITING_INFO,
        {**REPLACEMENT, **PAYMENT, "return_required": True},
        (_item("Video Doorbell PoE", serial="VDPOE0000456"), _item("Chime", uid="95270000CHIME001")),
        "eu",
    ),
    DemoCase(
        "advance-offered",
        DEMO,
        S.AWAITING_INFO,
        {**ADVANCE, "solution_note": "Choose whether we ship the replacement before or after your return."},
        (_item("Argus 3 Pro", serial="ARG3P0000412", value="129.99"),),
        "us",
    ),
    DemoCase(
        "advance-hold",
        DEMO,
        S.AWAITING_RETURN,
        ADVANCE,
        (
            _item("RLC-520A", serial="RLC520A00077", value="59.99"),
            _item("Chime", uid="95270000CHIME002", value="19.99"),
        ),
        "us",
        extra={"hold": True},
    ),
    DemoCase(
        "disagreed",
        DEMO,
        S.DISAGREED,
        {**REFUND, "return_required": True},
        (_refund_item("TrackMix WiFi", serial="TMX000009876", days_ago=25),),
        "us",
        disagree_comment="I would rather have a replacement than a refund: I like this camera.",
    ),
    DemoCase(
        "under-review",
        DEMO,
        S.UNDER_REVIEW,
        {**REPLACEMENT, "return_required": True},
        (_item("RLC-810A", serial="RLC810A00031"),),
        "us",
    ),
    DemoCase(
        "processing",
        DEMO,
        S.PROCESSING,
        {"solution_type": "resend", "return_required": False},
        (_item("Power adapter 12V", serial="PA12V0000012", days_ago=30),),
    ),
    DemoCase(
        "completed",
        DEMO,
        S.COMPLETED,
        {
            **REFUND,
            "refund_amount": Decimal("59.00"),
            "return_required": False,
            "policy_exception_reason": (
                "Goodwill: this refurbished unit failed a third time; the supervisor agreed to refund it."
            ),
        },
        (_item("Lumus", uid="95270000LUMUS007", days_ago=500),),
        extra={"refund_reference": "9XK4471022PL81"},
    ),
    DemoCase(
        "cancelled",
        DEMO,
        S.CANCELLED,
        {**REFUND, "return_required": False},
        (_refund_item("Argus PT", serial="ARGPT0000088", days_ago=15),),
        disagree_comment="The camera works again after a reset; no need for anything.",
    ),
    DemoCase(
        "other-confirm",
        "other@example.com",
        S.PENDING_CONFIRM,
        REPLACEMENT,
        (_item("Argus 4 Pro", serial="ARG4P0000301"),),
        "eu",
    ),
)


# The products the demo items are of: (model, category, condition).
DEMO_PRODUCTS = (
    ("Argus 3 Pro", "camera", "new"),
    ("Argus 4 Pro", "camera", "new"),
    ("E1 Zoom", "camera", "new"),
    ("Duo 2 WiFi", "camera", "new"),
    ("TrackMix WiFi", "camera", "new"),
    ("RLC-810A", "camera", "new"),
    ("Lumus", "camera", "refurbished"),
    ("RLK16 NVR System", "system kit", "new"),
)
# Units their owners registered: (model, S/N, registered on, email).
DEMO_REGISTRATIONS = (
    ("E1 Zoom", "E1Z00000771", datetime.date(2025, 3, 20), DEMO),
    ("Duo 2 WiFi", "DUO2000123", datetime.date(2025, 4, 2), DEMO),
    ("Argus 4 Pro", "ARG4P0000301", datetime.date(2025, 3, 15), "other@example.com"),
)

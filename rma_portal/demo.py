"""
Demo cases for a local run: one or more in every status of the lifecycle.

Each case is walked through the real services (created by the demo agent, approved by the
demo supervisor, agreed to by the customer...), so its timeline and emails look like real
ones. A marker in the agent notes makes the seeding idempotent.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from payments import paypal
from payments.holds import hold_record
from payments.models import HoldState, ReplacementChoice
from payments.services import payment_submit
from rma.cases import editing, services
from rma.cases.models import Case, Product, Registration, Warehouse
from rma.cases.workflow import RequestMeta
from rma.required.advance import case_ship_ahead
from rma.required.returns_and_addresses import address_confirm, return_submit
from rma.required.selectors import address_on_file
from rma.required.services import case_accept
from rma_portal import images

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


def seed_demo_products(people: dict[str, Any]) -> dict[str, Product]:
    """Create (or find) the demo products and the registrations of a few demo units."""
    products = {
        model: Product.objects.get_or_create(
            model_name=model, defaults={"category": category, "condition": condition}
        )[0]
        for model, category, condition in DEMO_PRODUCTS
    }
    for model, serial, registered_on, email in DEMO_REGISTRATIONS:
        Registration.objects.get_or_create(
            product=products[model],
            serial_number=serial,
            defaults={"registered_on": registered_on, "email": email, "customer": people.get(email)},
        )
    return products


def _marker(key: str) -> str:
    return f"[demo:{key}]"


def seed_demo_warehouses() -> dict[str, Warehouse]:
    """Create (or find) the demo warehouses."""
    return {
        key: Warehouse.objects.get_or_create(name=values["name"], defaults=values)[0]
        for key, values in DEMO_WAREHOUSES.items()
    }


def _walk(case: Case, demo: DemoCase, *, customer: Any, agent: Any, supervisor: Any) -> Case:
    """Take ``case`` from draft to ``demo.status`` through the services, as people would."""
    target = demo.status
    if target == S.DRAFT:
        return case
    if case.goes_to_approval:
        case = services.case_submit_for_approval(case=case, actor=agent, meta=META)
        if target == S.PENDING_APPROVAL:
            return case
        case = services.case_approve(case=case, actor=supervisor, meta=META)
    else:
        case = services.case_publish(case=case, actor=agent, meta=META)
    if target == S.PENDING_CONFIRM:
        return case
    if demo.disagree_comment:
        case = services.case_disagree(case=case, actor=customer, comment=demo.disagree_comment, meta=META)
        if target == S.CANCELLED:
            case = services.case_cancel(
                case=case, actor=agent, comment="Closed at your request: glad it works again.", meta=META
            )
        return case
    case = services.case_agree(case=case, actor=customer, meta=META)
    if case.status == target:
        return case
    if case.status == S.AWAITING_INFO:
        if demo.extra.get("hold"):
            _place_demo_hold(case, customer=customer)
            case.refresh_from_db()
        case = _submit_required_parts(case, customer=customer, agent=agent)
        if target == S.UNDER_REVIEW:
            return case
        case = case_accept(case=case, actor=agent, meta=META)
    if target == S.PROCESSING:
        return case
    if case.ships_ahead:
        return case_ship_ahead(
            case=case,
            actor=agent,
            outbound_carrier="UPS",
            outbound_tracking_number="1Z999AA10123456791",
            meta=META,
        )
    if case.solution_type == Case.SolutionType.REFUND:
        return services.case_complete(
            case=case, actor=agent, refund_reference=demo.extra["refund_reference"], meta=META
        )
    return services.case_complete(
        case=case,
        actor=agent,
        outbound_carrier="UPS",
        outbound_tracking_number="1Z999AA10123456784",
        meta=META,
    )


def _place_demo_hold(case: Case, *, customer: Any) -> None:
    """A hold as if the customer had approved it on PayPal. It stands for the flow only: a
    real hold (and its release or capture) needs PayPal sandbox credentials."""
    ReplacementChoice.objects.create(
        case=case,
        method="advance",
        hold_state=HoldState.APPROVING,
        amount=case.hold_amount,
        currency=case.hold_currency,
        request_key=f"demo{case.pk}",
        order_id=f"DEMOORDER{case.pk:08d}",
    )
    hold_record(
        case=case,
        actor=customer,
        authorization=paypal.Authorization(
            authorization_id=f"DEMOAUTH{case.pk:09d}",
            status="CREATED",
            amount=case.hold_amount,
            currency=case.hold_currency,
            expires_at=None,
            order_id=f"DEMOORDER{case.pk:08d}",
            reference=case.number,
        ),
        meta=META,
    )


def _demo_photo(title: str, number: str) -> images.CleanImage:
    """A small picture standing in for a customer's photo, through the real upload pipeline."""
    picture = Image.new("RGB", (640, 400), "white")
    pen = ImageDraw.Draw(picture)
    large, small = ImageFont.load_default(size=44), ImageFont.load_default(size=26)
    pen.rectangle((12, 12, 627, 387), outline="black", width=4)
    pen.text((40, 50), title, fill="black", font=large)
    pen.text((40, 130), number, fill="black", font=large)
    pen.text((40, 220), "Warranty Returns (RMA)", fill="black", font=small)
    pen.text((40, 260), "demo picture", fill="black", font=small)
    upload = io.BytesIO()
    picture.save(upload, format="PNG")
    upload.seek(0)
    upload.name = f"{title.lower().replace(' ', '-')}.png"
    return images.clean_image(upload)


def _submit_required_parts(case: Case, *, customer: Any, agent: Any) -> Case:
    """Send every part the solution needs, as the customer would on the portal.

    The address is confirmed by the agent on the customer's behalf (they wrote it in an
    email), so the demo timelines show such a step too.
    """

    if case.requires_return and not case.ships_ahead:  # an advance replacement's return follows
        return_submit(
            case=case,
            actor=customer,
            carrier="UPS",
            tracking_number=f"1Z 999 AA1 {case.pk:08d}",
            label_photo=_demo_photo("Shipping label", case.number),
            postage_receipt=_demo_photo("Postage receipt", case.number),
            meta=META,
        )
    if case.requires_payment:
        payment_submit(
            case=case,
            actor=customer,
            transaction_number=f"5TY05013RG{case.pk:07d}",
            receipts=[_demo_photo("PayPal receipt", case.number)],
            meta=META,
        )
    if case.requires_shipping_address:
        fields = {**DEMO_ADDRESS, **{k: v for k, v in address_on_file(case).items() if v}}
        address_confirm(case=case, actor=agent, on_behalf=True, fields=fields, meta=META)
    case.refresh_from_db()
    return case


def seed_demo_cases(people: dict[str, Any]) -> list[Case]:
    """Create the demo cases that do not exist yet; return every demo case, in table order."""
    warehouses = seed_demo_warehouses()
    products = seed_demo_products(people)
    agent = people["agent@example.com"]
    supervisor = people["supervisor@example.com"]
    cases = []
    for demo in DEMO_CASES:
        customer = people[demo.owner]
        case = Case.objects.filter(customer=customer, agent_notes__startswith=_marker(demo.key)).first()
        if case is None:
            with transaction.atomic():
                warehouse = warehouses[demo.warehouse] if demo.warehouse else None
                draft = Case(
                    customer=customer,
                    country=warehouse.country if warehouse else "US",
                    warehouse=warehouse,
                    assigned_agent=agent,
                    agent_notes=f"{_marker(demo.key)} Demo case, safe to play with.",
                    **demo.solution,
                )
                items = [{**item, "product": products.get(item["product_model"])} for item in demo.items]
                case = editing.case_create(case=draft, actor=agent, items=items, meta=META)
                case = _walk(case, demo, customer=customer, agent=agent, supervisor=supervisor)
        cases.append(case)
    return cases

"""Seeding the demo: each case walked through the real services, so its timeline and emails look
like real ones."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.datastructures import MultiValueDict
from PIL import Image, ImageDraw, ImageFont

from payments import paypal
from payments.holds import hold_record
from payments.models import HoldState, ReplacementChoice
from rma.cases import editing, services
from rma.cases.models import Case, Product, Registration, Warehouse
from rma.required.advance import case_ship_ahead
from rma.required.parts import needed_part_models
from rma.required.services import case_accept
from rma_portal import images
from rma_portal.demo.scenarios import (
    DEMO_ADDRESS,
    DEMO_CASES,
    DEMO_PRODUCTS,
    DEMO_REGISTRATIONS,
    DEMO_WAREHOUSES,
    META,
    DemoCase,
    S,
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


def demo_photo(title: str, number: str) -> images.CleanImage:
    """A small picture standing in for a customer's photo, through the real upload pipeline."""
    return images.clean_image(_png(title, number))


def _png(title: str, number: str) -> SimpleUploadedFile:
    """The demo's picture as a browser would upload it."""
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
    return SimpleUploadedFile(f"{title.lower().replace(' ', '-')}.png", upload.getvalue(), "image/png")


class DemoKit:
    """What the parts' bindings answer the demo's forms with (``PartBinding.demo_answers``)."""

    address = DEMO_ADDRESS

    def picture(self, title: str, case: Case) -> SimpleUploadedFile:
        return _png(title, case.number)


def _submit_required_parts(case: Case, *, customer: Any, agent: Any) -> Case:
    """Send every declared part the solution still needs, on the part's own form and through
    its own service (its binding, as the portal's step page and the team's entry page do),
    with the answers the binding gives the demo: the customer's, or the agent's for them."""
    kit = DemoKit()
    for model in needed_part_models(case):
        part = model.objects.filter(case=case).first()
        binding = model.get_binding()
        answers = binding.demo_answers(case, kit)
        if answers is None or (part is not None and part.is_in):
            continue
        files = MultiValueDict(
            {key: value if isinstance(value, list) else [value] for key, value in answers.files.items()}
        )
        pieces = binding.open_pieces(case, part)
        form = binding.form(case, answers.data, files, part=part, pieces=pieces, on_behalf=answers.on_behalf)
        if not form.is_valid():
            raise ValueError(f"The demo's {model.key} does not pass its form: {form.errors.as_text()}")
        actor = agent if answers.on_behalf else customer
        binding.submit(case, form, actor=actor, meta=META, on_behalf=answers.on_behalf)
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

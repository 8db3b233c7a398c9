"""``manage.py seed_demo``: the demo cases, idempotent, and its JSON listing."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from rma.cases.models import Case, CaseEvent, Warehouse
from rma.required.parts import required_parts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_run(settings):
    settings.DEBUG = True


def _seed_json() -> list[dict]:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_creates_every_status_for_the_demo_customer():
    listing = _seed_json()
    demo = [row["status"] for row in listing if row["owner"] == "demo@example.com"]
    assert set(demo) == set(Case.Status.values)
    assert demo.count("pending_confirm") >= 2
    assert demo.count("awaiting_info") == 4  # return, payment, both, and the choice of method
    other = [row["status"] for row in listing if row["owner"] == "other@example.com"]
    assert other == ["pending_confirm"]
    numbers = [row["number"] for row in listing]
    assert sorted(numbers) == sorted(Case.objects.values_list("number", flat=True))


def test_the_three_awaiting_cases_need_return_payment_and_both():
    _seed_json()
    awaiting = Case.objects.filter(customer__email="demo@example.com", status="awaiting_info")
    needs = {(case.solution_type, case.requires_return, case.requires_payment) for case in awaiting}
    assert ("refund", True, False) in needs
    assert any(payment and not ret for _type, ret, payment in needs)
    assert any(payment and ret for _type, ret, payment in needs)


def test_seed_demo_is_idempotent():
    first = _seed_json()
    events = CaseEvent.objects.count()
    second = _seed_json()
    assert first == second
    assert CaseEvent.objects.count() == events
    assert Warehouse.objects.count() == 2


def test_seed_demo_prints_sign_in_help_without_json():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "18 cases" in out.getvalue()  # 15 in the lifecycle table, 3 claims waiting


def test_demo_timelines_show_a_step_done_on_the_customers_behalf():
    _seed_json()
    case = Case.objects.get(customer__email="demo@example.com", status="under_review")
    assert case.events.filter(on_behalf=True).exists()
    assert case.events.filter(action="mark_info_complete").exists()


def test_demo_cases_past_awaiting_info_hold_every_part_they_needed():
    _seed_json()
    for case in Case.objects.filter(status__in=["under_review", "processing", "completed"]):
        for part in required_parts(case):
            assert part.state != "to_do", (case.number, part)


def test_the_demo_items_are_of_products_and_some_units_are_registered():
    from rma.cases.models import CaseItem, Product, Registration

    _seed_json()
    _seed_json()  # idempotent
    assert Product.objects.filter(condition="refurbished").exists()
    assert Registration.objects.count() == 3
    registration = Registration.objects.get(serial_number="E1Z00000771")
    assert registration.customer.email == "demo@example.com"
    item = CaseItem.objects.with_warranty_facts().get(serial_number="E1Z00000771")
    assert item.product.model_name == "E1 Zoom"
    assert item.registration == registration
    assert any("registered on" in reason for reason in item.warranty.reasons)


def test_the_demo_shows_advance_replacement_offered_and_a_hold_placed():
    _seed_json()
    offered = Case.objects.get(
        customer__email="demo@example.com", agent_notes__startswith="[demo:advance-offered]"
    )
    assert offered.status == "awaiting_info" and offered.offers_advance_replacement
    assert offered.hold_amount == Decimal("129.99")  # from the item's value
    assert [part.key for part in required_parts(offered)][0] == "method"
    holding = Case.objects.get(customer__email="demo@example.com", status="awaiting_return")
    assert holding.replacement_choice.hold_state == "authorized"
    assert holding.replacement_choice.amount == Decimal("79.98")
    assert holding.due_at == holding.return_due_at


def test_every_demo_case_keeps_to_the_warranty_policy_or_carries_an_approved_exception():
    _seed_json()
    # A claim has no solution yet: nothing of it goes against the policy until the team answers.
    for case in Case.objects.exclude(status__in=("draft", "pending_approval", "requested")):
        breaches = case.policy_breaches()
        if not breaches:
            continue
        assert case.policy_exception_reason.strip(), (case.number, breaches)
        approval = case.events.filter(action="approve").first()
        assert approval is not None, (case.number, breaches)
        assert approval.data["exception_reason"] == case.policy_exception_reason
    waiting = Case.objects.get(customer__email="demo@example.com", status="pending_approval")
    assert waiting.policy_breaches() and waiting.policy_exception_reason

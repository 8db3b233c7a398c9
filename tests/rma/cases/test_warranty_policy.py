"""The warranty policy: each item's end date and verdict come from the rules, not from a number
the agent types."""

import datetime

import pytest
from django.utils import timezone

from rma.cases.models import CaseItem, Product, Registration
from rma.cases.warranty import RULES, WarrantyRule, add_months, rule_for, verdict
from tests.factories import CaseFactory, CaseItemFactory

D = datetime.date


def item(**fields) -> CaseItem:
    defaults = {"purchase_date": D(2025, 3, 10), "condition": "new", "purchase_channel": "official_store"}
    return CaseItem(product_model="Argus", serial_number="SN1", **(defaults | fields))


# (what, item fields, judged on, in warranty, ends on)
CASES = [
    ("new: 24 months", {}, D(2027, 3, 10), True, D(2027, 3, 10)),
    ("new: the day after the end", {}, D(2027, 3, 11), False, D(2027, 3, 10)),
    ("refurbished: 12 months", {"condition": "refurbished"}, D(2026, 3, 11), False, D(2026, 3, 10)),
    ("refurbished: on the last day", {"condition": "refurbished"}, D(2026, 3, 10), True, D(2026, 3, 10)),
    ("registered within: +6 months", {"registered_on": D(2025, 4, 1)}, D(2027, 9, 10), True, D(2027, 9, 10)),
    (
        "registered on the last day still counts",
        {"registered_on": D(2027, 3, 10)},
        D(2027, 6, 1),
        True,
        D(2027, 9, 10),
    ),
    (
        "registered too late: no bonus",
        {"registered_on": D(2027, 3, 11)},
        D(2027, 6, 1),
        False,
        D(2027, 3, 10),
    ),
    (
        "refurbished and registered",
        {"condition": "refurbished", "registered_on": D(2025, 3, 20)},
        D(2026, 9, 10),
        True,
        D(2026, 9, 10),
    ),
    ("31 January + 24 months", {"purchase_date": D(2024, 1, 31)}, D(2026, 1, 31), True, D(2026, 1, 31)),
    (
        "31 March, refurbished, ends on 31 March",
        {"purchase_date": D(2024, 3, 31), "condition": "refurbished"},
        D(2025, 3, 31),
        True,
        D(2025, 3, 31),
    ),
    (
        "overridden by the team",
        {"warranty_override_until": D(2030, 1, 1), "warranty_override_reason": "Goodwill"},
        D(2029, 12, 31),
        True,
        D(2030, 1, 1),
    ),
]


@pytest.mark.parametrize(("what", "fields", "on", "in_warranty", "ends_on"), CASES, ids=[c[0] for c in CASES])
def test_the_policy_decides_the_end_and_the_verdict(what, fields, on, in_warranty, ends_on):
    result = verdict(item(**fields), on=on)
    assert (result.in_warranty, result.ends_on) == (in_warranty, ends_on)
    assert result.reasons


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("original_purchase", "shipped", "expected_end"),
    [
        (D(2025, 1, 1), D(2025, 6, 1), D(2027, 1, 1)),  # the rest of the original warranty is longer
        (D(2023, 1, 1), D(2024, 12, 15), D(2025, 3, 15)),  # the 90-day floor is longer
        (D(2023, 1, 1), D(2024, 12, 31), D(2025, 3, 31)),  # the floor's last day
    ],
)
def test_a_replacement_unit_is_covered_for_the_rest_or_90_days_whichever_is_longer(
    original_purchase, shipped, expected_end
):
    original = CaseItemFactory(purchase_date=original_purchase)
    unit = item(purchase_date=shipped, replaces=original)
    assert verdict(unit, on=shipped).ends_on == expected_end
    assert "Replacement unit" in verdict(unit, on=shipped).reasons[0]


@pytest.mark.django_db
def test_a_replacement_of_a_replacement_follows_the_chain():
    first = CaseItemFactory(purchase_date=D(2024, 1, 1))  # ends 2026-01-01
    second = CaseItemFactory(purchase_date=D(2025, 12, 1), replaces=first)  # ends 2026-03-01 (floor)
    third = item(purchase_date=D(2025, 12, 20), replaces=second)
    assert verdict(third, on=D(2026, 1, 5)).ends_on == D(2026, 3, 20)


@pytest.mark.parametrize(
    ("channel", "bought", "on", "possible", "reason"),
    [
        ("official_store", D(2026, 1, 1), D(2026, 1, 31), True, "Refund possible"),
        ("official_store", D(2026, 1, 1), D(2026, 2, 1), False, "more than 30"),
        ("reseller", D(2026, 1, 1), D(2026, 1, 2), False, "not bought from the official store"),
        ("unknown", D(2026, 1, 1), D(2026, 1, 2), False, "not bought from the official store"),
    ],
)
def test_refunds_only_within_30_days_and_from_the_official_store(channel, bought, on, possible, reason):
    result = verdict(item(purchase_channel=channel, purchase_date=bought), on=on)
    assert result.refund_possible is possible
    assert reason in result.refund_reason


def test_the_rule_in_force_on_the_purchase_date_applies():
    rules = (
        WarrantyRule(applies_from=D(2000, 1, 1)),
        WarrantyRule(applies_from=D(2027, 1, 1), new_months=36),
    )
    assert rule_for(D(2026, 12, 31), rules).new_months == 24
    assert rule_for(D(2027, 1, 1), rules).new_months == 36
    assert rule_for(D(2026, 1, 1)) is RULES[0]
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


@pytest.mark.django_db
def test_an_item_is_judged_on_the_day_its_case_was_opened():
    case = CaseFactory(created_at=timezone.make_aware(datetime.datetime(2027, 3, 11)), item=None)
    late = CaseItemFactory(case=case, purchase_date=D(2025, 3, 10))
    assert late.in_warranty is False and late.warranty_ends == D(2027, 3, 10)


@pytest.mark.django_db
def test_an_override_needs_a_reason():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Say why"):
        item(warranty_override_until=D(2030, 1, 1)).full_clean(exclude=["case"])


@pytest.mark.django_db
def test_the_agent_sees_the_verdict_and_the_refund_rule_on_the_case_page(agent_client):
    case = CaseFactory(item=None)
    CaseItemFactory(case=case, purchase_date=timezone.localdate() - datetime.timedelta(days=40))
    page = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    assert 'data-in-warranty="yes"' in page
    assert "New product: 24 months from the purchase date." in page
    assert "No refund" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("what", "condition", "registered_on", "serial", "on", "in_warranty", "ends_on"),
    [
        ("new product, not registered", "new", None, "SN1", D(2027, 3, 10), True, D(2027, 3, 10)),
        ("new product, registered", "new", D(2025, 5, 1), "SN1", D(2027, 9, 10), True, D(2027, 9, 10)),
        ("new product, registered: the day after", "new", D(2025, 5, 1), "SN1", D(2027, 9, 11), False,
         D(2027, 9, 10)),
        ("refurbished product", "refurbished", None, "SN1", D(2026, 3, 11), False, D(2026, 3, 10)),
        ("refurbished product, registered", "refurbished", D(2025, 5, 1), "SN1", D(2026, 9, 10), True,
         D(2026, 9, 10)),
        ("refurbished, registered after its end", "refurbished", D(2026, 3, 11), "SN1", D(2026, 6, 1), False,
         D(2026, 3, 10)),
        ("registered under another S/N", "new", D(2025, 5, 1), "SN2", D(2027, 6, 1), False, D(2027, 3, 10)),
    ],
)  # fmt: skip
def test_the_product_and_its_registration_decide_for_a_linked_item(
    what, condition, registered_on, serial, on, in_warranty, ends_on
):
    product = Product.objects.create(model_name="Argus", condition=condition)
    if registered_on:
        Registration.objects.create(
            product=product, serial_number=serial.lower(), registered_on=registered_on, email="a@example.com"
        )
    # The item's own fields say otherwise: the product records win.
    unit = item(product=product, condition="new" if condition == "refurbished" else "refurbished")
    result = verdict(unit, on=on)
    assert (result.in_warranty, result.ends_on) == (in_warranty, ends_on)


def test_a_registration_after_the_end_gives_no_months_and_says_so():
    result = verdict(item(registered_on=D(2027, 3, 11)), on=D(2027, 3, 1))
    assert result.reasons[-1].startswith("No extra months: registered on")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "in_warranty"),
    [(D(2025, 3, 31), True), (D(2025, 4, 1), False)],  # day 90 of the floor, and day 91
)
def test_the_90_day_floor_ends_on_its_last_day(on, in_warranty):
    original = CaseItemFactory(purchase_date=D(2022, 1, 1))
    unit = item(purchase_date=D(2024, 12, 31), replaces=original)
    result = verdict(unit, on=on)
    assert (result.in_warranty, result.ends_on) == (in_warranty, D(2025, 3, 31))


@pytest.mark.django_db
def test_a_replacement_of_a_refurbished_registered_unit_keeps_its_rest():
    product = Product.objects.create(model_name="Lumus", condition="refurbished")
    Registration.objects.create(
        product=product, serial_number="L1", registered_on=D(2025, 4, 1), email="a@b.example"
    )
    original = CaseItemFactory(
        product=product, serial_number="L1", purchase_date=D(2025, 3, 10)
    )  # to 2026-09-10
    unit = item(purchase_date=D(2026, 1, 5), replaces=original)
    result = verdict(unit, on=D(2026, 9, 10))
    assert (result.in_warranty, result.ends_on) == (True, D(2026, 9, 10))
    assert original.case.number in result.reasons[0]


@pytest.mark.parametrize(
    ("channel", "days", "possible"),
    [
        ("official_store", 0, True),
        ("official_store", 30, True),
        ("official_store", 31, False),
        ("reseller", 0, False),
        ("unknown", 30, False),
    ],
)
def test_the_refund_window_counts_30_days_from_the_purchase(channel, days, possible):
    bought = D(2026, 2, 27)
    result = verdict(
        item(purchase_channel=channel, purchase_date=bought), on=bought + datetime.timedelta(days=days)
    )
    assert result.refund_possible is possible

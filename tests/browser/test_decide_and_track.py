"""
Deciding with the solution in view, and the step tracker, in Chromium at 360 px and 1280 px.

Screenshots of each page go to the test's output folder (``tmp_path``), also in German and
Japanese, whose long words and line breaks are the hardest on the layout.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from rma.cases.models import Case
from rma.required.models import PartState, ReturnShipment
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
S = Case.Status


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def screen(request, page):
    page.set_viewport_size(VIEWPORTS[request.param])
    return request.param


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def _fits_sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _pending_replacement(customer) -> Case:
    """The longest solution to read before deciding: items back, a payment and the address."""
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM, payment_due=True, item=None)
    CaseItemFactory(case=case, product_model="Argus 3 Pro", serial_number="SN00012345678")
    CaseItemFactory(case=case, product_model="RLN8-410 NVR", serial_number="SN00087654321")
    return case


def test_the_solution_comes_before_the_two_answers_and_disagree_opens_in_place(
    page, sign_in, customer, screen, tmp_path
):
    case = _pending_replacement(customer)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")

    summary = page.locator(".decision__lead")
    agree = page.get_by_role("button", name="Agree", exact=True)
    disagree = page.locator("summary", has_text="Disagree")
    expect(summary).to_have_text("We send you a replacement for the items below.")
    # The solution, its items and what agreeing commits to, all above the answers.
    commitments = page.locator(".decision__summary .steps li")
    expect(commitments).to_have_count(3)
    assert _box(commitments.last)["y"] < _box(agree)["y"]
    assert _box(page.locator(".decision__items")).get("y") < _box(agree)["y"]
    # Both answers on one row, the same size, inside the screen.
    agree_box, disagree_box = _box(agree), _box(disagree)
    assert abs(agree_box["y"] - disagree_box["y"]) < 1
    assert abs(agree_box["width"] - disagree_box["width"]) < 2
    assert abs(agree_box["height"] - disagree_box["height"]) < 2
    assert disagree_box["x"] + disagree_box["width"] <= VIEWPORTS[screen]["width"]
    # Scrolled to the solution's summary, both answers are on the screen with it.
    summary.evaluate(
        "element => window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - 8)"
    )
    expect(summary).to_be_in_viewport()
    expect(agree).to_be_in_viewport()
    expect(disagree).to_be_in_viewport()
    assert _fits_sideways(page) <= 0
    page.screenshot(path=tmp_path / f"pending-{screen}.png", full_page=True)

    comment = page.get_by_label("What is wrong, and which solution would you like instead?")
    expect(comment).to_be_hidden()
    disagree.click()
    expect(comment).to_be_visible()
    # In place: the same page, the comment right under the answers, Agree still there.
    assert page.url.endswith(f"/rma/{case.number}/")
    assert _box(comment)["y"] > _box(disagree)["y"]
    expect(agree).to_be_visible()
    assert _fits_sideways(page) <= 0
    page.screenshot(path=tmp_path / f"pending-disagree-open-{screen}.png", full_page=True)
    assert page.problems == []


def _steps(page) -> list[tuple[str, str]]:
    items = page.locator("ol.tracker:not(.tracker--compact) > li")
    return [
        (items.nth(i).get_attribute("data-step"), items.nth(i).get_attribute("data-step-state"))
        for i in range(items.count())
    ]


def test_the_tracker_shows_the_steps_of_each_kind_of_case(page, sign_in, customer, screen, tmp_path):
    now = timezone.now()
    refund = CaseFactory(customer=customer, status=S.PROCESSING, nothing_required=True, due_at=now)
    replacement = CaseFactory(customer=customer, status=S.AWAITING_INFO, payment_due=True)
    resend = CaseFactory(
        customer=customer,
        status=S.PENDING_CONFIRM,
        solution_type=Case.SolutionType.RESEND,
        return_required=False,
        warehouse=None,
    )
    # The replacement's return is in already: the payment proof is the current step.
    ReturnShipment.objects.create(
        case=replacement,
        carrier="UPS",
        tracking_number="1Z999AA10123456784",
        state=PartState.SUBMITTED,
        submitted_at=now - datetime.timedelta(days=1),
        submitted_by=customer,
    )
    sign_in(customer)

    page.goto(f"/rma/{refund.number}/")
    assert _steps(page) == [("agree", "done"), ("done", "current")]
    expect(page.locator('ol.tracker [aria-current="step"]')).to_contain_text("We send the refund")
    assert _fits_sideways(page) <= 0
    page.screenshot(path=tmp_path / f"tracker-refund-{screen}.png", full_page=True)

    page.goto(f"/rma/{replacement.number}/")
    assert _steps(page) == [
        ("agree", "done"),
        ("return", "done"),
        ("payment", "current"),
        ("address", "to_come"),
        ("review", "to_come"),
        ("done", "to_come"),
    ]
    expect(page.locator('ol.tracker [aria-current="step"]')).to_contain_text("Send the payment proof")
    expect(page.locator('[data-step="return"]')).to_contain_text("Done on")
    assert _fits_sideways(page) <= 0
    page.screenshot(path=tmp_path / f"tracker-replacement-{screen}.png", full_page=True)

    page.goto(f"/rma/{resend.number}/")
    assert _steps(page) == [
        ("agree", "current"),
        ("address", "to_come"),
        ("review", "to_come"),
        ("done", "to_come"),
    ]
    expect(page.locator('[data-step="address"]')).to_contain_text("Confirm the address")
    assert _fits_sideways(page) <= 0

    page.goto("/rma/")
    card = page.locator(f'[data-rma="{replacement.number}"]')
    expect(card.locator('ol.tracker--compact [aria-current="step"]')).to_have_count(1)
    expect(card).to_contain_text("Step 3 of 6: Send the payment proof")
    assert _fits_sideways(page) <= 0
    page.screenshot(path=tmp_path / f"list-{screen}.png", full_page=True)
    assert page.problems == []


def test_the_answers_work_without_javascript(browser, live_server, customer):
    case = _pending_replacement(customer)
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS["phone"], java_script_enabled=False
    )
    client = Client()
    client.force_login(customer)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"/rma/{case.number}/")
    page.locator("summary", has_text="Disagree").click()
    page.get_by_label("What is wrong, and which solution would you like instead?").fill("A refund, please.")
    page.get_by_role("button", name="Send my disagreement").click()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "disagreed")
    expect(page.locator('ol.tracker [aria-current="step"]')).to_contain_text("Agree to the solution")
    context.close()


@pytest.mark.parametrize("language", ["de", "ja"])
def test_the_case_pages_in_long_word_languages(browser, live_server, tmp_path, language):
    customer = CustomerFactory(language=language)
    pending = _pending_replacement(customer)
    awaiting = CaseFactory(customer=customer, status=S.AWAITING_INFO, payment_due=True)
    late = CaseFactory(
        customer=customer, status=S.UNDER_REVIEW, due_at=timezone.now() - datetime.timedelta(days=3)
    )
    refund = CaseFactory(
        customer=customer, status=S.COMPLETED, nothing_required=True, refund_amount=Decimal("59.99")
    )
    client = Client()
    client.force_login(customer)
    for name, viewport in VIEWPORTS.items():
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": "django_language", "value": language, "url": live_server.url},
            ]
        )
        page = context.new_page()
        for label, path in [
            ("pending", f"/rma/{pending.number}/"),
            ("awaiting", f"/rma/{awaiting.number}/"),
            ("late", f"/rma/{late.number}/"),
            ("completed", f"/rma/{refund.number}/"),
            ("return", f"/rma/{awaiting.number}/return/"),
            ("list", "/rma/"),
        ]:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            assert _fits_sideways(page) <= 0, f"{language} {name} {path}"
            page.screenshot(path=tmp_path / f"{language}-{label}-{name}.png", full_page=True)
        page.goto(f"/rma/{pending.number}/")
        agree = page.locator(".decision__agree button")
        disagree = page.locator(".decision__disagree > summary")
        assert abs(_box(agree)["y"] - _box(disagree)["y"]) < 1
        context.close()


def test_the_carrier_list_shows_the_free_field_only_for_other(page, sign_in, customer, screen):
    case = CaseFactory(customer=customer, status=S.AWAITING_INFO)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/return/")
    carrier = page.get_by_label("Carrier", exact=True)
    other = page.get_by_label("The carrier's name")
    expect(carrier.locator("option")).to_have_text(["Choose…", "USPS", "UPS", "FedEx", "DHL", "Other"])
    expect(other).to_be_hidden()
    carrier.select_option("other")
    expect(other).to_be_visible()
    carrier.select_option("UPS")
    expect(other).to_be_hidden()
    assert _fits_sideways(page) <= 0
    assert page.problems == []

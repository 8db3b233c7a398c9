"""Advance replacement in Chromium: the method step, PayPal's approval page (the loopback's),
back to the portal with the hold placed; and the way back when the payer cancels."""

from pathlib import Path

import pytest

from payments.models import HoldState, ReplacementChoice
from tests.payments.holds import advance_case, shipped_ahead_case
from tests.payments.test_payment_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_customer_chooses_advance_approves_on_paypal_and_sees_the_hold(page, live_server, paypal_server):
    case = advance_case()
    sign_in(page.context, live_server, case.customer)
    page.goto(f"/rma/{case.number}/")
    method = page.locator('[data-part="method"]')
    method.get_by_role("link", name="Send it").click()
    page.wait_for_url(f"**/rma/{case.number}/method/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "method-page.png"), full_page=True)

    page.get_by_label("Advance replacement").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/rma/{case.number}/")

    page.get_by_text("The PayPal hold is placed").wait_for()
    assert page.locator(".hold-summary .hold-amount").inner_text() == "129.00 USD"
    assert page.locator('[data-part="method"]').get_attribute("data-part-state") == "submitted"
    page.screenshot(path=str(SCREENSHOTS / "case-with-hold.png"), full_page=True)
    choice = ReplacementChoice.objects.get(case=case)
    assert choice.hold_state == HoldState.AUTHORIZED
    assert len(paypal_server.state.authorizations) == 1
    assert page.problems == []


def test_a_payer_who_cancels_on_paypal_is_back_at_the_choice_with_nothing_held(
    page, live_server, paypal_server
):
    paypal_server.state.payer_cancels = True
    case = advance_case()
    sign_in(page.context, live_server, case.customer)
    page.goto(f"/rma/{case.number}/method/")

    page.get_by_label("Advance replacement").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/rma/{case.number}/method/")

    page.get_by_text("You left PayPal without approving the hold").wait_for()
    assert page.get_by_label("Standard").is_enabled()
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.NONE
    assert not paypal_server.state.authorizations
    assert page.problems == []


def test_after_the_replacement_shipped_the_page_asks_for_the_return_by_its_date(page, live_server):
    case = shipped_ahead_case(days_since_hold=2)
    sign_in(page.context, live_server, case.customer)

    page.goto(f"/rma/{case.number}/")

    root = page.locator("[data-rma]").first
    assert root.get_attribute("data-status") == "awaiting_return"
    assert page.locator(".hold-summary .hold-amount").inner_text() == "129.00 USD"
    assert page.locator(".hold-summary .return-due").is_visible()
    page.locator('[data-part="return"]').get_by_role("link", name="Send it").wait_for()
    page.get_by_text("Your move: your replacement is on its way").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-awaiting-return.png"), full_page=True)
    assert page.problems == []

"""
The agent's workspace in Chromium at 1280 × 800, in English and in German (long words): the
case list, a case, the new-case page and the review page fit the window (no sideways
scrolling), break no rule of the Content-Security-Policy, and axe-core finds no WCAG 2.2 AA
violation on them. A screenshot of each page is written to var/test/admin-workspace/.
"""

import datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rma.cases.models import Case, CaseMessage
from rma.cases.services import case_message_post
from tests import files
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory
from tests.rma.required.test_return_and_address import ADDRESS, address_url, post_return
from tests.staff import make_agent, session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WIDTH, HEIGHT = 1280, 800
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "test" / "admin-workspace"


def watch(page) -> list[str]:
    """Console errors and CSP violations of ``page``, as they happen."""
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective));"
    )
    return problems


@pytest.fixture
def case_under_review(settings):
    """A replacement with a payment whose customer sent everything, with a history, a
    conversation and other cases of the same customer."""
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    customer = CustomerFactory(
        email="bartholomew.vanderwaals-oberkirchner@example.com", full_name="Bartholomew van der Waals"
    )
    for days in (400, 30):
        CaseFactory(
            customer=customer,
            status=Case.Status.COMPLETED,
            created_at=timezone.now() - datetime.timedelta(days=days),
        )
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, payment_due=True, item=None)
    CaseItemFactory(case=case, product_model="Argus PT Ultra 4K Dual-Lens Solar Floodlight Camera")
    CaseItemFactory(case=case, product_model="Home Hub Pro", serial_number="", uid="UID-95270000ABCDEF")
    client = Client()
    client.force_login(customer)
    client.post(
        reverse("rma:case_message", kwargs={"number": case.number}), {"body": "The camera stays dark."}
    )
    post_return(client, case)
    client.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("paid.jpg")]},
    )
    client.post(address_url(case), ADDRESS)
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW
    return case


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_workspace_fits_1280_px_keeps_the_csp_and_passes_axe(
    browser, live_server, case_under_review, language
):
    agent = make_agent(full_name="Agnes Agent", language=language)
    case_message_post(case=case_under_review, author=agent, body="Thank you, we are looking at it.")
    assert CaseMessage.objects.filter(case=case_under_review).count() == 2
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies([session_cookie(live_server, staff_client_for(agent))])
    page = context.new_page()
    problems = watch(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nScreenshots of the admin workspace: {SCREENSHOTS}")
    pages = {
        "case-list": "/admin/rma/case/",
        "case": f"/admin/rma/case/{case_under_review.pk}/change/",
        "new-case": "/admin/rma/case/add/",
        "review": f"/admin/rma/case/{case_under_review.pk}/review/",
    }
    failures = []
    try:
        for name, path in pages.items():
            problems.clear()
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("lang") == language
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=SCREENSHOTS / f"{language}-{name}.png", full_page=True)
            if width > WIDTH:
                failures.append(f"{name}: {width} px wide")
            # The case list's table scrolls inside its own box when too wide: every column shows.
            hidden = page.evaluate(
                "[...document.querySelectorAll('.results')].some(box => box.scrollWidth > box.clientWidth)"
            )
            if hidden:
                failures.append(f"{name}: the table is wider than its box")
            # Before axe runs: axe reads the style sheets through <style> elements of its own.
            failures += [f"{name}: {problem}" for problem in problems]
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
            failures += [
                f"{name}: {violation['id']} at {[node['target'] for node in violation['nodes']]}"
                for violation in results.response["violations"]
            ]
    finally:
        context.close()
    assert failures == []


def test_the_case_page_shows_the_workspace(browser, live_server, case_under_review):
    agent = make_agent(full_name="Agnes Agent")
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies([session_cookie(live_server, staff_client_for(agent))])
    page = context.new_page()
    problems = watch(page)
    try:
        page.goto(f"/admin/rma/case/{case_under_review.pk}/change/")
        next_step = page.locator("[data-next-step]")
        assert "The team reviews what the customer sent" in next_step.inner_text()
        assert "Due:" in next_step.inner_text()
        customer = page.locator("[data-customer]")
        assert "Bartholomew van der Waals" in customer.inner_text()
        assert "2 other cases" in customer.inner_text()
        assert customer.locator("[data-rma]").count() == 2
        # The required information with its pictures; a thumbnail opens the full picture over the page.
        thumbnails = page.locator('.case-parts [data-part="return"] img')
        assert thumbnails.count() == 2
        loaded = "images => images.every(image => image.complete && image.naturalWidth > 0)"
        assert thumbnails.evaluate_all(loaded)
        page.locator('.case-parts [data-part="return"] a.rma-thumbnail').first.click()
        dialog = page.get_by_role("dialog")
        assert dialog.is_visible()
        assert dialog.locator("img").get_attribute("src").endswith("/image/")
        page.keyboard.press("Escape")
        assert page.get_by_role("dialog").count() == 0
        # The history: who, what and when; the event's data folded away until asked for.
        timeline = page.locator(".case-timeline")
        assert "Bartholomew van der Waals (Customer)" in timeline.inner_text()
        data = timeline.locator("details.case-timeline__data").first
        assert not data.locator("dl").is_visible()
        data.locator("summary").click()
        assert data.locator("dl").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        assert problems == []
    finally:
        context.close()

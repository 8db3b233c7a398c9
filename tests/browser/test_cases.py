"""The customer's case journey in Chromium: list, agree, disagree, timeline."""

import re

import pytest
from playwright.sync_api import expect

from rma.cases.models import Case, CaseEvent
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_groups_cases_and_links_to_each(page, sign_in, customer):
    pending = CaseFactory(customer=customer, status=Case.Status.PENDING_CONFIRM)
    awaiting = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO)
    sign_in(customer)
    page.goto("/rma/")
    expect(page.get_by_role("heading", name="Pending confirmation")).to_be_visible()
    expect(page.get_by_role("heading", name="Action required")).to_be_visible()
    expect(page.locator(f'[data-rma="{pending.number}"]')).to_have_attribute("data-status", "pending_confirm")
    expect(page.locator(f'[data-rma="{awaiting.number}"]')).to_have_attribute("data-status", "awaiting_info")
    page.locator(f'[data-rma="{pending.number}"]').get_by_role("link", name="Review and respond").click()
    expect(page.locator("article.case-page")).to_have_attribute("data-rma", pending.number)
    assert page.problems == []


def test_the_customer_agrees_and_sees_it_on_the_timeline(page, sign_in, customer):
    case = CaseFactory(customer=customer)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Agree").click()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "awaiting_info")
    expect(page.get_by_role("status")).to_contain_text("you confirmed the solution")
    expect(page.locator(".timeline")).to_contain_text("The solution was confirmed.")
    expect(page.get_by_role("button", name="Agree")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_INFO
    assert page.problems == []


def test_dismissing_the_confirmation_agrees_to_nothing(page, sign_in, customer):
    case = CaseFactory(customer=customer)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    page.on("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Agree").click()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "pending_confirm")
    assert not CaseEvent.objects.filter(case=case).exists()
    assert page.problems == []


def test_the_customer_disagrees_with_a_comment_and_sees_it_on_the_timeline(page, sign_in, customer):
    case = CaseFactory(customer=customer)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    page.get_by_text("Disagree", exact=True).click()
    page.get_by_label("What is wrong, and which solution would you like instead?").fill(
        "The <b>lens</b> is cracked; I would like a replacement."
    )
    page.get_by_role("button", name="Send my disagreement").click()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "disagreed")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("The solution was rejected.")
    # The comment is shown as typed, its HTML as text.
    expect(timeline.locator(".timeline__comment")).to_have_text(
        "The <b>lens</b> is cracked; I would like a replacement."
    )
    expect(page.get_by_text("Our move", exact=False)).to_be_visible()
    assert page.problems == []


def test_disagree_without_a_comment_is_stopped_and_changes_nothing(page, sign_in, customer):
    case = CaseFactory(customer=customer)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    page.get_by_text("Disagree", exact=True).click()
    page.get_by_role("button", name="Send my disagreement").click()
    comment = page.get_by_label("What is wrong, and which solution would you like instead?")
    assert comment.evaluate("element => element.validity.valueMissing") is True
    expect(page).to_have_url(re.compile(rf"/rma/{case.number}/$"))
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "pending_confirm")
    assert not CaseEvent.objects.filter(case=case).exists()
    assert page.problems == []


def test_a_blank_comment_that_gets_past_the_browser_is_refused_by_the_server(page, sign_in, customer):
    case = CaseFactory(customer=customer)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    page.get_by_text("Disagree", exact=True).click()
    # Spaces satisfy the browser's "required" check; the server still wants words.
    page.get_by_label("What is wrong, and which solution would you like instead?").fill("   ")
    page.get_by_role("button", name="Send my disagreement").click()
    expect(page.get_by_text("Please tell us what is wrong with the solution")).to_be_visible()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "pending_confirm")
    assert not CaseEvent.objects.filter(case=case).exists()
    assert page.problems == []


def test_the_case_page_fits_a_small_phone(page, sign_in, customer):
    case = CaseFactory(customer=customer, payment_due=True)
    sign_in(customer)
    page.set_viewport_size({"width": 360, "height": 740})
    for url in ("/rma/", f"/rma/{case.number}/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    expect(page.get_by_role("button", name="Agree")).to_be_visible()
    assert page.problems == []


def test_the_customer_writes_to_the_team(page, sign_in, customer):
    case = CaseFactory(customer=customer, status=Case.Status.PROCESSING)
    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    page.get_by_label("Your message to the warranty team").fill("When will it ship?")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".thread")).to_contain_text("When will it ship?")
    assert page.problems == []

"""
The whole round of a disagreement in two browsers: the customer disagrees on the portal,
an agent sees it in the admin, changes the solution and revises it, and the customer finds
the case back in pending confirmation with the new solution.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rma.cases.models import Case, CaseEvent
from rma.cases.warranty import Channel
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory, StaffFactory
from tests.staff import session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent_page(browser, live_server, settings):
    """A second browser, signed in to the admin with password and authenticator app."""
    settings.STAFF_TOTP_REQUIRED = True
    # Transactional tests flush the groups the migrations made: a superuser stands in.
    agent = StaffFactory(is_superuser=True, full_name="Agnes Agent")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([session_cookie(live_server, staff_client_for(agent))])
    yield context.new_page()
    context.close()


def test_a_disagreement_is_revised_by_an_agent_and_comes_back_to_the_customer(page, sign_in, agent_page):
    customer = CustomerFactory()
    # Bought from the official store ten days ago: a refund within the refund rule.
    bought = {
        "purchase_channel": Channel.OFFICIAL_STORE,
        "purchase_date": timezone.localdate() - timedelta(days=10),
    }
    case = CaseFactory(
        customer=customer,
        refund=True,
        return_required=False,
        warehouse=None,
        **{f"item__{name}": value for name, value in bought.items()},
    )
    CaseItemFactory(case=case, **bought)
    sign_in(customer)

    # The customer disagrees, with what they want instead.
    page.goto(f"/rma/{case.number}/")
    expect(page.locator("article.case-page")).to_contain_text("We refund you 59.99 USD.")
    page.get_by_text("Disagree", exact=True).click()
    page.get_by_label("What is wrong").fill("The refund leaves out the shipping I paid: 20 USD more, please.")
    page.get_by_role("button", name="Send my disagreement").click()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "disagreed")

    # The agent sees the disagreement, raises the refund and revises the solution.
    agent_page.goto(f"/admin/rma/case/{case.pk}/change/")
    expect(agent_page.locator("body")).to_contain_text("The refund leaves out the shipping I paid")
    agent_page.locator("#id_refund_amount").fill("79.99")
    agent_page.get_by_role("button", name="Save and continue editing").click()
    expect(agent_page.locator(".messagelist")).to_contain_text("was changed successfully")
    agent_page.locator('a.rma-transition[data-action="revise"]').click()
    agent_page.get_by_label("Comment").fill("Shipping included, as you asked.")
    agent_page.get_by_role("button", name="Revise the solution").click()
    expect(agent_page.locator(".messagelist")).to_contain_text("now “Pending confirmation”")

    # Back on the customer's side: pending confirmation again, with the new amount.
    page.goto("/rma/")
    expect(page.locator(f'[data-rma="{case.number}"]')).to_have_attribute("data-status", "pending_confirm")
    page.goto(f"/rma/{case.number}/")
    expect(page.locator("article.case-page")).to_contain_text("We refund you 79.99 USD.")
    expect(page.locator(".timeline")).to_contain_text("Shipping included, as you asked.")
    expect(page.get_by_role("button", name="Agree")).to_be_visible()
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True).order_by("pk")) == [
        "disagree",
        "edit",
        "revise",
    ]
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING_CONFIRM
    assert page.problems == []

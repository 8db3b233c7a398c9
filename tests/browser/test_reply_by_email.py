"""
A customer answers the portal's email from their mail client: the reply, fetched from the
team's mailbox (Dovecot on loopback), shows on their case page and on the agent's, marked
"by email" with its screenshot, and the case moves to the team's queue.
"""

import pytest
from playwright.sync_api import expect

from rma.cases.replies import reply_address
from rma.inbound.imap import fetch_replies
from tests.factories import CaseFactory, CustomerFactory, StaffFactory
from tests.rma.inbound import mails
from tests.staff import session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent():
    # Transactional tests flush the groups the migrations made: a superuser stands in.
    return StaffFactory(is_superuser=True, full_name="Agnes Agent")


@pytest.fixture
def agent_page(browser, live_server, settings, agent):
    """A second browser, signed in to the admin with password and authenticator app."""
    settings.STAFF_TOTP_REQUIRED = True
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([session_cookie(live_server, staff_client_for(agent))])
    yield context.new_page()
    context.close()


def shown_width(picture) -> int:
    """The width of the picture as the browser decoded it (0 if it did not load)."""
    picture.scroll_into_view_if_needed()
    return picture.evaluate(
        "image => image.complete ? image.naturalWidth : new Promise(done => {"
        " image.onload = () => done(image.naturalWidth); image.onerror = () => done(0); })"
    )


def test_an_emailed_reply_shows_on_both_case_pages_and_moves_the_case_to_the_team(
    page, sign_in, agent_page, agent, mailbox
):
    customer = CustomerFactory(email="ana@customer.example")
    case = CaseFactory(customer=customer, assigned_agent=agent)  # waits on the customer's decision
    agent_page.goto("/admin/rma/case/?queue=waiting_on_us")
    expect(agent_page.locator("#result_list")).to_have_count(0)

    mailbox.deliver(
        mails.reply(
            sender=customer.email,
            to=reply_address(case.pk),
            body=(
                "The camera shows this error after the update.\n\n"
                f"{mails.INTRODUCTIONS['en']}\n{mails.QUOTED}"
            ),
            attachments=(("error.png", "image/png", mails.screenshot()),),
        )
    )
    fetch_replies()

    sign_in(customer)
    page.goto(f"/rma/{case.number}/")
    message = page.locator(".thread__message").last
    expect(message).to_contain_text("The camera shows this error after the update.")
    expect(message).not_to_contain_text("wrote:")
    expect(message).to_contain_text("by email")
    picture = message.locator("img")
    expect(picture).to_have_attribute("alt", "error.png")
    assert shown_width(picture) == 64

    agent_page.goto(f"/admin/rma/case/{case.pk}/change/")
    conversation = agent_page.locator(".case-messages__message").last
    expect(conversation).to_contain_text("The camera shows this error after the update.")
    expect(conversation).to_contain_text("by email")
    assert shown_width(conversation.locator("img")) == 64
    expect(agent_page.locator("body")).to_contain_text("The team answers the customer's message of")

    agent_page.goto("/admin/rma/case/?queue=waiting_on_us")
    expect(agent_page.locator("#result_list")).to_contain_text(case.number)

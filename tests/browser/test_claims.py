"""
A warranty claim in Chromium, in each language, on a 360 px wide screen: the customer files it
with a photo, sees the policy's verdict before sending, gets the acknowledgement email, finds the
case listed as requested; an agent writes the solution in it and publishes it in the admin, and
the customer agrees to it.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from playwright.sync_api import expect

from rma.cases.emails import EMAILS
from rma.cases.models import Case, Product
from tests.factories import CustomerFactory, StaffFactory
from tests.files import image_bytes
from tests.staff import session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def agent_page(browser, live_server, settings):
    settings.STAFF_TOTP_REQUIRED = True
    agent = StaffFactory(is_superuser=True, full_name="Agnes Agent")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([session_cookie(live_server, staff_client_for(agent))])
    yield context.new_page()
    context.close()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _acknowledgement(customer, number: str):
    for _try in range(50):
        found = [
            message for message in mail.outbox if message.to == [customer.email] and number in message.subject
        ]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no acknowledgement of {number} in {[m.subject for m in mail.outbox]}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_claim_with_a_photo_from_a_phone_becomes_a_solution_the_customer_agrees_to(
    page, sign_in, agent_page, language, tmp_path
):
    camera = Product.objects.create(model_name="Argus 3 Pro", category="Camera")
    customer = CustomerFactory(language=language)
    sign_in(customer)
    page.set_viewport_size(PHONE)
    photo = tmp_path / "fault.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(800, 600)))
    bought = timezone.localdate() - datetime.timedelta(days=12)

    # From the case list to the claim form.
    page.goto("/rma/")
    page.locator("#start-claim").click()
    expect(page).to_have_url(f"{page.url.split('/rma/')[0]}/rma/new/")
    page.locator("#id_product").select_option(str(camera.pk))
    page.locator("#id_serial").fill("ARG3P-7781")
    page.locator("#id_purchase_date").fill(bought.isoformat())
    page.locator('input[name="purchase_channel"][value="official_store"]').check()
    page.locator("#id_reason").select_option("no_video")
    page.locator("#id_problem").fill("The picture stays black since Monday.")
    page.locator("#id_photos").set_input_files(str(photo))

    # The verdict before anything is sent; the photo is kept for the sending.
    page.locator('button[name="step"][value="check"]').click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "in")
    expect(page.locator("[data-kept-photo]")).to_have_count(1)
    assert Case.objects.count() == 0
    _no_sideways_scroll(page)

    page.locator('button[name="step"][value="send"]').click()
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "requested")
    case = Case.objects.get()
    assert case.claim.photos.count() == 1
    _no_sideways_scroll(page)

    # The acknowledgement, in the customer's language, with the case number.
    acknowledgement = _acknowledgement(customer, case.number)
    with translation.override(language):
        assert acknowledgement.subject.endswith(
            str(EMAILS["claim_received"].subject) % {"number": case.number}
        )

    page.goto("/rma/")
    expect(page.locator(f'[data-rma="{case.number}"]')).to_have_attribute("data-status", "requested")
    _no_sideways_scroll(page)

    # The agent writes a refund in the claim and publishes it.
    agent_page.goto(f"/admin/rma/case/{case.pk}/change/")
    expect(agent_page.locator("[data-claim]")).to_contain_text("The picture stays black since Monday.")
    agent_page.locator("#id_solution_type").select_option("refund")
    agent_page.locator("#id_refund_amount").fill("49.99")
    agent_page.locator("#id_refund_currency").fill("USD") if agent_page.locator(
        "input#id_refund_currency"
    ).count() else agent_page.locator("#id_refund_currency").select_option("USD")
    agent_page.locator("#id_country").fill("US") if agent_page.locator("input#id_country").count() else (
        agent_page.locator("#id_country").select_option("US")
    )
    agent_page.get_by_role("button", name="Save and continue editing").click()
    expect(agent_page.locator(".messagelist")).to_contain_text("was changed successfully")
    agent_page.locator('a.rma-transition[data-action="answer_claim"]').click()
    agent_page.get_by_role("button", name="Publish the solution to the claim").click()
    expect(agent_page.locator(".messagelist")).to_contain_text("now “Pending confirmation”")

    # The customer reads the solution and agrees to it.
    page.goto(f"/rma/{case.number}/")
    expect(page.locator("article.case-page")).to_have_attribute("data-status", "pending_confirm")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".decision__agree button[type=submit]").click()
    expect(page.locator("article.case-page")).not_to_have_attribute("data-status", "pending_confirm")
    case.refresh_from_db()
    assert case.status == Case.Status.PROCESSING
    assert not page.problems, page.problems

"""The whole required-information journey in Chromium: the customer sends the return, the
payment proof and the address; an agent sends the label photo back; the customer sends it
again; the agent accepts."""

import pytest
from django.test import Client

from rma.cases.models import Case
from rma.required.models import PartState, ReturnShipment
from tests import files
from tests.factories import CaseFactory, StaffFactory
from tests.staff import session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def customer_context(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url)
    client = Client()
    client.force_login(user)
    context.add_cookies([session_cookie(live_server, client)])
    return context


def agent_context(browser, live_server):
    # Transactional tests flush the groups the migrations made: a superuser stands in.
    agent = StaffFactory(is_superuser=True)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([session_cookie(live_server, staff_client_for(agent))])
    return context


def write(tmp_path, upload):
    path = tmp_path / upload.name
    path.write_bytes(upload.read())
    return str(path)


def watch(page):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_return_payment_and_address_then_a_label_sent_back_and_accepted(
    browser, live_server, tmp_path, settings
):
    settings.STAFF_TOTP_REQUIRED = True
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)
    customer = customer_context(browser, live_server, case.customer)
    page = customer.new_page()
    problems = watch(page)

    page.goto(case.get_absolute_url())
    checklist = page.locator(".checklist")
    assert checklist.locator('[data-part-state="to_do"]').count() == 3

    # The return: warehouse address shown, previews before sending.
    checklist.locator('[data-part="return"] a').click()
    assert page.locator(".return-address").inner_text().startswith(case.warehouse.recipient)
    page.get_by_label("Carrier", exact=True).select_option("UPS")
    page.get_by_label("Tracking number").fill("1z 999 aa1 0123 4567 84")
    page.get_by_label("Photo of the shipping label").set_input_files(write(tmp_path, files.jpeg("label.jpg")))
    page.get_by_label("Photo of the postage receipt").set_input_files(
        write(tmp_path, files.png("receipt.png"))
    )
    page.locator(".upload-preview img").nth(1).wait_for()
    page.get_by_role("button", name="Send the return information").click()
    page.get_by_text("we received your return information").wait_for()

    # The payment proof.
    page.locator('[data-part="payment"] a').click()
    page.get_by_label("Payment transaction number").fill("5TY05013RG002845M")
    page.get_by_label("Payment receipts").set_input_files(write(tmp_path, files.jpeg("paid.jpg")))
    page.get_by_role("button", name="Send the payment proof").click()
    page.get_by_text("we received your payment proof").wait_for()

    # The address.
    page.locator('[data-part="address"] a').click()
    for label, value in (
        ("Full name", "Ann Example"),
        ("Address line 1", "1 Main Street"),
        ("City", "Springfield"),
        ("Postal code", "62701"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Confirm this address").click()
    page.get_by_text("we will ship to this address").wait_for()
    assert page.locator(f'[data-rma="{case.number}"]').get_attribute("data-status") == "under_review"

    # The agent sends the label photo back.
    agent = agent_context(browser, live_server)
    admin = agent.new_page()
    admin.goto(f"/admin/rma/case/{case.pk}/change/")
    admin.get_by_text("Review what the customer sent").click()
    assert admin.locator(".rma-review img").count() == 3
    admin.get_by_label("Send the chosen parts back to the customer").check()
    admin.get_by_label("— Shipping label photo").check()
    admin.get_by_label("Reason (shown to the customer)").fill("The label is not readable.")
    admin.get_by_role("button", name="Record the decision").click()
    admin.get_by_text("Sent back").first.wait_for()

    # The customer sends only the label photo again.
    page.goto(case.get_absolute_url())
    assert "The label is not readable." in page.locator(".checklist__reason").inner_text()
    page.locator('[data-part="return"] a').click()
    assert page.get_by_label("Tracking number").count() == 0
    page.get_by_label("Photo of the shipping label").set_input_files(
        write(tmp_path, files.jpeg("label-2.jpg"))
    )
    page.get_by_role("button", name="Send the return information").click()
    page.get_by_text("we received your return information").wait_for()
    assert page.locator(f'[data-rma="{case.number}"]').get_attribute("data-status") == "under_review"

    # The agent accepts.
    admin.goto(f"/admin/rma/case/{case.pk}/review/")
    admin.get_by_label("Accept everything").check()
    admin.get_by_role("button", name="Record the decision").click()
    admin.get_by_text("Accepted").first.wait_for()

    page.goto(case.get_absolute_url())
    assert page.locator(f'[data-rma="{case.number}"]').get_attribute("data-status") == "processing"
    assert ReturnShipment.objects.get(case=case).state == PartState.ACCEPTED
    assert ReturnShipment.objects.get(case=case).label_photo_name == "label-2.jpg"
    assert problems == []
    customer.close()
    agent.close()


def test_return_and_address_forms_work_with_javascript_off(browser, live_server, tmp_path):
    case = CaseFactory(status=Case.Status.AWAITING_INFO)  # a replacement with a return
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    client = Client()
    client.force_login(case.customer)
    context.add_cookies([session_cookie(live_server, client)])
    try:
        page = context.new_page()
        page.goto(f"/rma/{case.number}/return/")
        page.get_by_label("Carrier", exact=True).select_option("DHL")
        page.get_by_label("Tracking number").fill("jd01 4600 0061 2345")
        label, receipt = write(tmp_path, files.jpeg("label.jpg")), write(tmp_path, files.png("receipt.png"))
        page.get_by_label("Photo of the shipping label").set_input_files(label)
        page.get_by_label("Photo of the postage receipt").set_input_files(receipt)
        page.get_by_role("button", name="Send the return information").click()
        page.wait_for_url(f"**/rma/{case.number}/")

        page.goto(f"/rma/{case.number}/address/")
        page.get_by_label("Full name").fill("Dana Demo")
        page.get_by_label("Address line 1").fill("42 Elm Street")
        page.get_by_label("City").fill("Springfield")
        page.get_by_label("Postal code").fill("62704")
        page.get_by_role("button", name="Confirm this address").click()
        page.wait_for_url(f"**/rma/{case.number}/")
    finally:
        context.close()

    case.refresh_from_db()
    shipment = ReturnShipment.objects.get(case=case)
    assert shipment.tracking_number == "JD01460000612345"  # spaces dropped, letters upper-cased
    assert shipment.label_photo and shipment.postage_receipt
    assert case.status == Case.Status.UNDER_REVIEW

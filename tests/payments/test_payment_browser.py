"""The payment page in Chromium: previews, scaling down, progress, and the plain form without JS."""

import io
import os

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from payments.models import PartState, SupplementaryPayment
from rma.cases.models import Case
from tests import files
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context, live_server, user):
    """Give the browser context a signed-in session for ``user``."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def write(tmp_path, upload):
    path = tmp_path / upload.name
    path.write_bytes(upload.read())
    return str(path)


@pytest.fixture
def payment_case():
    return CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)


def test_chosen_receipts_are_previewed_then_sent_with_a_progress_bar(
    page, live_server, payment_case, tmp_path
):
    sign_in(page.context, live_server, payment_case.customer)
    page.goto(f"/rma/{payment_case.number}/payment/")
    assert page.get_by_text("12.50 USD").first.is_visible()

    page.get_by_label("Payment transaction number").fill("5ty05013rg002845m")
    page.get_by_label("Payment receipts").set_input_files(
        [
            write(tmp_path, files.jpeg("receipt-1.jpg", size=(800, 600))),
            write(tmp_path, files.png("receipt-2.png")),
        ]
    )
    previews = page.locator(".upload-preview img")
    previews.nth(1).wait_for()
    assert previews.count() == 2
    assert page.locator(".upload-preview__name").first.inner_text().startswith("receipt-1.jpg")

    page.evaluate(
        "document.querySelector('form[data-upload-form]').addEventListener('submit', () => {"
        " const box = document.querySelector('.upload-progress');"
        " window.__progressShown = box && !box.hidden; })"
    )
    page.get_by_role("button", name="Send the payment proof").click()
    page.wait_for_url(f"**/rma/{payment_case.number}/")
    page.get_by_text("we received your payment proof").wait_for()

    assert page.evaluate("window.__progressShown") is True
    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert payment.state == PartState.SUBMITTED
    assert payment.transaction_number == "5TY05013RG002845M"
    assert payment.receipts.count() == 2
    assert page.problems == []


def test_a_receipt_over_the_limit_is_scaled_down_in_the_browser(page, live_server, payment_case, tmp_path):
    image = Image.frombytes("RGB", (2600, 2000), os.urandom(2600 * 2000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    big = tmp_path / "huge-screenshot.png"
    big.write_bytes(buffer.getvalue())
    assert big.stat().st_size > settings.UPLOAD_MAX_BYTES
    sign_in(page.context, live_server, payment_case.customer)
    page.goto(f"/rma/{payment_case.number}/payment/")

    page.get_by_label("Payment transaction number").fill("5TY05013RG002845M")
    page.get_by_label("Payment receipts").set_input_files([str(big)])
    page.locator(".upload-preview__note").wait_for()

    assert "Scaled down" in page.locator(".upload-preview__note").inner_text()
    page.get_by_role("button", name="Send the payment proof").click()
    page.get_by_text("we received your payment proof").wait_for()
    receipt = SupplementaryPayment.objects.get(case=payment_case).receipts.get()
    assert receipt.original_name == "huge-screenshot.jpg"
    assert receipt.content_type == "image/jpeg"
    assert page.problems == []


def test_refused_files_come_back_named_on_the_page(page, live_server, payment_case, tmp_path):
    sign_in(page.context, live_server, payment_case.customer)
    page.goto(f"/rma/{payment_case.number}/payment/")

    page.get_by_label("Payment transaction number").fill("5TY05013RG002845M")
    page.get_by_label("Payment receipts").set_input_files(
        [write(tmp_path, files.html_png_polyglot("receipt-3.jpg"))]
    )
    page.get_by_role("button", name="Send the payment proof").click()

    page.get_by_text("receipt-3.jpg contains web page code").wait_for()
    assert not SupplementaryPayment.objects.exists()


def test_the_form_works_with_javascript_off(browser, live_server, payment_case, tmp_path):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        sign_in(context, live_server, payment_case.customer)
        page = context.new_page()
        page.goto(f"/rma/{payment_case.number}/payment/")
        page.get_by_label("Payment transaction number").fill("5TY05013RG002845M")
        page.get_by_label("Payment receipts").set_input_files([write(tmp_path, files.webp("receipt.webp"))])
        page.get_by_role("button", name="Send the payment proof").click()
        page.wait_for_url(f"**/rma/{payment_case.number}/")

        assert "we received your payment proof" in page.content()
    finally:
        context.close()
    payment_case.refresh_from_db()
    assert payment_case.status == Case.Status.UNDER_REVIEW


def test_a_payment_proof_sent_back_is_sent_again_in_the_browser(page, live_server, payment_case, tmp_path):
    from rma.required import services as required_services
    from tests.factories import StaffFactory

    customer = Client()
    customer.force_login(payment_case.customer)
    customer.post(
        f"/rma/{payment_case.number}/payment/",
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("blurry.jpg")]},
    )
    required_services.submission_send_back(
        case=payment_case,
        # Transactional tests flush the groups the migrations made: a superuser stands in.
        actor=StaffFactory(is_superuser=True),
        parts=["payment"],
        reason="The receipt is too blurry to read.",
    )
    sign_in(page.context, live_server, payment_case.customer)

    page.goto(f"/rma/{payment_case.number}/payment/")
    assert page.get_by_text("The receipt is too blurry to read.").is_visible()
    page.get_by_label("Payment transaction number").fill("5TY05013RG002845M")
    page.get_by_label("Payment receipts").set_input_files([write(tmp_path, files.png("sharp.png"))])
    page.locator(".upload-preview img").first.wait_for()
    page.get_by_role("button", name="Send the payment proof").click()
    page.get_by_text("we received your payment proof").wait_for()

    payment_case.refresh_from_db()
    assert payment_case.status == Case.Status.UNDER_REVIEW
    payment = SupplementaryPayment.objects.get(case=payment_case)
    assert [r.original_name for r in payment.receipts.filter(is_current=True)] == ["sharp.png"]
    assert page.problems == []

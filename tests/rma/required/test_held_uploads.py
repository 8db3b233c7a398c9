"""A refused form keeps the pictures that passed their checks: they come back as already chosen
and go with the next submission, so the customer never picks them twice."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payments.models import PaymentReceipt
from rma import tasks
from rma.cases.models import Case
from rma.required.models import HeldUpload, ReturnShipment
from tests import files
from tests.factories import CaseFactory, CustomerFactory
from tests.rma.required.test_required_information_browser import customer_context, watch, write
from tests.staff import session_cookie

S = Case.Status


def return_url(case):
    return reverse("rma:case_return", kwargs={"number": case.number})


@pytest.fixture
def return_case(db):
    return CaseFactory(status=S.AWAITING_INFO, refund=True)


def refused_with_a_good_label(client, case):
    client.force_login(case.customer)
    return client.post(
        return_url(case),
        {
            "carrier": "UPS",
            "tracking_number": "1Z999AA10123456784",
            "label_photo": files.jpeg("label.jpg"),
            "postage_receipt": files.text_file("receipt.jpg"),
        },
    )


@pytest.mark.django_db
def test_the_good_file_of_a_refused_form_is_kept_and_shown_as_chosen(client, return_case):
    response = refused_with_a_good_label(client, return_case)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-held-file="label.jpg"' in page
    assert "receipt.jpg" in page  # the refused one is named with its error
    held = HeldUpload.objects.get(case=return_case)
    assert (held.customer, held.part, held.field) == (return_case.customer, "return", "label_photo")
    assert not ReturnShipment.objects.filter(case=return_case).exists()


@pytest.mark.django_db
def test_the_next_submission_sends_only_the_corrected_file_and_uses_the_kept_one(client, return_case):
    refused_with_a_good_label(client, return_case)

    response = client.post(
        return_url(return_case),
        {
            "carrier": "UPS",
            "tracking_number": "1Z999AA10123456784",
            "postage_receipt": files.png("receipt.png"),
        },
    )

    assert response.status_code == 302
    shipment = ReturnShipment.objects.get(case=return_case)
    assert (shipment.label_photo_name, shipment.postage_receipt_name) == ("label.jpg", "receipt.png")
    assert not HeldUpload.objects.exists()
    return_case.refresh_from_db()
    assert return_case.status == S.UNDER_REVIEW


@pytest.mark.django_db
def test_a_kept_file_can_be_removed_and_what_was_typed_stays(client, return_case):
    refused_with_a_good_label(client, return_case)
    held = HeldUpload.objects.get()

    response = client.post(
        return_url(return_case),
        {"carrier": "DHL", "tracking_number": "JD0146000", "remove_held": str(held.pk)},
    )

    assert response.status_code == 200
    assert not HeldUpload.objects.exists()
    page = response.content.decode()
    assert "data-held-file" not in page
    assert 'value="DHL"' in page


@pytest.mark.django_db
def test_kept_files_are_private_to_their_customer(client, return_case):
    refused_with_a_good_label(client, return_case)
    held = HeldUpload.objects.get()
    url = reverse("rma:case_held_file", args=[return_case.number, held.pk, "thumbnail"])
    assert client.get(url).status_code == 200

    client.force_login(CustomerFactory())
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_refused_payment_form_keeps_its_receipts(client, settings):
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=S.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(case.customer)
    url = reverse("payments:payment", kwargs={"number": case.number})
    client.post(
        url, {"transaction_number": "too short", "receipts": [files.jpeg("a.jpg"), files.png("b.png")]}
    )
    assert HeldUpload.objects.filter(field="receipts").count() == 2

    client.post(url, {"transaction_number": "5TY05013RG002845M"})

    receipts = PaymentReceipt.objects.filter(payment__case=case, is_current=True).order_by("position")
    assert [receipt.original_name for receipt in receipts] == ["a.jpg", "b.png"]


@pytest.mark.django_db
def test_kept_files_nobody_claims_are_deleted_after_a_day(client, return_case):
    refused_with_a_good_label(client, return_case)
    HeldUpload.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    assert tasks.delete_stale_held_uploads() == 1
    assert not HeldUpload.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_in_chromium_a_refused_form_keeps_the_good_file(browser, live_server, tmp_path, javascript):
    case = CaseFactory(status=S.AWAITING_INFO, refund=True)
    context = customer_context(browser, live_server, case.customer)
    if not javascript:
        context.close()
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        signed_in = Client()
        signed_in.force_login(case.customer)
        context.add_cookies([session_cookie(live_server, signed_in)])
    page = context.new_page()
    problems = watch(page)

    page.goto(return_url(case))
    page.select_option("#id_carrier", "UPS")
    page.fill("#id_tracking_number", "1Z999AA10123456784")
    page.set_input_files("#id_label_photo", write(tmp_path, files.jpeg("label.jpg")))
    page.set_input_files("#id_postage_receipt", write(tmp_path, files.text_file("receipt.jpg")))
    page.locator("form.upload-form button.button:not([name])").click()

    page.wait_for_selector('[data-held-file="label.jpg"]')
    assert page.locator("#id_postage_receipt").get_attribute("aria-invalid") == "true"

    page.set_input_files("#id_postage_receipt", write(tmp_path, files.png("receipt.png")))
    page.locator("form.upload-form button.button:not([name])").click()
    page.wait_for_url(f"**{case.get_absolute_url()}")

    shipment = ReturnShipment.objects.get(case=case)
    assert (shipment.label_photo_name, shipment.postage_receipt_name) == ("label.jpg", "receipt.png")
    # The refused form itself answers 400, which Chromium logs; nothing else may go wrong.
    assert [problem for problem in problems if "status of 400" not in problem] == []
    context.close()

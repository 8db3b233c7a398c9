"""The agents' review page in admin: thumbnails of every part, accept, or send parts back."""

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import SupplementaryPayment
from rma.cases.models import Case
from rma.required.models import PartState, ReturnShipment, ShippingAddress
from tests import files
from tests.factories import CaseFactory
from tests.rma.required.test_return_and_address import ADDRESS, address_url, post_return
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(agent):
    client = staff_client_for(agent)
    return client


@pytest.fixture
def case_under_review(settings):
    """A replacement with a payment: return, payment proof and address all sent (no PayPal)."""
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)
    customer = Client()
    customer.force_login(case.customer)
    post_return(customer, case)
    customer.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("paid.jpg")]},
    )
    customer.post(address_url(case), ADDRESS)
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW
    return case


def review_url(case):
    return reverse("admin:rma_case_review", args=[case.pk])


def test_the_review_page_shows_every_part_with_thumbnails(
    agent_client, case_under_review, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        response = agent_client.get(review_url(case_under_review))

    page = response.content.decode()
    assert response.status_code == 200
    for key in ("return", "payment", "address"):
        assert f'data-part="{key}"' in page
    assert "1Z999AA10123456784" in page
    assert "5TY05013RG002845M" in page
    assert "Ann Example" in page
    assert page.count("<img ") == 3  # label, postage receipt, payment receipt


def test_the_case_page_in_admin_links_to_the_review(agent_client, case_under_review):
    page = agent_client.get(reverse("admin:rma_case_change", args=[case_under_review.pk])).content.decode()

    assert review_url(case_under_review) in page


def test_accepting_in_admin_moves_the_case_to_processing(agent_client, case_under_review):
    response = agent_client.post(review_url(case_under_review), {"decision": "accept"})

    assert response.status_code == 302
    case_under_review.refresh_from_db()
    assert case_under_review.status == Case.Status.PROCESSING
    assert ReturnShipment.objects.get(case=case_under_review).state == PartState.ACCEPTED
    assert SupplementaryPayment.objects.get(case=case_under_review).state == "accepted"


def test_sending_back_the_label_photo_in_admin_asks_the_customer_for_it_only(
    agent_client, case_under_review, client
):
    response = agent_client.post(
        review_url(case_under_review),
        {"decision": "send_back", "parts": ["label_photo"], "reason": "The label is not readable."},
    )

    assert response.status_code == 302
    case_under_review.refresh_from_db()
    assert case_under_review.status == Case.Status.AWAITING_INFO
    shipment = ReturnShipment.objects.get(case=case_under_review)
    assert (shipment.state, shipment.sent_back_items) == ("sent_back", ["label_photo"])
    assert SupplementaryPayment.objects.get(case=case_under_review).state == "submitted"


def test_sending_back_without_a_reason_changes_nothing(agent_client, case_under_review):
    response = agent_client.post(
        review_url(case_under_review), {"decision": "send_back", "parts": ["payment"]}
    )

    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    case_under_review.refresh_from_db()
    assert case_under_review.status == Case.Status.UNDER_REVIEW


def test_an_agent_records_the_address_on_file_and_the_customer_sees_it_prefilled(agent_client, client):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, return_required=False, warehouse=None)

    response = agent_client.post(
        reverse("admin:rma_shippingaddress_add"),
        {"case": case.pk, "full_name": "Ann Example", "line1": "1 Main Street", "city": "Springfield",
         "postal_code": "62701", "line2": "", "region": "", "phone": ""},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:3000]
    address = ShippingAddress.objects.get(case=case)
    assert (address.state, address.country) == (PartState.TO_DO, "US")
    client.force_login(case.customer)
    page = client.get(address_url(case)).content.decode()
    assert 'value="Ann Example"' in page
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_INFO  # the customer still has to confirm it


def test_return_shipments_are_listed_read_only_with_repeated_tracking_numbers_flagged(
    agent_client, case_under_review, django_assert_max_num_queries
):
    other = CaseFactory(status=Case.Status.AWAITING_INFO, refund=True)
    customer = Client()
    customer.force_login(other.customer)
    post_return(customer, other)

    with django_assert_max_num_queries(13):
        page = agent_client.get(reverse("admin:rma_returnshipment_changelist")).content.decode()

    assert page.count('alt="True"') == 2
    shipment = ReturnShipment.objects.get(case=case_under_review)
    detail = agent_client.get(reverse("admin:rma_returnshipment_change", args=[shipment.pk])).content.decode()
    assert other.number in detail
    assert "/return/files/label_photo/thumbnail/" in detail
    assert agent_client.get(reverse("admin:rma_returnshipment_add")).status_code == 403

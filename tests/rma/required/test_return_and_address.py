"""The return shipment and shipping address pages, their files, and the review of them."""

import pytest
from django.urls import reverse

from payments.models import SupplementaryPayment
from rma.cases.models import Action, Case, CaseEvent
from rma.required import parts as submissions
from rma.required import services as required_services
from rma.required.models import PartState, ReturnShipment, ShippingAddress
from tests import files
from tests.factories import AgentFactory, CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def return_url(case):
    return reverse("rma:case_return", kwargs={"number": case.number})


def address_url(case):
    return reverse("rma:case_address", kwargs={"number": case.number})


def stored_files(tmp_path):
    """Files stored for cases; pictures kept from a refused form (``held/``) are tested apart."""
    root = tmp_path / "media"
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and "held" not in p.relative_to(root).parts)


def post_return(client, case, **overrides):
    data = {
        "carrier": "UPS",
        "tracking_number": "1z 999-aa1 0123 4567 84",
        "label_photo": files.jpeg("label.jpg"),
        "postage_receipt": files.png("receipt.png"),
    }
    data.update(overrides)
    return client.post(return_url(case), {k: v for k, v in data.items() if v is not None})


ADDRESS = {
    "full_name": "Ann Example",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "phone": "+1 555 0100",
}


@pytest.fixture
def refund_return_case():
    """A refund that needs only the items back."""
    return CaseFactory(status=Case.Status.AWAITING_INFO, refund=True)


@pytest.fixture
def replacement_case():
    """A replacement: the items back and the address to ship to."""
    return CaseFactory(status=Case.Status.AWAITING_INFO)


def test_the_return_page_shows_the_warehouse_address_and_the_form(client, refund_return_case):
    client.force_login(refund_return_case.customer)

    page = client.get(return_url(refund_return_case)).content.decode()

    for line in refund_return_case.warehouse.address_lines:
        assert line in page
    for name in ("carrier", "tracking_number", "label_photo", "postage_receipt"):
        assert f'name="{name}"' in page


def test_a_return_is_stored_normalised_and_moves_a_return_only_case_to_review(
    client, refund_return_case, tmp_path
):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case)

    assert response.status_code == 302
    shipment = ReturnShipment.objects.get(case=refund_return_case)
    assert shipment.tracking_number == "1Z999AA10123456784"
    assert shipment.carrier == "UPS"
    assert shipment.state == PartState.SUBMITTED
    assert len(stored_files(tmp_path)) == 4
    refund_return_case.refresh_from_db()
    assert refund_return_case.status == Case.Status.UNDER_REVIEW


def test_the_carrier_list_is_the_one_of_the_warehouses_country_plus_other(client, refund_return_case):
    refund_return_case.warehouse.country = "NL"
    refund_return_case.warehouse.save()
    client.force_login(refund_return_case.customer)

    page = client.get(return_url(refund_return_case)).content.decode()

    select = page.split('<select name="carrier"')[1].split("</select>")[0]
    assert '<option value="PostNL">PostNL</option>' in select
    assert '<option value="other">Other</option>' in select
    assert "USPS" not in select
    assert 'name="carrier_other"' in page


def test_other_stores_the_typed_carrier_name(client, refund_return_case):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, carrier="other", carrier_other="  Speedy   Parcel ")

    assert response.status_code == 302
    assert ReturnShipment.objects.get(case=refund_return_case).carrier == "Speedy Parcel"


def test_other_without_a_name_is_refused_and_keeps_the_choice(client, refund_return_case, tmp_path):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, carrier="other", carrier_other="")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Type the name of the carrier you sent the parcel with." in page
    assert '<option value="other" selected>' in page
    assert not ReturnShipment.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_carrier_name_sent_in_the_carrier_field_itself_is_kept_and_shown_as_other(
    client, refund_return_case
):
    """Forms of the page's earlier release sent a typed name in ``carrier``; it still counts."""
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, carrier="Local Courier Co")

    assert response.status_code == 302
    assert ReturnShipment.objects.get(case=refund_return_case).carrier == "Local Courier Co"


def test_no_carrier_chosen_is_refused(client, refund_return_case):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, carrier="")

    assert response.status_code == 400
    assert "Choose the carrier you sent the parcel with." in response.content.decode()
    assert not ReturnShipment.objects.exists()


@pytest.mark.parametrize("tracking", ["1234567", "ABC$1234567", "x" * 41])
def test_a_tracking_number_that_is_not_8_to_40_letters_and_digits_is_refused(
    client, refund_return_case, tmp_path, tracking
):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, tracking_number=tracking)

    assert response.status_code == 400
    assert "8 to 40 letters and digits" in response.content.decode()
    assert not ReturnShipment.objects.exists()
    assert stored_files(tmp_path) == []


def test_all_three_pieces_are_required(client, refund_return_case, tmp_path):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, postage_receipt=None)

    assert response.status_code == 400
    assert not ReturnShipment.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_bad_label_photo_is_named_and_nothing_is_kept(client, refund_return_case, tmp_path):
    client.force_login(refund_return_case.customer)

    response = post_return(client, refund_return_case, label_photo=files.text_file("label.jpg"))

    assert response.status_code == 400
    assert "label.jpg is not a JPG, PNG or WEBP image." in response.content.decode()
    assert not ReturnShipment.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_return_on_a_case_that_needs_none_is_refused(client, tmp_path):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(case.customer)

    assert client.get(return_url(case)).status_code == 404
    assert post_return(client, case).status_code == 302
    assert not ReturnShipment.objects.exists()
    assert stored_files(tmp_path) == []


def test_a_return_on_a_case_not_awaiting_information_is_refused(client, tmp_path):
    case = CaseFactory(status=Case.Status.PENDING_CONFIRM, refund=True)
    client.force_login(case.customer)

    post_return(client, case)

    assert not ReturnShipment.objects.exists()
    assert stored_files(tmp_path) == []


def test_another_customers_return_page_is_a_404(client, refund_return_case):
    client.force_login(CustomerFactory())

    assert client.get(return_url(refund_return_case)).status_code == 404
    assert post_return(client, refund_return_case).status_code == 404


def test_a_tracking_number_used_on_another_case_is_flagged(client, refund_return_case):
    other = CaseFactory(status=Case.Status.AWAITING_INFO, refund=True)
    client.force_login(other.customer)
    post_return(client, other)
    client.force_login(refund_return_case.customer)

    post_return(client, refund_return_case)

    event = CaseEvent.objects.get(case=refund_return_case, action=Action.RETURN_SUBMIT)
    assert event.data["duplicate_of"] == [other.number]


def test_the_address_page_prefills_the_last_address_and_shows_the_fixed_country(client, replacement_case):
    earlier = CaseFactory(customer=replacement_case.customer, status=Case.Status.COMPLETED)
    ShippingAddress.objects.create(case=earlier, country="US", state=PartState.ACCEPTED, **ADDRESS)
    client.force_login(replacement_case.customer)

    page = client.get(address_url(replacement_case)).content.decode()

    assert 'value="Ann Example"' in page
    assert 'value="1 Main Street"' in page
    assert "Country" in page and ">United States of America " in page  # the name, not the ISO code
    assert 'name="country"' not in page


def test_confirming_the_address_keeps_the_case_country(client, replacement_case):
    client.force_login(replacement_case.customer)

    response = client.post(address_url(replacement_case), {**ADDRESS, "country": "FR"})

    assert response.status_code == 302
    address = ShippingAddress.objects.get(case=replacement_case)
    assert address.country == "US"
    assert address.state == PartState.SUBMITTED
    replacement_case.refresh_from_db()
    assert replacement_case.status == Case.Status.AWAITING_INFO  # the return is still to do


def test_an_address_without_a_city_is_refused(client, replacement_case):
    client.force_login(replacement_case.customer)

    response = client.post(address_url(replacement_case), {**ADDRESS, "city": ""})

    assert response.status_code == 400
    assert not ShippingAddress.objects.exists()


def test_a_resend_that_needs_no_return_and_no_payment_still_needs_the_address(client):
    case = CaseFactory(
        status=Case.Status.AWAITING_INFO,
        solution_type=Case.SolutionType.RESEND,
        return_required=False,
        warehouse=None,
    )
    client.force_login(case.customer)
    assert [part.key for part in submissions.required_parts(case)] == ["address"]

    client.post(address_url(case), ADDRESS)

    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW


def test_return_payment_and_address_move_the_case_to_review_only_when_all_are_in(client, tmp_path):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)
    client.force_login(case.customer)

    post_return(client, case)
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_INFO
    client.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("r.jpg")]},
    )
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_INFO
    client.post(address_url(case), ADDRESS)

    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW
    assert [(part.key, part.state) for part in submissions.required_parts(case)] == [
        ("return", "submitted"),
        ("payment", "submitted"),
        ("address", "submitted"),
    ]


def test_only_the_label_photo_sent_back_is_asked_again(client, replacement_case):
    client.force_login(replacement_case.customer)
    post_return(client, replacement_case)
    client.post(address_url(replacement_case), ADDRESS)
    replacement_case.refresh_from_db()
    assert replacement_case.status == Case.Status.UNDER_REVIEW

    required_services.submission_send_back(
        case=replacement_case,
        actor=AgentFactory(),
        parts=["label_photo"],
        reason="The label is not readable.",
    )

    page = client.get(return_url(replacement_case)).content.decode()
    assert "The label is not readable." in page
    assert 'name="label_photo"' in page
    assert 'name="postage_receipt"' not in page and 'name="tracking_number"' not in page
    before = ReturnShipment.objects.get(case=replacement_case)

    response = client.post(return_url(replacement_case), {"label_photo": files.jpeg("label-sharp.jpg")})

    assert response.status_code == 302
    after = ReturnShipment.objects.get(case=replacement_case)
    assert after.label_photo_name == "label-sharp.jpg"
    assert after.label_photo.name != before.label_photo.name
    assert after.postage_receipt.name == before.postage_receipt.name
    assert after.tracking_number == before.tracking_number
    replacement_case.refresh_from_db()
    assert replacement_case.status == Case.Status.UNDER_REVIEW
    assert ShippingAddress.objects.get(case=replacement_case).state == PartState.SUBMITTED

    required_services.case_accept(case=replacement_case, actor=AgentFactory())
    replacement_case.refresh_from_db()
    assert replacement_case.status == Case.Status.PROCESSING
    assert ReturnShipment.objects.get(case=replacement_case).state == PartState.ACCEPTED
    assert not SupplementaryPayment.objects.exists()


def test_return_photos_are_served_to_the_owner_only(client, refund_return_case):
    client.force_login(refund_return_case.customer)
    post_return(client, refund_return_case)
    url = reverse(
        "rma:case_return_file",
        kwargs={"number": refund_return_case.number, "piece": "label_photo", "variant": "image"},
    )

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")

    client.force_login(CustomerFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_case_page_lists_each_required_part_with_its_state_and_link(
    client, django_assert_max_num_queries
):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)
    client.force_login(case.customer)
    post_return(client, case)

    with django_assert_max_num_queries(10):
        page = client.get(case.get_absolute_url()).content.decode()

    assert 'data-part="return" data-part-state="submitted"' in page
    assert 'data-part="payment" data-part-state="to_do"' in page
    assert 'data-part="address" data-part-state="to_do"' in page
    assert f'href="{reverse("payments:payment", kwargs={"number": case.number})}"' in page
    assert f'href="{address_url(case)}"' in page
    assert "See what you sent" in page


def test_a_part_sent_back_shows_its_reason_and_asks_for_it_again_on_the_case_page(client):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, refund=True)
    client.force_login(case.customer)
    post_return(client, case)
    required_services.submission_send_back(
        case=case, actor=AgentFactory(), parts=["return"], reason="Wrong parcel photo."
    )

    page = client.get(case.get_absolute_url()).content.decode()

    assert 'data-part="return" data-part-state="sent_back"' in page
    assert "Wrong parcel photo." in page
    assert "Send it again" in page


def test_the_timeline_tells_the_customer_what_was_received(client, refund_return_case):
    client.force_login(refund_return_case.customer)
    post_return(client, refund_return_case)

    page = client.get(refund_return_case.get_absolute_url()).content.decode()

    assert 'data-action="return_submit"' in page
    assert "Your return information was received." in page


def test_a_return_sent_back_for_its_postage_receipt_alone_asks_only_for_the_receipt(
    client, refund_return_case
):
    client.force_login(refund_return_case.customer)
    post_return(client, refund_return_case)
    required_services.submission_send_back(
        case=refund_return_case,
        actor=AgentFactory(),
        parts=["postage_receipt"],
        reason="The receipt is cut off.",
    )

    page = client.get(return_url(refund_return_case)).content.decode()
    assert "We need all of them" not in page
    assert "add a new photo of the postage receipt: that is all we need again" in page
    assert 'name="postage_receipt"' in page and 'name="label_photo"' not in page

    case_page = client.get(refund_return_case.get_absolute_url()).content.decode()
    assert "Send us again only what the warranty team asked for: Postage receipt photo." in case_page
    assert "give us the tracking number and photos of the label and the receipt" not in case_page

"""The claim form at /rma/new/: what it makes, what it refuses, and that nothing typed is lost."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from rma.cases.models import Case, CaseEvent, Registration
from rma.claims.models import Claim, ClaimPhoto
from tests.factories import CaseFactory, CaseItemFactory
from tests.files import jpeg, png, text_file
from tests.rma.claims.conftest import claim_data

pytestmark = pytest.mark.django_db

TYPED = "The picture stays black since Monday; I restarted it twice."


def _post(client, data, files=()):
    payload = dict(data)
    if files:
        payload["photos"] = list(files)
    return client.post("/rma/new/", payload)


def test_the_case_list_links_to_the_claim_form(signed_in):
    page = signed_in.get("/rma/").content.decode()
    assert 'href="/rma/new/"' in page
    assert "Start a warranty claim" in page


def test_the_form_lists_the_catalogue_by_category_with_not_listed(signed_in, catalogue):
    page = signed_in.get("/rma/new/").content.decode()
    assert '<optgroup label="Camera">' in page
    assert '<optgroup label="NVR">' in page
    assert "My model is not listed" in page
    assert "below the QR code" in page  # the S/N and UID help, inline


def test_find_narrows_the_list_without_javascript_and_keeps_what_was_typed(signed_in, catalogue):
    response = _post(signed_in, claim_data(None, product="", product_search="nvr", step="search"))
    page = response.content.decode()
    assert "RLN8-410" in page
    assert "Argus 3 Pro" not in page
    assert TYPED in page
    assert 'class="errorlist"' not in page  # a search is not a refusal


def test_check_shows_the_verdict_before_anything_is_sent(signed_in, catalogue):
    response = _post(signed_in, claim_data(catalogue["camera"], step="check"))
    page = response.content.decode()
    assert 'data-verdict="in"' in page
    assert "In warranty: covered until" in page
    assert "Refund possible" not in page or "bought from the official store" in page
    assert not Case.objects.exists()


def test_an_old_purchase_is_out_of_warranty_and_may_still_be_sent(signed_in, catalogue):
    bought = (timezone.localdate() - datetime.timedelta(days=3 * 365)).isoformat()
    checked = _post(signed_in, claim_data(catalogue["camera"], purchase_date=bought, step="check"))
    assert 'data-verdict="out"' in checked.content.decode()
    assert "may make an exception" in checked.content.decode()

    sent = _post(signed_in, claim_data(catalogue["camera"], purchase_date=bought))
    assert sent.status_code == 302
    assert Claim.objects.get().in_warranty is False


def test_a_registration_found_by_the_serial_counts_in_the_verdict(signed_in, catalogue):
    bought = timezone.localdate() - datetime.timedelta(days=2 * 365 + 60)
    Registration.objects.create(
        product=catalogue["camera"], serial_number="SN-REG-1", registered_on=bought, email="x@example.com"
    )
    page = _post(
        signed_in,
        claim_data(catalogue["camera"], serial="SN-REG-1", purchase_date=bought.isoformat(), step="check"),
    ).content.decode()
    assert 'data-verdict="in"' in page
    assert "registered on" in page


def test_sending_makes_one_requested_case_acknowledged_by_email(
    signed_in, customer, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(signed_in, claim_data(catalogue["camera"]), files=[jpeg("fault.jpg")])

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/rma/{case.number}/"
    assert case.status == Case.Status.REQUESTED
    assert case.customer == customer
    item = case.items.get()
    assert item.product == catalogue["camera"]
    assert (item.serial_number, item.kit_scope) == ("SN-CLAIM-0001", "single_unit")
    claim = case.claim
    assert (claim.reason, claim.order_number, claim.problem) == ("no_video", "ORD-778", TYPED)
    assert claim.photos.count() == 1
    assert CaseEvent.objects.get(case=case).action == "claim_send"
    (ack,) = mail.outbox
    assert ack.to == [customer.email]
    assert case.number in ack.subject
    assert case.number in ack.body

    listing = signed_in.get("/rma/").content.decode()
    assert f'data-rma="{case.number}" data-status="requested"' in listing
    assert "In progress" in listing
    detail = signed_in.get(f"/rma/{case.number}/").content.decode()
    assert "the warranty team is looking at your claim" in detail.lower()


def test_the_acknowledgement_is_in_the_customers_language(
    signed_in, customer, catalogue, django_capture_on_commit_callbacks
):
    customer.language = "de"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        _post(signed_in, claim_data(catalogue["camera"]))
    (ack,) = mail.outbox
    assert "Garantie" in ack.subject


def _assert_refused_and_kept(response, message):
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page, page
    assert not Case.objects.exists()
    assert not Claim.objects.exists()
    assert TYPED in page
    assert "ORD-778" in page
    return page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"purchase_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "cannot be in the future",
        ),
        ({"purchase_date": "1999-12-31"}, "from 2000 on"),
        ({"serial": "   "}, "Give the S/N or the UID"),
        ({"product": "not_listed", "product_name": ""}, "Type your model&#x27;s name"),
        ({"product": "99999"}, "Choose your model from the list"),
    ],
    ids=["future-date", "before-2000", "no-serial", "not-listed-without-a-name", "outside-the-catalogue"],
)
def test_bad_inputs_are_answered_on_the_form_with_nothing_created(signed_in, catalogue, changes, message):
    _assert_refused_and_kept(_post(signed_in, claim_data(catalogue["camera"], **changes)), message)


def test_a_sixth_photo_is_refused_in_words_and_nothing_is_stored(signed_in, catalogue):
    photos = [jpeg(f"photo-{number}.jpg") for number in range(6)]
    response = _post(signed_in, claim_data(catalogue["camera"]), files=photos)
    _assert_refused_and_kept(response, "You chose 6 photos; at most 5 can be sent with a claim.")
    assert not ClaimPhoto.objects.exists()


def test_a_non_image_is_refused_by_name_and_the_good_photo_kept_for_the_next_try(signed_in, catalogue):
    page = _assert_refused_and_kept(
        _post(signed_in, claim_data(catalogue["camera"]), files=[png("screen.png"), text_file("notes.jpg")]),
        "notes.jpg",
    )
    assert "Kept from your last try" in page
    kept = ClaimPhoto.objects.get(claim__isnull=True)
    assert kept.original_name == "screen.png"

    again = _post(signed_in, {**claim_data(catalogue["camera"]), "keep_photo": str(kept.pk)})
    assert again.status_code == 302
    assert list(Case.objects.get().claim.photos.values_list("original_name", flat=True)) == ["screen.png"]


def test_a_product_not_listed_with_its_name_is_sent(signed_in):
    response = _post(signed_in, claim_data(None, product_name="Old model 2019"))
    assert response.status_code == 302
    item = Case.objects.get().items.get()
    assert (item.product, item.product_model) == (None, "Old model 2019")


def test_the_same_serial_on_an_open_case_is_refused_with_a_link(signed_in, customer, catalogue):
    open_case = CaseFactory(customer=customer, item=None)
    CaseItemFactory(case=open_case, serial_number="SN-CLAIM-0001")

    response = _post(signed_in, claim_data(catalogue["camera"], serial="sn-claim-0001"))

    page = response.content.decode()
    assert f'href="/rma/{open_case.number}/"' in page
    assert Case.objects.count() == 1
    assert TYPED in page


def test_the_same_serial_on_a_closed_case_may_be_claimed_again(signed_in, customer, catalogue):
    closed = CaseFactory(customer=customer, item=None, status=Case.Status.COMPLETED)
    CaseItemFactory(case=closed, serial_number="SN-CLAIM-0001")
    assert _post(signed_in, claim_data(catalogue["camera"])).status_code == 302


def test_claims_per_day_are_limited(signed_in, catalogue, settings):
    settings.RMA_CLAIMS_PER_CUSTOMER_PER_DAY = 2
    for number in range(2):
        assert _post(signed_in, claim_data(catalogue["camera"], serial=f"SN-{number}")).status_code == 302
    page = _post(signed_in, claim_data(catalogue["camera"], serial="SN-3")).content.decode()
    assert "the most we take in a day" in page
    assert Case.objects.count() == 2


def test_staff_and_signed_out_visitors_cannot_use_the_form(client, catalogue):
    assert client.get("/rma/new/").status_code == 302  # to the sign-in page


def test_another_customer_cannot_open_a_claim_photo(signed_in, catalogue, client, django_user_model):
    _post(signed_in, claim_data(catalogue["camera"]), files=[jpeg("fault.jpg")])
    photo = ClaimPhoto.objects.get()
    assert signed_in.get(f"/rma/claim-photos/{photo.pk}/thumbnail/").status_code == 200
    other = django_user_model.objects.create_user("someone.else@example.com")
    signed_in.force_login(other)
    assert signed_in.get(f"/rma/claim-photos/{photo.pk}/thumbnail/").status_code == 404


def test_the_customers_case_page_shows_no_solution_yet(signed_in, catalogue):
    _post(signed_in, claim_data(catalogue["camera"]))
    case = Case.objects.get()
    page = signed_in.get(f"/rma/{case.number}/").content.decode()
    assert re.search(rf'data-rma="{case.number}"\s+data-status="requested"', page)
    assert "You sent your warranty claim." in page

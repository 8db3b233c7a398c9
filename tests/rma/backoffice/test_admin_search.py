"""The case list's one search box: what was typed says where to look."""

import re

import pytest

from rma.cases.models import Case
from rma.required.models import ReturnShipment
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/rma/case/"


def listed_numbers(html: str) -> set[str]:
    return set(re.findall(r"RMA-\d{4}-\d{6}", html))


def shipment_for(case: Case, tracking_number: str) -> ReturnShipment:
    return ReturnShipment.objects.create(
        case=case,
        carrier="UPS",
        tracking_number=tracking_number,
        label_photo="label.jpg",
        label_photo_thumbnail="label-thumb.jpg",
        label_photo_name="label.jpg",
        postage_receipt="receipt.jpg",
        postage_receipt_thumbnail="receipt-thumb.jpg",
        postage_receipt_name="receipt.jpg",
    )


@pytest.fixture
def wanted():
    CaseFactory()  # another case, which no search below should find
    customer = CustomerFactory(email="Jane.Doe@Example.com", full_name="Jane Quartermaine")
    case = CaseFactory(customer=customer, item=None)
    CaseItemFactory(case=case, serial_number="AB12CD34", uid="UID-77-12")
    shipment_for(case, "1Z999AA10123456784")
    return case


@pytest.mark.parametrize(
    "term",
    [
        "case number",
        "jane.doe@example.com",
        "ab12cd34",
        "AB12",
        "UID-77-12",
        "1z 999 aa1 0123456784",
        "Quartermaine",
        "jane.doe@",
        "jane.doe",
    ],
)
def test_the_search_box_finds_a_case_by_what_was_typed(agent_client, wanted, term):
    term = wanted.number.lower() if term == "case number" else term
    html = agent_client.get(LIST, {"q": term}).content.decode()
    assert listed_numbers(html) == {wanted.number}


def test_a_search_that_fits_nothing_lists_nothing(agent_client, wanted):
    html = agent_client.get(LIST, {"q": "no-such-thing"}).content.decode()
    assert listed_numbers(html) == set()


def test_the_return_list_finds_a_shipment_by_its_tracking_number(agent_client, wanted):
    other = CaseFactory()
    shipment_for(other, "1ZOTHER0000000001")
    html = agent_client.get("/admin/rma/returnshipment/", {"q": "1z999aa10123456784"}).content.decode()
    assert "1Z999AA10123456784" in html
    assert "1ZOTHER0000000001" not in html


def test_the_return_list_flags_a_tracking_number_used_on_another_case(agent_client, wanted):
    shipment_for(CaseFactory(), "1Z999AA10123456784")
    html = agent_client.get("/admin/rma/returnshipment/").content.decode()
    assert html.count('alt="True"') == 2

"""The customer's pages served from the cache, and retired by every change of their data."""

import re

import pytest
from django.test import Client

from rma.models import Case
from rma.services import case_message_post
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory

pytestmark = pytest.mark.django_db

S = Case.Status


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CUSTOMER_PAGE_CACHE_SECONDS = 300


def _signed_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    client.get("/rma/")  # the first page renews the fresh session and sets the CSRF cookie
    return client


def test_a_page_seen_again_comes_from_the_cache_with_the_same_content(customer, django_assert_num_queries):
    case = CaseFactory(customer=customer)
    client = _signed_in(customer)
    first = client.get(f"/rma/{case.number}/")

    with django_assert_num_queries(2):  # the session and the user, nothing of the case
        again = client.get(f"/rma/{case.number}/")

    assert again.status_code == 200
    assert again.content == first.content
    assert "private" in again["Cache-Control"]


def test_agreeing_shows_at_once_on_the_page(customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    client = _signed_in(customer)
    assert 'data-status="pending_confirm"' in client.get(f"/rma/{case.number}/").content.decode()

    client.post(f"/rma/{case.number}/agree/")
    page = client.get(f"/rma/{case.number}/").content.decode()
    listing = client.get("/rma/").content.decode()

    assert 'data-status="awaiting_info"' in page
    assert re.findall(rf'data-rma="{case.number}"[^>]*data-status="(\w+)"', listing) == ["awaiting_info"]


def test_a_message_from_the_team_shows_at_once(customer, agent):
    case = CaseFactory(customer=customer)
    client = _signed_in(customer)
    client.get(f"/rma/{case.number}/")

    case_message_post(case=case, author=agent, body="Your parcel arrived today.")

    assert "Your parcel arrived today." in client.get(f"/rma/{case.number}/").content.decode()


def test_an_item_edited_outside_the_services_shows_at_once(customer):
    case = CaseFactory(customer=customer, item=None)
    item = CaseItemFactory(case=case, product_model="Argus 3")
    client = _signed_in(customer)
    client.get(f"/rma/{case.number}/")

    item.product_model = "Argus 4 Pro"
    item.save()

    assert "Argus 4 Pro" in client.get(f"/rma/{case.number}/").content.decode()


def test_a_warehouse_address_change_shows_at_once(customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    client = _signed_in(customer)
    client.get(f"/rma/{case.number}/")

    case.warehouse.line1 = "77 New Dock Street"
    case.warehouse.save()

    assert "77 New Dock Street" in client.get(f"/rma/{case.number}/").content.decode()


def test_another_customer_never_gets_a_cached_page(customer):
    mine = CaseFactory(customer=customer)
    _signed_in(customer).get("/rma/")
    other = _signed_in(CustomerFactory())

    listing = other.get("/rma/").content.decode()

    assert mine.number not in listing
    assert other.get(f"/rma/{mine.number}/").status_code == 404


def test_each_browser_gets_a_page_whose_forms_work_with_its_own_csrf_cookie(customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    laptop = _signed_in(customer, enforce_csrf_checks=True)
    phone = _signed_in(customer, enforce_csrf_checks=True)
    laptop.get(f"/rma/{case.number}/")

    page = phone.get(f"/rma/{case.number}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = phone.post(f"/rma/{case.number}/agree/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.AWAITING_INFO


def test_a_flash_message_is_shown_once_and_never_cached(customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    client = _signed_in(customer)

    shown = client.post(f"/rma/{case.number}/agree/", follow=True).content.decode()
    later = client.get(f"/rma/{case.number}/").content.decode()

    assert 'class="messages"' in shown
    assert 'class="messages"' not in later


def test_the_cache_can_be_turned_off(customer, settings, django_assert_num_queries):
    settings.CUSTOMER_PAGE_CACHE_SECONDS = 0
    case = CaseFactory(customer=customer)
    client = _signed_in(customer)
    client.get(f"/rma/{case.number}/")

    with django_assert_num_queries(6):  # rendered again: session, user, case, items, events, messages
        client.get(f"/rma/{case.number}/")

"""The customer's pages served from the cache, and retired by every change of their data."""

import re

import pytest
from django.test import Client

from rma.cases.models import Case
from rma.cases.services import case_message_post
from rma_portal.page_cache import CSRF_PLACEHOLDER
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory

pytestmark = pytest.mark.django_db

S = Case.Status


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CUSTOMER_PAGE_CACHE_SECONDS = 300
    # Sessions in the database, as without Redis: the counts below include reading them.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _signed_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    client.get("/rma/")  # the first page renews the fresh session and sets the CSRF cookie
    return client


def _without_csrf_token(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_a_page_seen_again_comes_from_the_cache_with_the_same_content(customer, django_assert_num_queries):
    case = CaseFactory(customer=customer)
    client = _signed_in(customer)
    first = client.get(f"/rma/{case.number}/")

    with django_assert_num_queries(1):  # the session; not the user, nothing of the case
        again = client.get(f"/rma/{case.number}/")

    assert again.status_code == 200
    assert _without_csrf_token(again.content) == _without_csrf_token(first.content)
    assert "private" in again["Cache-Control"]


def test_with_sessions_read_through_the_cache_a_cached_page_touches_no_database(
    customer, settings, django_assert_num_queries
):
    settings.SESSION_ENGINE = "accounts.sessions"
    client = _signed_in(customer)
    client.get("/rma/")

    with django_assert_num_queries(0):
        assert client.get("/rma/").status_code == 200


def test_every_response_carries_a_real_csrf_token_and_never_the_placeholder(customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    client = _signed_in(customer)

    pages = [client.get(f"/rma/{case.number}/").content.decode() for _ in range(2)]
    pages += [client.get("/rma/").content.decode() for _ in range(2)]

    for page in pages:
        assert CSRF_PLACEHOLDER not in page
        assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', page)


def test_a_deactivated_customer_is_sent_to_sign_in_rather_than_served_from_the_cache(customer):
    client = _signed_in(customer)
    assert client.get("/rma/").status_code == 200

    customer.is_active = False
    customer.save()

    response = client.get("/rma/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_session_whose_user_changed_its_password_gets_no_cached_page(customer):
    stale = _signed_in(customer)
    customer.set_password("a new password that is long enough")
    customer.save()
    fresh = _signed_in(customer)
    assert fresh.get("/rma/").status_code == 200  # rendered and cached for the new hash

    response = stale.get("/rma/")

    assert response.status_code == 302  # Django's own check ended the older session
    assert response["Location"].startswith("/login/")


def test_a_signed_out_browser_gets_no_cached_page(customer):
    client = _signed_in(customer)
    client.get("/rma/")

    client.post("/logout/")

    assert client.get("/rma/").status_code == 302


def test_signing_in_again_keeps_the_cached_pages(customer, django_assert_num_queries):
    from django.contrib.auth.models import update_last_login

    client = _signed_in(customer)
    client.get("/rma/")

    update_last_login(None, customer)

    with django_assert_num_queries(1):  # the session only: still served from the cache
        client.get("/rma/")


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

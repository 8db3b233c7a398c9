"""With Redis unreachable, customer pages, sign-in and changes go on without it; none gives a 500."""

import logging

import pytest
from django.core import mail
from django.test import Client

from rma.cases.models import Case, CaseMessage
from rma_portal import cache as portal_cache
from rma_portal import page_cache
from tests.accounts.conftest import code_from_email
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = {
    "BACKEND": "rma_portal.cache.PortalRedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rma_cache"}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": UNREACHABLE_REDIS, "database": DATABASE_CACHE}
    settings.SESSION_ENGINE = "accounts.sessions"
    settings.CUSTOMER_PAGE_CACHE_SECONDS = 300
    portal_cache._last_reported.clear()
    yield
    page_cache._OwedRetirement.owed = False


def test_customer_pages_render_without_the_page_cache(redis_down, customer_client, customer):
    case = CaseFactory(customer=customer)

    assert customer_client.get("/rma/").status_code == 200
    page = customer_client.get(f"/rma/{case.number}/")

    assert page.status_code == 200
    assert case.number in page.content.decode()


def test_a_message_sent_while_redis_is_away_is_kept(
    redis_down, customer_client, customer, django_capture_on_commit_callbacks
):
    case = CaseFactory(customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(f"/rma/{case.number}/messages/", {"body": "Still there?"})

    assert response.status_code == 302
    assert CaseMessage.objects.filter(case=case, body="Still there?").exists()


def test_an_agreement_while_redis_is_away_is_kept(
    redis_down, customer_client, customer, django_capture_on_commit_callbacks
):
    case = CaseFactory(customer=customer, status=Case.Status.PENDING_CONFIRM)

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(f"/rma/{case.number}/agree/", {"revision": case.revision})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status != Case.Status.PENDING_CONFIRM


def test_a_version_redis_did_not_take_retires_every_page_once_it_is_back(redis_down, settings, customer):
    case = CaseFactory(customer=customer)
    assert page_cache._OwedRetirement.owed  # saving the case could not retire its pages

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.set(page_cache.SHARED_VERSION_KEY, "before-the-outage")
    client = Client()
    client.force_login(customer)

    assert client.get(f"/rma/{case.number}/").status_code == 200
    assert cache.get(page_cache.SHARED_VERSION_KEY) != "before-the-outage"
    assert not page_cache._OwedRetirement.owed


def test_sign_in_works_with_limits_and_cooldown_in_the_database(
    redis_down, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="offline@example.com")
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/login/", {"email": customer.email})
    again = client.post("/login/", {"email": customer.email})
    with django_capture_on_commit_callbacks(execute=True):
        signed_in = client.post("/login/verify/", {"code": code_from_email(mail.outbox[-1])})

    assert sent.status_code == 302
    assert again.status_code == 302  # the cooldown, kept in the database, sends no second code
    assert len(mail.outbox) == 1
    assert signed_in.status_code == 302
    assert client.get("/rma/").status_code == 200


def test_the_send_limit_per_address_is_counted_in_the_database(redis_down, settings):
    settings.LOGIN_SENDS_PER_IP_PER_HOUR = 2
    client = Client()

    answers = [client.post("/login/", {"email": f"person{n}@example.com"}).status_code for n in range(3)]

    assert answers == [302, 302, 429]


def test_an_unreachable_cache_is_logged_once_a_minute_not_once_a_request(
    redis_down, customer_client, customer, caplog
):
    case = CaseFactory(customer=customer)
    portal_cache._last_reported.clear()

    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert customer_client.get(f"/rma/{case.number}/").status_code == 200

    warnings = sorted(r.getMessage().split(":")[0] for r in caplog.records if r.name == "rma_portal.cache")
    assert warnings == ["Redis unreachable for page cache", "Redis unreachable for sessions"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_signing_out_while_redis_is_away_changes_nothing_and_says_so(redis_down, customer_client, customer):
    from accounts.models import SignInEvent

    response = customer_client.post("/logout/")

    assert response.status_code == 503
    assert "You are still signed in" in response.content.decode()
    assert customer_client.get("/rma/").status_code == 200
    assert not SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGNED_OUT).exists()


def test_wrong_codes_are_counted_in_the_database_while_redis_is_away(
    redis_down, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="guessing@example.com")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/", {"email": customer.email})
    right = code_from_email(mail.outbox[-1])
    wrong = "000000" if right != "000000" else "111111"

    refused = client.post("/login/verify/", {"code": wrong})

    assert refused.status_code < 500
    assert "not the right one" in refused.content.decode()


def test_staff_sign_in_limits_work_while_redis_is_away(redis_down, settings):
    from tests.factories import AgentFactory

    settings.STAFF_TOTP_REQUIRED = False
    AgentFactory(email="agent-offline@example.com")
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "agent-offline@example.com", "password": "wrong password"}
    )
    assert response.status_code < 500


def test_the_back_office_and_a_permission_change_go_on_while_redis_is_away(redis_down, agent_client, agent):
    """The staff's permission cache (accounts.permission_cache) falls back to the database,
    and a change that starts a new generation is kept and owes it to Redis."""
    from django.contrib.auth.models import Group

    from accounts import permission_cache

    case = CaseFactory()
    try:
        page = agent_client.get(f"/admin/rma/case/{case.pk}/change/")
        assert page.status_code == 200
        assert case.number in page.content.decode()

        agent.groups.add(Group.objects.create(name="Night shift"))

        assert agent.groups.filter(name="Night shift").exists()
        assert permission_cache._OwedGeneration.owed
        assert agent_client.get("/admin/rma/case/").status_code == 200
    finally:
        permission_cache._OwedGeneration.owed = False

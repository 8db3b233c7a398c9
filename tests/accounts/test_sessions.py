"""The session store: the database, read through the cache, and the database alone when the cache is down."""

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.sessions import SessionStore
from rma_portal.models import OutboxMessage
from tests.accounts.conftest import code_from_email
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = {
    "BACKEND": "rma_portal.cache.PortalRedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


@pytest.fixture
def cache_up(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SESSION_ENGINE = "accounts.sessions"


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": UNREACHABLE_REDIS,
    }
    settings.SESSION_ENGINE = "accounts.sessions"
    settings.SESSION_CACHE_ALIAS = "sessions"


def _saved_session() -> str:
    store = SessionStore()
    store["_auth_user_id"] = "42"
    store.create()
    return store.session_key


def test_a_session_is_read_from_the_cache_without_a_query(cache_up, django_assert_num_queries):
    key = _saved_session()

    with django_assert_num_queries(0):
        assert SessionStore(key)["_auth_user_id"] == "42"


def test_a_session_missing_from_the_cache_is_read_from_the_database_and_cached_again(cache_up):
    from django.core.cache import cache

    key = _saved_session()
    cache.clear()

    assert SessionStore(key)["_auth_user_id"] == "42"
    assert cache.get(SessionStore.cache_key_prefix + key) == {"_auth_user_id": "42"}


def test_a_session_nobody_signed_in_to_lives_in_the_cache_alone(cache_up, django_assert_num_queries):
    store = SessionStore()
    store["accounts.login_next"] = "/rma/"

    with django_assert_num_queries(0):
        store.save()
        assert SessionStore(store.session_key)["accounts.login_next"] == "/rma/"
    assert not Session.objects.exists()


def test_a_sign_in_waiting_for_its_code_survives_the_cache_restarted_empty(
    cache_up, client, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/login/", {"email": customer.email}).status_code == 302

    cache.clear()  # Redis restarted empty: the pending sign-in is the browser's signed cookie

    response = client.post("/login/verify/", {"code": code_from_email(mail.outbox[-1])})
    assert response.status_code == 302
    assert response["Location"] == "/rma/"
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_a_pending_sign_in_cookie_that_was_tampered_with_counts_as_none(cache_up, client, settings):
    customer = CustomerFactory()
    assert client.post("/login/", {"email": customer.email}).status_code == 302
    cookie = client.cookies[settings.LOGIN_PENDING_COOKIE_NAME]
    cookie.set(cookie.key, cookie.value[:-2] + "xx", cookie.value[:-2] + "xx")

    response = client.get("/login/verify/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_asking_for_a_code_writes_only_the_request_and_signing_in_stores_the_session(
    cache_up, client, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    # Rate limit and cooldown in the cache; the request for the code (the outbox row) in the
    # database, so a Redis restart does not lose it; the pending sign-in in the browser's cookie.
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
        assert client.post("/login/", {"email": customer.email}).status_code == 302
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE", "SET")] == ["INSERT"]
    assert not Session.objects.exists()
    assert OutboxMessage.objects.get().task_name == "accounts.tasks.issue_login_code"
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the worker's part: the code, the audit row, the email
            callback()

    client.post("/login/verify/", {"code": code_from_email(mail.outbox[-1])})

    (stored,) = Session.objects.all()
    assert stored.session_key == client.session.session_key
    assert stored.get_decoded()["_auth_user_id"] == str(customer.pk)


def test_with_the_cache_unreachable_sessions_are_written_and_read_from_the_database(cache_down, caplog):
    key = _saved_session()  # the cache write fails and is logged

    store = SessionStore(key)

    assert store["_auth_user_id"] == "42"
    assert SessionStore().exists(key)
    assert not SessionStore().exists("nosuchsessionkey0000000000000000")
    assert "Redis unreachable for sessions" in caplog.text


def test_an_unreachable_session_cache_is_logged_once_a_minute_not_per_request(cache_down, caplog):
    from rma_portal import cache as portal_cache

    portal_cache._last_reported.clear()
    key = _saved_session()

    for _ in range(20):
        SessionStore(key).load()
        SessionStore().exists(key)

    reports = [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert len(reports) == 1
    assert reports[0].exc_info is None  # one line, not a traceback per request


@pytest.mark.services
def test_on_redis_a_session_expires_after_the_idle_timeout_and_each_renewal_restarts_it(settings):
    import redis

    from tests.conftest import redis_url_for_tests

    url = redis_url_for_tests()
    settings.CACHES = {"default": {"BACKEND": "rma_portal.cache.PortalRedisCache", "LOCATION": url}}
    settings.SESSION_ENGINE = "accounts.sessions"
    key = _saved_session()
    server = redis.Redis.from_url(url)
    (cached,) = server.keys(f"*{SessionStore.cache_key_prefix}{key}")

    assert settings.SESSION_COOKIE_AGE - 5 <= server.ttl(cached) <= settings.SESSION_COOKIE_AGE
    server.expire(cached, 60)
    store = SessionStore(key)
    store["_touched_at"] = 1
    store.save()
    assert server.ttl(cached) > settings.SESSION_COOKIE_AGE - 5


def test_signing_out_when_redis_goes_away_after_the_cache_copy_is_removed_still_signs_out(cache_up):
    """The soak with faults: Redis went away between removing the session's cache copy and
    deleting its row, and the sign-out answered 500 although the session was gone."""
    from django.core.cache import caches

    store = SessionStore()
    store["_auth_user_id"] = "42"
    store.create()
    key = store.session_key
    store.forget_in_cache()
    cache = caches["default"]

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis went away")

    original = cache.delete
    cache.delete = unreachable
    try:
        store.flush()
    finally:
        cache.delete = original

    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(key).load() == {}


def test_a_session_whose_cache_copy_was_not_removed_fails_loudly_when_redis_is_away(cache_up):
    from django.core.cache import caches

    store = SessionStore()
    store["_auth_user_id"] = "42"
    store.create()
    cache = caches["default"]

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis went away")

    original = cache.delete
    cache.delete = unreachable
    try:
        with pytest.raises(ConnectionError):
            store.flush()
    finally:
        cache.delete = original

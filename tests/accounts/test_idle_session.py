from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings):
    # The clock is moved in Python only: sessions read through Redis expire on Redis's clock.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _expiry(client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_view_within_a_minute_does_not_rewrite_the_session(client):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(CustomerFactory())
        client.get("/rma/")
        first = _expiry(client)
        clock.shift(timedelta(seconds=30))
        client.get("/rma/")

        assert _expiry(client) == first


def test_a_page_view_after_a_minute_extends_the_session(client):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(CustomerFactory())
        client.get("/rma/")
        first = _expiry(client)
        clock.shift(timedelta(minutes=5))
        client.get("/rma/")

        assert _expiry(client) == first + timedelta(minutes=5)


def test_a_session_in_use_outlives_the_idle_timeout(client):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(CustomerFactory())
        for _ in range(4):  # five hours in all, never two idle hours
            clock.shift(timedelta(hours=1, minutes=15))
            assert client.get("/rma/").status_code == 200
        clock.shift(timedelta(hours=2, minutes=1))
        response = client.get("/rma/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_anonymous_requests_create_no_session(client):
    client.get("/healthz")
    client.get("/help/")

    assert Session.objects.count() == 0

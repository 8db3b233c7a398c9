"""However busy, a session ends a fixed time after sign-in; a staff session sooner."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import CustomerFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _lifetimes(settings):
    # The clock is moved in Python only: sessions read through Redis expire on Redis's clock.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.SESSION_MAX_SECONDS = 12 * 60 * 60
    settings.STAFF_SESSION_MAX_SECONDS = 8 * 60 * 60


def _keep_busy(client, url: str, clock, hours: float) -> None:
    for _ in range(int(hours * 2)):
        clock.shift(timedelta(minutes=30))
        client.get(url)


def test_a_busy_customer_session_ends_at_its_lifetime(client):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(CustomerFactory())
        _keep_busy(client, "/rma/", clock, hours=11.5)
        assert client.get("/rma/").status_code == 200
        _keep_busy(client, "/rma/", clock, hours=0.5)
        response = client.get("/rma/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_busy_staff_session_ends_sooner(agent):
    with time_machine.travel(START, tick=False) as clock:
        client = staff_client_for(agent)
        _keep_busy(client, "/admin/", clock, hours=7.5)
        assert client.get("/admin/").status_code == 200
        _keep_busy(client, "/admin/", clock, hours=0.5)
        response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_lifetime_is_configurable(client, settings):
    settings.SESSION_MAX_SECONDS = 60 * 60
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(CustomerFactory())
        _keep_busy(client, "/rma/", clock, hours=1)
        response = client.get("/rma/")

    assert response.status_code == 302


def test_a_session_from_before_lifetimes_starts_its_clock_on_its_next_request(client):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(CustomerFactory())
        session = client.session
        del session["_signed_in_at"]
        session.save()
        clock.shift(timedelta(hours=1))

        assert client.get("/rma/").status_code == 200
        assert client.session["_signed_in_at"] == int((START + timedelta(hours=1)).timestamp())

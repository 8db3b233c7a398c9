"""Headers and checks every response carries: Permissions-Policy, CSRF."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/login/", "/healthz", "/admin/login/", "/no-such-page/"])
def test_every_response_carries_a_permissions_policy(client, url):
    policy = client.get(url).headers["Permissions-Policy"]

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_the_permissions_policy_allows_nothing(client):
    policy = client.get("/login/").headers["Permissions-Policy"]

    assert all(entry.strip().endswith("=()") for entry in policy.split(","))


def test_a_form_post_without_its_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)

    assert client.post("/login/", {"email": "someone@example.com"}).status_code == 403

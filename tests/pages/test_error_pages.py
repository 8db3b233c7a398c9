"""With DEBUG off, every error answers with the portal's own page: a way back and the support address."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False
    settings.PORTAL_NAME = "Warranty Service"
    settings.SUPPORT_EMAIL = "help@example.com"


def assert_portal_error_page(response, status: int, heading: str):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<h1 id="error-heading">{heading}</h1>' in html
    assert "<title>" in html and "· Warranty Service</title>" in html
    assert 'class="site-header"' in html  # the portal's layout, not Django's bare page
    assert re.search(r'<a class="button[^"]*" href="/">', html)  # a way back
    assert 'href="mailto:help@example.com"' in html
    assert "Not Found</h1>" not in html


def test_an_unknown_address_answers_404_with_the_portal_page(client):
    response = client.get("/no-such-page/")

    assert_portal_error_page(response, 404, "Page not found")
    assert 'action="/i18n/setlang/"' in response.content.decode()  # the full layout, language switch included


def test_another_customers_case_is_the_same_404_page(client):
    client.force_login(CustomerFactory())

    response = client.get("/rma/RMA-2026-999999/")

    assert_portal_error_page(response, 404, "Page not found")


def test_the_404_page_speaks_the_visitors_language(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="de">' in html
    assert "Page not found" not in html


@pytest.fixture
def failing_client(settings):
    settings.ROOT_URLCONF = "tests.pages.error_urls"
    return Client(raise_request_exception=False)


def test_a_page_that_fails_answers_500_with_the_portal_page(failing_client):
    response = failing_client.get("/broken/")

    assert_portal_error_page(response, 500, "Something went wrong")


def test_the_500_page_comes_even_when_the_database_cannot_be_reached(failing_client):
    failing_client.force_login(CustomerFactory())  # the session and the user must be read first
    unreachable = OperationalError("could not connect to server")

    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=unreachable) as cursor:
        response = failing_client.get("/rma/")

    assert cursor.called  # the database really was asked for, and failed
    assert_portal_error_page(response, 500, "Something went wrong")


def test_the_500_page_falls_back_to_a_fixed_page_when_its_template_fails(failing_client):
    with mock.patch("rma_portal.errors.loader.get_template", side_effect=RuntimeError("no templates")):
        response = failing_client.get("/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert 'href="mailto:help@example.com"' in html
    assert '<a href="/">' in html


def test_a_form_refused_by_the_csrf_check_gets_the_portal_page_and_a_way_back():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/support/", {"subject": "Hello"})

    assert_portal_error_page(response, 403, "The form has expired")
    assert 'href="/support/"' in response.content.decode()  # open the form again


def test_a_bad_request_answers_400_with_the_portal_page(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example.com"]

    response = client.get("/login/", HTTP_HOST="evil.example.net")

    assert_portal_error_page(response, 400, "Request not understood")


def test_a_refusal_answers_403_with_the_portal_page(failing_client, settings):
    from django.core.exceptions import PermissionDenied

    with mock.patch("rma.support.views.HelpView.get", side_effect=PermissionDenied):
        response = failing_client.get("/help/")

    assert_portal_error_page(response, 403, "Not allowed")

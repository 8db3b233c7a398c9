"""A NUL character anywhere in a request is answered 400 before it reaches the database."""

import pytest
from django.test import Client

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/rma/?status=%00", "/rma/%00/", "/rma/RMA-2026-000001%00/agree/"])
def test_customer_pages_answer_400_for_a_nul_byte(customer_client, url):
    assert customer_client.get(url).status_code == 400


@pytest.mark.parametrize("url", ["/admin/rma/case/?status__gt=%00", "/admin/rma/case/?q=%00", "/admin/%00/"])
def test_admin_pages_answer_400_for_a_nul_byte(agent_client, url):
    assert agent_client.get(url).status_code == 400


def test_a_form_field_with_a_nul_byte_is_refused_and_nothing_is_stored(customer_client, customer):
    case = CaseFactory(customer=customer, status="pending_confirm")

    response = customer_client.post(f"/rma/{case.number}/messages/", {"body": "hello\x00world"})

    assert response.status_code == 400
    assert not case.messages.exists()


def test_a_session_cookie_with_a_nul_byte_answers_400():
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"

    assert client.get("/rma/").status_code == 400


def test_a_header_with_a_nul_byte_answers_400(client):
    assert client.post("/login/", {"email": "a@example.com"}, HTTP_USER_AGENT="x\x00y").status_code == 400


def test_the_sign_in_form_answers_400_for_a_nul_byte(client):
    assert client.post("/login/", {"email": "a\x00@example.com"}).status_code == 400


@pytest.mark.postgres
@pytest.mark.parametrize("url", ["/rma/?status=%00", "/rma/%00/"])
def test_postgresql_never_sees_a_nul_byte(customer_client, url):
    customer_client.raise_request_exception = True
    assert customer_client.get(url).status_code == 400


def test_bytes_that_are_not_utf8_answer_404_or_are_ignored(customer_client):
    assert customer_client.get("/rma/%FF%FE/").status_code == 404
    assert customer_client.get("/rma/?status=%FF").status_code == 200


def test_an_over_long_status_filter_shows_an_empty_list(customer_client):
    assert customer_client.get("/rma/?status=" + "x" * 5000).status_code == 200


def test_an_admin_filter_on_a_year_beyond_any_integer_answers_400(agent_client):
    agent_client.raise_request_exception = False

    assert agent_client.get("/admin/rma/case/?created_at__year=99999999999999999999").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/admin/rma/case/?id=99999999999999999999999",
        "/admin/rma/case/?revision__in=1,99999999999999999999",
        "/admin/rma/case/?created_at__year=99999",
        "/admin/rma/case/?created_at__gte=2026-13-45",
        "/admin/rma/case/?q=" + "x" * 5000,
        "/admin/rma/case/?status=" + "x" * 5000,
        "/admin/rma/case/99999999999999999999999/change/",
    ],
)
def test_admin_filters_with_out_of_range_or_over_long_values_never_fail(agent_client, url):
    agent_client.raise_request_exception = False

    assert agent_client.get(url).status_code < 500


@pytest.mark.parametrize(
    "url", ["/rma/?page=99999999999999999999", "/rma/?page=%FF", "/rma/" + "A" * 5000 + "/"]
)
def test_customer_pages_with_out_of_range_or_over_long_values_answer_404(customer_client, url):
    assert customer_client.get(url).status_code == 404

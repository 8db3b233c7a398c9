"""Contact support: signed-out visitors and customers, bad input kept, limits, the team's email."""

import pytest
from django.core import mail

from rma.cases.models import Case
from rma.support.models import SupportRequest
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/support/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR = 20
    settings.SUPPORT_COOLDOWN = 60
    settings.WARRANTY_TEAM_EMAIL = "team@example.com"


def visitor_post(client, **fields):
    data = {
        "email": "visitor@example.com",
        "subject": "Lost my code",
        "message": "The code never came.",
        "website": "",
    }
    data.update(fields)
    return client.post(URL, data)


def test_a_visitor_request_is_stored_and_emailed_to_the_team(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor_post(client)
    assert response.status_code == 302
    assert response["Location"] == "/support/sent/"
    request = SupportRequest.objects.get()
    assert (request.email, request.subject, request.message, request.customer) == (
        "visitor@example.com",
        "Lost my code",
        "The code never came.",
        None,
    )
    assert request.ip == "127.0.0.1"
    sent, acknowledgement = mail.outbox
    assert acknowledgement.to == ["visitor@example.com"]
    assert sent.to == ["team@example.com"]
    assert sent.reply_to == ["visitor@example.com"]
    assert sent.subject == f"Support request {request.reference}: Lost my code"
    assert "The code never came." in sent.body
    assert f"/admin/rma/supportrequest/{request.pk}/change/" in sent.body
    html = sent.alternatives[0][0]
    assert "The code never came." in html


def test_a_bad_email_is_explained_and_what_was_typed_is_kept(client):
    response = visitor_post(client, email="not-an-address", message="Please <b>help</b> me")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a full email address, like name@example.com." in html
    assert 'value="not-an-address"' in html
    assert 'value="Lost my code"' in html
    assert "Please &lt;b&gt;help&lt;/b&gt; me</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert not SupportRequest.objects.exists()
    assert mail.outbox == []


def test_an_empty_message_is_explained_and_the_rest_is_kept(client):
    response = visitor_post(client, message="   ")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write your message: it cannot be empty." in html
    assert 'value="visitor@example.com"' in html
    assert 'value="Lost my code"' in html
    assert not SupportRequest.objects.exists()


def test_the_field_only_robots_fill_in_turns_the_request_away(client):
    response = visitor_post(client, website="http://spam.example")
    assert response.status_code == 200
    assert not SupportRequest.objects.exists()


def test_a_signed_in_customer_writes_from_their_address_about_one_of_their_cases(
    client, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="me@example.com")
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO)
    client.force_login(customer)
    page = client.get(URL, {"case": case.number}).content.decode()
    assert 'name="email"' not in page
    assert f'<option value="{case.number}" selected>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"case": case.number, "subject": "Upload fails", "message": "It says error."}
        )
    assert response.status_code == 302
    request = SupportRequest.objects.get()
    assert (request.customer, request.email, request.case) == (customer, "me@example.com", case)
    assert case.number in mail.outbox[0].body


def test_a_customer_cannot_name_another_customers_or_a_hidden_case(client):
    customer = CustomerFactory()
    other = CaseFactory(status=Case.Status.AWAITING_INFO)
    hidden = CaseFactory(customer=customer, status=Case.Status.DRAFT)
    client.force_login(customer)
    page = client.get(URL).content.decode()
    assert other.number not in page
    assert hidden.number not in page
    for number in (other.number, hidden.number):
        response = client.post(URL, {"case": number, "subject": "Hi", "message": "Hello"})
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_one_address_must_wait_before_writing_again(client):
    visitor_post(client)
    response = visitor_post(client, subject="Again")
    assert response.status_code == 200
    assert (
        "We have just received a message from this address. Please wait 60 seconds."
        in response.content.decode()
    )
    assert 'value="Again"' in response.content.decode()
    assert SupportRequest.objects.count() == 1


def test_too_many_requests_from_one_network_are_refused(client, settings):
    settings.SUPPORT_REQUESTS_PER_IP_PER_HOUR = 2
    assert visitor_post(client, email="a@example.com").status_code == 302
    assert visitor_post(client, email="b@example.com").status_code == 302
    response = visitor_post(client, email="c@example.com")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert SupportRequest.objects.count() == 2


def test_the_thank_you_page(client):
    response = client.get("/support/sent/")
    assert response.status_code == 200
    assert "your message is on its way" in response.content.decode()


def test_support_requests_are_listed_in_the_admin(agent_client):
    SupportRequest.objects.create(email="v@example.com", subject="Where is my refund", message="Hello")
    response = agent_client.get("/admin/rma/supportrequest/")
    assert response.status_code == 200
    assert "Where is my refund" in response.content.decode()


def test_the_help_page_leads_to_the_contact_form(client):
    assert 'href="/support/"' in client.get("/help/").content.decode()

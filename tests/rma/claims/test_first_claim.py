"""A person who never had a case signs in with an emailed code and files a claim."""

import pytest
from django.core import mail

from accounts.models import User
from rma.cases.models import Case
from tests.accounts.conftest import code_from_email
from tests.rma.claims.conftest import claim_data

pytestmark = pytest.mark.django_db


def test_a_first_time_address_signs_in_and_files_a_claim(
    client, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/", {"email": "new.customer@example.com"})
    (code_email,) = mail.outbox
    assert not User.objects.filter(email="new.customer@example.com", is_active=True).exists()

    signed_in = client.post("/login/verify/", {"code": code_from_email(code_email)})
    assert signed_in["Location"] == "/rma/"
    assert "Start a warranty claim" in client.get("/rma/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/rma/new/", claim_data(catalogue["kit"], kit="whole_kit"))

    case = Case.objects.get()
    assert sent["Location"] == f"/rma/{case.number}/"
    assert case.customer.email == "new.customer@example.com"
    assert case.status == Case.Status.REQUESTED
    assert case.items.get().kit_scope == "whole_kit"
    assert mail.outbox[-1].to == ["new.customer@example.com"]
    assert case.number in mail.outbox[-1].subject

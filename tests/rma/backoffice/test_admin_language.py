"""The admin follows the staff member's language; the case page names the customer's."""

import pytest

from tests.factories import AgentFactory, CaseFactory, CustomerFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db


def _case_page(client, case) -> str:
    return client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()


def test_the_admin_is_in_the_staff_member_language():
    client = staff_client_for(AgentFactory(language="de"))

    page = client.get("/admin/").content.decode()

    assert '<html lang="de"' in page
    assert "Verwaltung des Garantie-Teams" in page


def test_the_case_page_tells_the_agent_the_customer_language():
    case = CaseFactory(customer=CustomerFactory(language="ja"))
    client = staff_client_for(AgentFactory(language="en"))

    page = _case_page(client, case)

    assert "日本語: write the note to the customer in it" in page


def test_a_customer_who_never_chose_is_shown_as_such():
    case = CaseFactory(customer=CustomerFactory(language=""))
    client = staff_client_for(AgentFactory(language="en"))

    assert "English (not chosen yet)" in _case_page(client, case)


def test_the_staff_language_can_be_switched_from_the_admin():
    agent = AgentFactory(language="en")
    client = staff_client_for(agent)

    client.post("/i18n/setlang/", {"language": "it", "next": "/admin/"})

    agent.refresh_from_db()
    assert agent.language == "it"
    assert 'name="language"' in client.get("/admin/").content.decode()

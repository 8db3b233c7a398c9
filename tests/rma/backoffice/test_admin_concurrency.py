"""A change form opened before a newer change to the case cannot overwrite it."""

import pytest

from rma.cases.editing import case_update
from rma.cases.models import Case
from rma.cases.services import case_message_post
from tests.factories import CaseFactory
from tests.rma.backoffice.test_admin import _change_url, _form_defaults

pytestmark = pytest.mark.django_db

S = Case.Status


def test_a_stale_change_form_is_refused_with_a_message_and_the_newer_change_kept(agent, agent_client):
    case = CaseFactory(status=S.PROCESSING, agent_notes="Call back on Monday")
    stale = _form_defaults(agent_client.get(_change_url(case)).content.decode())
    case.agent_notes = "Customer called: ship to the office"
    case_update(case=case, actor=agent, changed_fields=["agent_notes"])

    stale["agent_notes"] = "Waiting for stock"
    response = agent_client.post(_change_url(case), stale)

    case.refresh_from_db()
    assert response.status_code == 200
    assert "Someone changed this case after you opened it" in response.content.decode()
    assert "Waiting for stock" in response.content.decode()  # what the agent typed is still on the form
    assert case.agent_notes == "Customer called: ship to the office"


def test_a_change_form_on_the_current_case_is_saved(agent_client):
    case = CaseFactory(status=S.PROCESSING, agent_notes="Call back on Monday")
    data = _form_defaults(agent_client.get(_change_url(case)).content.decode())

    data["agent_notes"] = "Waiting for stock"
    assert agent_client.post(_change_url(case), data).status_code == 302

    case.refresh_from_db()
    assert case.agent_notes == "Waiting for stock"


def test_a_reply_from_a_form_opened_before_a_customer_message_still_goes_out(agent_client):
    case = CaseFactory(status=S.PROCESSING)
    data = _form_defaults(agent_client.get(_change_url(case)).content.decode())
    case_message_post(case=case, author=case.customer, body="Any news?")

    data.update({"agent_notes": "", "reply_to_customer": "It ships today."})
    assert agent_client.post(_change_url(case), data).status_code == 302

    assert case.messages.filter(body="It ships today.").exists()


def test_the_service_refuses_edits_made_on_an_older_view_of_the_case(agent):
    case = CaseFactory(status=S.DRAFT, solution_note="First offer")
    case_update(case=case, actor=agent, changed_fields=["solution_note"], seen_event_id=None)

    case.solution_note = "Late edit"
    with pytest.raises(Exception, match="Someone changed this case"):
        case_update(case=case, actor=agent, changed_fields=["solution_note"], seen_event_id=0)


@pytest.mark.parametrize("marker", [None, "", "abc", "-1", "１２"])
def test_a_change_form_without_a_readable_seen_event_is_refused_like_a_stale_one(agent, agent_client, marker):
    case = CaseFactory(status=S.PROCESSING, agent_notes="Call back on Monday")
    data = _form_defaults(agent_client.get(_change_url(case)).content.decode())
    case.agent_notes = "Customer called: ship to the office"
    case_update(case=case, actor=agent, changed_fields=["agent_notes"])

    data["agent_notes"] = "Waiting for stock"
    if marker is None:
        del data["seen_event"]
    else:
        data["seen_event"] = marker
    response = agent_client.post(_change_url(case), data)

    case.refresh_from_db()
    assert response.status_code == 200
    assert "Someone changed this case after you opened it" in response.content.decode()
    assert "Waiting for stock" in response.content.decode()
    assert case.agent_notes == "Customer called: ship to the office"

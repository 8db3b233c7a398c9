"""The case list sorts one column at a time, in the order of an index, and the case page
shows its timeline and messages newest first, a page at a time."""

import datetime

from django.utils import timezone

from rma.cases.models import Action, Case
from tests.factories import CaseEventFactory, CaseFactory, CaseMessageFactory

LIST = "/admin/rma/case/"
S = Case.Status


def listed(client, query: str) -> list[str]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return [case.number for case in response.context["cl"].result_list]


def test_a_second_sort_column_is_dropped_for_the_first_ones_index(agent_client):
    CaseFactory.create_batch(3)
    response = agent_client.get(f"{LIST}?o=5.1")
    assert response.context["cl"].queryset.query.order_by == ("solution_type", "-created_at", "-id")


def test_the_cases_without_a_due_date_come_last_either_way(agent_client):
    now = timezone.now()
    soon = CaseFactory(due_at=now + datetime.timedelta(days=1))
    later = CaseFactory(due_at=now + datetime.timedelta(days=5))
    never = CaseFactory(status=S.COMPLETED, due_at=None)
    assert listed(agent_client, "o=4") == [soon.number, later.number, never.number]
    assert listed(agent_client, "o=-4") == [later.number, soon.number, never.number]


def test_the_timeline_shows_the_newest_events_and_offers_the_older(agent_client):
    case = CaseFactory(status=S.PROCESSING)
    start = timezone.now() - datetime.timedelta(days=30)
    for n in range(25):
        CaseEventFactory(case=case, action=Action.EDIT, comment=f"Edit number {n}.",
                         created_at=start + datetime.timedelta(hours=n))  # fmt: skip
    page = agent_client.get(f"{LIST}{case.pk}/change/").content.decode()
    timeline = page.split('class="inline-group case-timeline"')[1]
    assert "Edit number 24." in timeline and "Edit number 5." in timeline and "Edit number 4." not in timeline
    assert timeline.index("Edit number 24.") < timeline.index("Edit number 5.")
    assert "history=40" in timeline
    older = agent_client.get(f"{LIST}{case.pk}/change/?history=40").content.decode()
    timeline = older.split('class="inline-group case-timeline"')[1]
    assert "Edit number 0." in timeline and "history=" not in timeline


def test_the_conversation_shows_the_newest_messages_first(agent_client):
    case = CaseFactory(status=S.PROCESSING)
    start = timezone.now() - datetime.timedelta(days=30)
    for n in range(22):
        CaseMessageFactory(
            case=case, body=f"Message number {n}.", created_at=start + datetime.timedelta(hours=n)
        )
    page = agent_client.get(f"{LIST}{case.pk}/change/").content.decode()
    messages = page.split('class="inline-group case-messages"')[1].split("</section>")[0]
    assert messages.index("Message number 21.") < messages.index("Message number 2.")
    assert "Message number 1." not in messages and "messages=40" in messages

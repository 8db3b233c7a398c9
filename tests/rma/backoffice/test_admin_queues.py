"""The agents' case list: queues with counts, due times, bulk actions, query counts, signals."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from rma.cases.models import Action, Case, CaseEvent
from tests.factories import AgentFactory, CaseFactory, CaseItemFactory, CustomerFactory, WarehouseFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db

S = Case.Status
LIST = "/admin/rma/case/"


def tab_counts(html: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(r'data-queue="([a-z_]+)">[^<]*<span class="count">(\d+)</span>', html)
    }


def listed_numbers(html: str) -> set[str]:
    return set(re.findall(r"RMA-\d{4}-\d{6}", html))


def test_the_case_list_shows_every_queue_with_its_count(agent, agent_client):
    CaseFactory(status=S.UNDER_REVIEW, assigned_agent=agent)
    CaseFactory(status=S.DISAGREED)
    CaseFactory(status=S.PENDING_APPROVAL)
    CaseFactory(status=S.AWAITING_INFO, due_at=timezone.now() - datetime.timedelta(hours=1))
    CaseFactory(status=S.AWAITING_RETURN, due_at=timezone.now() - datetime.timedelta(hours=1))
    html = agent_client.get(LIST).content.decode()
    assert tab_counts(html) == {
        "new_claims": 0,
        "mine": 1,
        "unassigned": 4,
        "waiting_on_us": 2,
        "waiting_on_customer": 2,
        "overdue": 2,
        "disagreed": 1,
        "awaiting_approval": 1,
        "hold_to_settle": 1,
    }


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("mine", {"mine"}),
        ("overdue", {"late"}),
        ("disagreed", {"disagreed"}),
        ("unassigned", {"late", "disagreed"}),
    ],
)
def test_a_queue_tab_lists_its_cases_only(agent, agent_client, queue, expected):
    cases = {
        "mine": CaseFactory(status=S.UNDER_REVIEW, assigned_agent=agent),
        "late": CaseFactory(status=S.AWAITING_INFO, due_at=timezone.now() - datetime.timedelta(hours=1)),
        "disagreed": CaseFactory(status=S.DISAGREED),
    }
    html = agent_client.get(LIST, {"queue": queue}).content.decode()
    shown = {name for name, case in cases.items() if case.number in listed_numbers(html)}
    assert shown == expected
    assert f'data-queue="{queue}"' in html
    assert re.search(rf'aria-current="page" data-queue="{queue}"', html)


def test_the_list_shows_the_due_time_and_marks_overdue_cases(agent_client):
    late = CaseFactory(status=S.AWAITING_INFO, due_at=timezone.now() - datetime.timedelta(days=2))
    html = agent_client.get(LIST).content.decode()
    assert late.number in html
    assert 'class="overdue"' in html


def _bulk_create_cases(count: int) -> None:
    customers = CustomerFactory.create_batch(5)
    agents = AgentFactory.create_batch(3)
    warehouse = WarehouseFactory()
    statuses = list(S.values)
    Case.objects.bulk_create(
        Case(
            number=f"RMA-2025-{index:06d}",
            customer=customers[index % 5],
            assigned_agent=agents[index % 3] if index % 4 else None,
            status=statuses[index % len(statuses)],
            solution_type=Case.SolutionType.REPLACEMENT,
            return_required=True,
            warehouse=warehouse,
            country="US",
            due_at=timezone.now() + datetime.timedelta(hours=index - count // 2),
        )
        for index in range(count)
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_the_case_list_costs_the_same_queries_for_10_and_1000_cases(
    agent_client, count, django_assert_max_num_queries
):
    _bulk_create_cases(count)
    # (The person's own queue is a query of its own; with the database cache of the embedded
    # default, reading and keeping the shared counts are queries too: rma.backoffice.queues.)
    with django_assert_max_num_queries(20):
        response = agent_client.get(LIST)
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        assert agent_client.get(LIST, {"queue": "overdue"}).status_code == 200


def test_the_case_list_skips_the_full_count_and_offers_customer_autocomplete(agent_client):
    from django.contrib import admin

    model_admin = admin.site.get_model_admin(Case)
    assert model_admin.show_full_result_count is False
    assert "customer" in model_admin.autocomplete_fields or "customer" in model_admin.list_select_related


# --- Bulk actions ------------------------------------------------------------------------------


def post_action(client, action, cases, **extra):
    data = {"action": action, "_selected_action": [case.pk for case in cases], "index": "0", **extra}
    return client.post(LIST, data)


def test_bulk_assign_asks_for_the_agent_then_assigns_through_the_service(agent, agent_client):
    cases = CaseFactory.create_batch(3, status=S.AWAITING_INFO)
    other = AgentFactory(full_name="Otto Other")
    page = post_action(agent_client, "bulk_assign", cases)
    assert page.status_code == 200
    assert "Assign 3 cases" in page.content.decode()
    response = post_action(agent_client, "bulk_assign", cases, apply="Assign", agent=other.pk)
    assert response.status_code == 302
    assert set(Case.objects.values_list("assigned_agent", flat=True)) == {other.pk}
    assert CaseEvent.objects.filter(action=Action.EDIT, actor=agent).count() == 3


def test_a_supervisor_approves_in_bulk_and_cases_in_another_status_are_left_alone(supervisor_client):
    waiting = CaseFactory.create_batch(2, status=S.PENDING_APPROVAL, needs_approval=True)
    draft = CaseFactory(status=S.DRAFT)
    response = post_action(supervisor_client, "bulk_approve", [*waiting, draft])
    assert response.status_code == 302
    assert set(
        Case.objects.filter(pk__in=[case.pk for case in waiting]).values_list("status", flat=True)
    ) == {S.PENDING_CONFIRM}
    assert Case.objects.get(pk=draft.pk).status == S.DRAFT
    assert CaseEvent.objects.filter(action=Action.APPROVE).count() == 2


def test_each_case_left_alone_by_a_bulk_action_is_a_sentence_of_its_own(supervisor_client):
    drafts = sorted(CaseFactory.create_batch(2, status=S.DRAFT), key=lambda case: case.pk)
    waiting = CaseFactory(status=S.PENDING_APPROVAL, needs_approval=True)
    data = {
        "action": "bulk_approve",
        "_selected_action": [case.pk for case in [*drafts, waiting]],
        "index": "0",
    }

    response = supervisor_client.post(LIST, data, follow=True)

    shown = [str(message) for message in response.context["messages"]]
    assert shown[:2] == ["1 case approved.", "2 cases were left as they were:"]
    assert [line.split(": ", 1)[0] for line in shown[2:]] == [case.number for case in drafts]
    for line in shown:
        assert ".;" not in line and "RMA RMA" not in line


def test_an_agent_is_not_offered_bulk_approve_and_cannot_post_it(agent_client):
    waiting = CaseFactory(status=S.PENDING_APPROVAL, needs_approval=True)
    assert 'value="bulk_approve"' not in agent_client.get(LIST).content.decode()
    post_action(agent_client, "bulk_approve", [waiting])
    assert Case.objects.get(pk=waiting.pk).status == S.PENDING_APPROVAL
    assert not CaseEvent.objects.filter(action=Action.APPROVE).exists()


def test_bulk_remind_writes_to_customers_with_a_pending_step_only(
    agent_client, django_capture_on_commit_callbacks
):
    waiting = CaseFactory(status=S.AWAITING_INFO, due_at=timezone.now() + datetime.timedelta(days=3))
    done = CaseFactory(status=S.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(agent_client, "bulk_remind", [waiting, done])
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[waiting.customer.email]]
    assert CaseEvent.objects.filter(case=waiting, action=Action.REMIND).count() == 1
    assert not CaseEvent.objects.filter(case=done, action=Action.REMIND).exists()


def test_a_customer_is_not_reminded_by_hand_twice_in_a_day(agent_client, django_capture_on_commit_callbacks):
    waiting = CaseFactory(status=S.PENDING_CONFIRM)
    with django_capture_on_commit_callbacks(execute=True):
        post_action(agent_client, "bulk_remind", [waiting])
        post_action(agent_client, "bulk_remind", [waiting])
    assert len(mail.outbox) == 1


def test_staff_without_change_permission_get_no_bulk_actions(db):
    from tests.factories import StaffFactory

    client = staff_client_for(StaffFactory())
    assert client.get(LIST).status_code == 403


# --- The case page -----------------------------------------------------------------------------


def test_the_case_page_shows_repeat_signals(agent_client):
    earlier = CaseFactory(item=None)
    CaseItemFactory(case=earlier, serial_number="REPEAT-1")
    case = CaseFactory(item=None)
    CaseItemFactory(case=case, serial_number="REPEAT-1")
    html = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    assert 'data-signal="repeated_identifier"' in html
    assert f'href="/admin/rma/case/{earlier.pk}/change/"' in html


def test_a_case_page_without_signals_shows_none(agent_client):
    case = CaseFactory()
    html = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    assert "risk-signals" not in html


def test_the_reports_link_is_shown_to_supervisors_only(agent_client, supervisor_client):
    assert 'href="/admin/rma/reports/"' not in agent_client.get(LIST).content.decode()
    assert 'href="/admin/rma/reports/"' in supervisor_client.get(LIST).content.decode()


def test_the_case_page_shows_the_due_time(agent_client):
    case = CaseFactory(
        status=S.UNDER_REVIEW, due_at=datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)
    )
    html = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    assert "Due:" in html or ">Due<" in html
    assert "Dec. 1, 2026" in html

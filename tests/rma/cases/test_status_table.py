"""The status table: every status has its row, each row's facts name things that exist, and
a status declared by another app is read everywhere the table is."""

import pytest
from django.urls import reverse

from rma.backoffice.queues import queue_cases
from rma.backoffice.workspace import next_step_sentence
from rma.cases import deadlines
from rma.cases.emails import EMAILS, event_sends_email
from rma.cases.models import (
    OPEN_STATUSES,
    STATUS_TABLE,
    Action,
    Case,
    CaseEvent,
    Party,
    Role,
    Stage,
    all_status_facts,
    declare_status,
    status_facts,
)
from rma.cases.selectors import CUSTOMER_GROUPS, case_list_for_customer, group_of_status
from rma.portal import display
from rma.required.parts import required_parts
from rma.support.help import status_meanings
from tests.extra_part.statuses import ON_HOLD
from tests.factories import CaseFactory, every_part_in

GROUP_KEYS = {group.key for group in CUSTOMER_GROUPS}


def test_every_status_has_its_row_and_every_row_is_a_status():
    assert list(STATUS_TABLE) == list(Case.Status.values)
    for value, label in Case.Status.choices:
        assert status_facts(value).label == label


@pytest.mark.parametrize("facts", list(all_status_facts()), ids=lambda facts: facts.status)
def test_each_row_names_things_that_exist(facts):
    assert facts.waits_on in (*Party.values, None)
    assert (facts.waits_on is None) == facts.final, "a status waits on someone until it is final"
    if facts.deadline:
        deadlines.Allowance.parse(facts.deadline)
    if facts.due_field:
        assert hasattr(Case, facts.due_field)
    assert not (facts.deadline and facts.due_field), "one due time: an allowance or a date"
    assert facts.stage in (*Stage.ORDER, Stage.CLOSED)
    assert (facts.customer_group == "") == facts.hidden
    assert facts.hidden or facts.customer_group in GROUP_KEYS
    assert facts.hidden or facts.meaning, "the help page says what a status the customer sees means"
    for email in (facts.customer_email, facts.team_email):
        assert not email or email in EMAILS


def test_the_open_statuses_are_the_rows_not_final_in_the_partial_index():
    assert list(OPEN_STATUSES) == [row.status for row in all_status_facts() if not row.final]
    index = next(index for index in Case._meta.indexes if index.name == "rma_case_open")
    assert index.condition.children == [("status__in", OPEN_STATUSES)]


def test_the_case_reads_its_sets_from_the_table():
    assert {Case.Status.COMPLETED, Case.Status.CANCELLED} == Case.FINAL_STATUSES
    assert {Case.Status.DRAFT, Case.Status.PENDING_APPROVAL} == Case.HIDDEN_STATUSES
    # A claim is answered by writing the solution in it.
    assert {Case.Status.REQUESTED, Case.Status.DRAFT, Case.Status.DISAGREED} == Case.EDITABLE_STATUSES


# --- A status declared by another app (tests.extra_part) ----------------------------------------


@pytest.fixture
def on_hold():
    declare_status(ON_HOLD)
    yield ON_HOLD
    del STATUS_TABLE[ON_HOLD.status]


@pytest.mark.django_db
def test_a_declared_status_is_read_everywhere_the_table_is(on_hold, customer, agent, client):
    case = CaseFactory(customer=customer, status="on_hold", nothing_required=True)

    assert deadlines.whose_move("on_hold") == Party.TEAM
    assert deadlines.due_at_for("on_hold", case.status_changed_at) is not None
    assert "on_hold" in deadlines.statuses_waiting_on(Party.TEAM)
    assert group_of_status("on_hold").key == "in_progress"
    assert case in case_list_for_customer(user=customer, status="in_progress")
    assert not case.is_closed and case.is_visible_to_customer and not case.is_solution_editable
    assert "on_hold" not in Case.FINAL_STATUSES

    words = display.case_words(case, [])
    assert words.next_step.text == "Our move: the case is on hold." and not words.next_step.yours
    assert next_step_sentence(case) == "The team takes the case off hold."
    assert ("on_hold", "On hold", "The case waits for the team.") in status_meanings()
    assert case in queue_cases(Case.objects.all(), key="waiting_on_us", user=agent)

    client.force_login(customer)
    page = client.get(reverse("rma:case_detail", kwargs={"number": case.number}))
    assert page.status_code == 200
    assert "Our move: the case is on hold." in page.content.decode()


@pytest.mark.django_db
def test_a_declared_status_stands_on_its_stage_of_the_tracker(on_hold, customer):
    case = every_part_in(CaseFactory(customer=customer, status="on_hold"))
    steps = display.tracker(case, required_parts(case))
    states = {step.key: step.state for step in steps}
    assert states["agree"] == display.StepState.DONE
    assert states["review"] == display.StepState.CURRENT
    assert states["done"] == display.StepState.TO_COME


@pytest.mark.django_db
def test_entering_a_declared_status_sends_its_email(on_hold, customer):
    case = CaseFactory(customer=customer, status="on_hold")
    entering = CaseEvent(
        case=case, action=Action.EDIT, actor_role=Role.AGENT, from_status="under_review", to_status="on_hold"
    )
    staying = CaseEvent(case=case, action=Action.EDIT, actor_role=Role.AGENT)
    assert event_sends_email(entering)
    assert not event_sends_email(staying)

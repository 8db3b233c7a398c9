"""Due times set by the transitions, reminders before a customer's deadline, overdue flags."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction

from rma import tasks
from rma.backoffice import reminders
from rma.backoffice.figures import rebuild
from rma.backoffice.models import CaseDayFigure, CaseReminder, CaseStatusFigure
from rma.backoffice.reminder_batches import claim_cases
from rma.backoffice.reminders import flag_overdue_cases, remind_due_cases
from rma.cases.event_emails import TEAM, EmailTable, EventEmail
from rma.cases.models import Action, Case, CaseEvent, Role
from rma.cases.services import case_agree
from rma.required.services import case_mark_info_complete, case_request_info
from rma_portal.models import OutboxMessage
from tests.factories import AgentFactory, CaseFactory, every_part_in

S = Case.Status
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday


def later(**delta) -> datetime.datetime:
    return T0 + datetime.timedelta(**delta)


@pytest.fixture(autouse=True)
def _clock_settings(settings):
    settings.TIME_ZONE = "UTC"
    settings.RMA_DEADLINES = {}
    settings.RMA_HOLIDAYS = []
    settings.RMA_REMINDER_LEAD_HOURS = 72
    settings.WARRANTY_TEAM_EMAIL = "team@example.com"
    settings.SITE_URL = "https://rma.example.com"


@pytest.fixture
def waiting_case(db):
    """A case the customer agreed to at T0: it now waits 14 days for their information."""
    case = CaseFactory(status=S.PENDING_CONFIRM)
    with time_machine.travel(T0, tick=False):
        return case_agree(case=case, actor=case.customer)


def run_beat(when, capture):
    with time_machine.travel(when, tick=False), capture(execute=True):
        tasks.send_deadline_reminders()


@pytest.mark.django_db
def test_a_transition_sets_the_due_time_of_the_new_status(waiting_case):
    assert waiting_case.status == S.AWAITING_INFO
    assert waiting_case.due_at == later(days=14)
    with time_machine.travel(later(days=3, hours=6), tick=False):  # Thursday 15:00
        reviewed = case_mark_info_complete(case=every_part_in(waiting_case), actor=waiting_case.customer)
    assert reviewed.due_at == later(days=7, hours=6)  # two working days: Monday 15:00
    assert Case.objects.get(pk=waiting_case.pk).due_at == reviewed.due_at


@pytest.mark.django_db
def test_a_final_status_has_no_due_time():
    case = CaseFactory(status=S.PROCESSING, refund=True)
    from rma.cases.services import case_complete

    done = case_complete(case=case, actor=AgentFactory(), refund_reference="REF-1")
    assert done.due_at is None


@pytest.mark.django_db
def test_no_reminder_before_the_lead_time(waiting_case, django_capture_on_commit_callbacks):
    run_beat(later(days=10, hours=23), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not CaseReminder.objects.exists()


@pytest.mark.django_db
def test_the_customer_is_reminded_once_before_the_deadline(waiting_case, django_capture_on_commit_callbacks):
    run_beat(later(days=11, hours=1), django_capture_on_commit_callbacks)
    [sent] = mail.outbox
    assert sent.to == [waiting_case.customer.email]
    assert sent.subject == f"Reminder: {waiting_case.number} is waiting for you"
    assert f"https://rma.example.com/rma/{waiting_case.number}/" in sent.body
    assert "Your deadline: " in sent.body
    assert ".." not in sent.body  # an English time such as "9 a.m." ends no sentence
    assert 'role="article"' in sent.alternatives[0][0]
    for when in (later(days=11, hours=2), later(days=13, hours=23)):
        run_beat(when, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    event = CaseEvent.objects.get(case=waiting_case, action=Action.REMIND)
    assert event.actor is None
    assert CaseReminder.objects.get().sent_at is not None


@pytest.mark.django_db
def test_no_reminder_once_the_case_moved_on(waiting_case, django_capture_on_commit_callbacks):
    with time_machine.travel(later(days=5), tick=False):
        case_mark_info_complete(case=every_part_in(waiting_case), actor=waiting_case.customer)
    run_beat(later(days=11, hours=1), django_capture_on_commit_callbacks)
    assert [message for message in mail.outbox if message.to == [waiting_case.customer.email]] == []
    assert not CaseReminder.objects.filter(kind=CaseReminder.Kind.CUSTOMER).exists()


@pytest.mark.django_db
def test_a_reminder_claimed_just_before_the_case_moved_on_is_not_sent(
    waiting_case, django_capture_on_commit_callbacks
):
    with time_machine.travel(later(days=11, hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert remind_due_cases() == 1
        case_mark_info_complete(case=every_part_in(waiting_case), actor=waiting_case.customer)
        for callback in callbacks:
            callback()
    assert [message.subject for message in mail.outbox if "Reminder" in message.subject] == []
    assert CaseReminder.objects.get().sent_at is None


@pytest.mark.django_db
def test_a_new_deadline_gets_its_own_reminder(waiting_case, django_capture_on_commit_callbacks):
    run_beat(later(days=11, hours=1), django_capture_on_commit_callbacks)
    agent = AgentFactory()
    with time_machine.travel(later(days=12), tick=False):
        under_review = case_mark_info_complete(case=every_part_in(waiting_case), actor=waiting_case.customer)
        case_request_info(case=under_review, actor=agent, comment="The label photo is blurred.")
    mail.outbox.clear()
    run_beat(later(days=23, hours=1), django_capture_on_commit_callbacks)  # 14 days after day 12, minus 3
    assert [message.to for message in mail.outbox] == [[waiting_case.customer.email]]
    assert CaseReminder.objects.filter(kind=CaseReminder.Kind.CUSTOMER).count() == 2


@pytest.mark.django_db
def test_an_overdue_case_is_flagged_to_its_agent_once(waiting_case, django_capture_on_commit_callbacks):
    agent = AgentFactory(email="agnes@example.com")
    Case.objects.filter(pk=waiting_case.pk).update(assigned_agent=agent)
    run_beat(later(days=14, minutes=1), django_capture_on_commit_callbacks)
    flags = [message for message in mail.outbox if message.to == ["agnes@example.com"]]
    assert len(flags) == 1
    assert flags[0].subject == f"{waiting_case.number} is overdue (“Awaiting information”)"
    assert f"/admin/rma/case/{waiting_case.pk}/change/" in flags[0].body
    run_beat(later(days=15), django_capture_on_commit_callbacks)
    assert len([message for message in mail.outbox if message.to == ["agnes@example.com"]]) == 1
    assert CaseEvent.objects.filter(case=waiting_case, action=Action.FLAG_OVERDUE).count() == 1


@pytest.mark.django_db
def test_an_overdue_case_without_an_agent_is_flagged_to_the_team_address(
    db, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=S.UNDER_REVIEW, due_at=later(days=-1))
    run_beat(T0, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["team@example.com"]]
    assert case.number in mail.outbox[0].subject


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_reminders():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "rma.tasks.send_deadline_reminders" for entry in schedule.values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_beat_runs_send_each_reminder_once(settings):
    customers = []
    with time_machine.travel(T0, tick=False):
        for _index in range(8):
            case = CaseFactory(status=S.PENDING_CONFIRM)
            case_agree(case=case, actor=case.customer)
            customers.append(case.customer.email)
    mail.outbox = []
    start = threading.Barrier(2)
    errors = []

    def beat():
        try:
            start.wait(timeout=10)
            remind_due_cases(now=later(days=11, hours=1))
            flag_overdue_cases(now=later(days=11, hours=1))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(customers)
    assert CaseReminder.objects.count() == 8
    assert CaseEvent.objects.filter(action=Action.REMIND).count() == 8


@pytest.fixture
def backlog(db):
    """Five cases past their due time, none flagged yet."""
    return CaseFactory.create_batch(5, status=S.UNDER_REVIEW, due_at=later(days=-1))


@pytest.mark.django_db
def test_a_backlog_is_flagged_in_batches_each_case_once(backlog, monkeypatch):
    monkeypatch.setattr(reminders, "CLAIM_BATCH", 2)
    queued = []
    monkeypatch.setattr(reminders, "queue_after_commit", lambda name, **kwargs: queued.append((name, kwargs)))
    assert flag_overdue_cases(now=T0) == 5
    assert [len(kwargs["reminder_ids"]) for _name, kwargs in queued] == [2, 2, 1]
    assert CaseReminder.objects.filter(kind=CaseReminder.Kind.OVERDUE).count() == 5
    assert CaseEvent.objects.filter(action=Action.FLAG_OVERDUE).count() == 5
    assert flag_overdue_cases(now=T0) == 0


@pytest.mark.django_db
def test_the_emails_of_a_batch_go_out_once_each(backlog, django_capture_on_commit_callbacks):
    run_beat(T0, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 5
    tasks.send_case_reminder_emails([reminder.pk for reminder in CaseReminder.objects.all()])
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_a_batch_of_cases_is_claimed_in_a_fixed_number_of_queries(backlog, django_assert_max_num_queries):
    # One batch: lock and read, reminders already written, two INSERTs, the email task's
    # outbox row; then the empty read.
    with django_assert_max_num_queries(10):
        assert flag_overdue_cases(now=T0) == 5


@pytest.mark.django_db
def test_each_flag_writes_its_reminder_and_its_event(backlog):
    exact = CaseFactory(status=S.UNDER_REVIEW, due_at=later(days=-2, seconds=5, microseconds=250))
    assert flag_overdue_cases(now=T0) == 6
    events = {event.case_id: event for event in CaseEvent.objects.filter(action=Action.FLAG_OVERDUE)}
    for case in [*backlog, exact]:
        event = events[case.pk]
        assert event.data == {"kind": "overdue", "due_at": case.due_at.isoformat()}
        assert (event.actor, event.actor_role, event.from_status, event.to_status) == (
            None,
            Role.SYSTEM,
            S.UNDER_REVIEW,
            S.UNDER_REVIEW,
        )
    assert events[exact.pk].data["due_at"] == "2026-10-31T09:00:05.000250+00:00"
    reminder = CaseReminder.objects.get(case=exact)
    assert (reminder.status, reminder.due_at, reminder.created_at, reminder.sent_at) == (
        S.UNDER_REVIEW,
        exact.due_at,
        T0,
        None,
    )


@pytest.mark.django_db
def test_a_case_claimed_meanwhile_by_another_run_is_left_to_it(backlog):
    # The unique constraint decides between runs, even for a case this run's read still shows
    # as unclaimed: here the batch is handed a case whose flag is already written.
    first, second = backlog[:2]
    CaseReminder.objects.create(
        case=first, kind=CaseReminder.Kind.OVERDUE, status=first.status, due_at=first.due_at
    )
    cases = Case.objects.filter(pk__in=[first.pk, second.pk]).select_for_update(skip_locked=True)
    with transaction.atomic():
        claimed = claim_cases(
            kind=CaseReminder.Kind.OVERDUE, cases=cases.order_by("due_at", "pk")[:10], now=T0
        )
    assert claimed.reminder_ids == [CaseReminder.objects.get(case=second).pk]
    assert claimed.last == (second.due_at, second.pk)
    assert CaseReminder.objects.filter(case=first).count() == 1
    assert [event.case_id for event in CaseEvent.objects.filter(action=Action.FLAG_OVERDUE)] == [second.pk]


@pytest.mark.django_db
def test_the_flags_leave_the_reports_figures_as_they_were(backlog):
    def figures():
        return (
            sorted(CaseStatusFigure.objects.values_list("status", "solution_type", "warehouse_id", "count")),
            sorted(CaseDayFigure.objects.values_list("day", "solution_type", "warehouse_id", "opened")),
        )

    rebuild()
    counted = figures()
    assert flag_overdue_cases(now=T0) == 5
    assert figures() == counted
    assert sum(row[3] for row in counted[0] if row[0] == S.UNDER_REVIEW) == 5


# An app's table that mails the team about every overdue flag (``settings.RMA_EVENT_EMAILS``).
OVERDUE_TABLE = EmailTable(
    app="watch",
    emails={"overdue": EventEmail("%(number)s is overdue", to=TEAM)},
    choose=lambda event: ("overdue",) if event.action == Action.FLAG_OVERDUE else (),
)


@pytest.mark.django_db
def test_the_flags_of_a_batch_queue_the_emails_an_apps_table_chooses(backlog, settings):
    # The batch writes its events itself (in one statement on PostgreSQL): the emails the
    # tables choose for them are queued as the writer of events queues them.
    settings.RMA_EVENT_EMAILS = [*settings.RMA_EVENT_EMAILS, f"{__name__}.OVERDUE_TABLE"]
    assert flag_overdue_cases(now=T0) == 5
    events = CaseEvent.objects.filter(action=Action.FLAG_OVERDUE)
    queued = OutboxMessage.objects.filter(task_name="rma.tasks.send_case_event_email")
    assert sorted(row.kwargs["event_id"] for row in queued) == sorted(event.pk for event in events)
    assert {row.kwargs["email"] for row in queued} == {"watch/overdue"}

"""The outbox: every task a committed change needs is kept until a worker has done it."""

import contextlib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from rma.cases.services import case_message_post
from rma_portal import outbox
from rma_portal.celery import app as celery_app
from rma_portal.models import OutboxMessage
from tests.factories import CaseFactory, CustomerFactory
from tests.workers import reset_broker_connections

pytestmark = pytest.mark.django_db

MESSAGE_EMAIL = "rma.tasks.send_case_message_email"


@contextlib.contextmanager
def broker_away():
    """Tasks are sent to a broker nobody answers for, instead of running in-process."""
    saved = {name: getattr(celery_app.conf, name) for name in ("broker_url", "task_always_eager")}
    reset_broker_connections()
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        reset_broker_connections()
        for name, value in saved.items():
            setattr(celery_app.conf, name, value)


def _message_from_customer(django_capture_on_commit_callbacks, body="Is my parcel there?"):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case_message_post(case=case, author=case.customer, body=body)
    return case


def test_a_change_records_its_email_in_the_outbox_and_the_worker_marks_it_done(
    django_capture_on_commit_callbacks,
):
    _message_from_customer(django_capture_on_commit_callbacks)

    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)
    assert row.done_at is not None
    assert len(mail.outbox) == 1


def test_a_change_rolled_back_leaves_nothing_in_the_outbox():
    case = CaseFactory()

    with contextlib.suppress(RuntimeError), transaction.atomic():
        case_message_post(case=case, author=case.customer, body="Never mind")
        raise RuntimeError("refused later in the same transaction")

    assert not OutboxMessage.objects.exists()


def test_with_the_broker_away_the_change_is_kept_and_its_email_waits_in_the_outbox(
    django_capture_on_commit_callbacks,
):
    with broker_away():
        case = _message_from_customer(django_capture_on_commit_callbacks)

    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)
    assert case.messages.count() == 1
    assert row.done_at is None
    assert row.due_at <= timezone.now()  # the relay hands it over at its next round
    assert mail.outbox == []


def test_the_relay_hands_a_waiting_task_over_once_the_broker_is_back(django_capture_on_commit_callbacks):
    with broker_away():
        _message_from_customer(django_capture_on_commit_callbacks)

    with broker_away():
        assert outbox.relay() == 0  # still away: nothing sent, nothing lost
    assert outbox.relay() == 1

    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)
    assert row.done_at is not None
    assert row.handoffs == 1
    assert len(mail.outbox) == 1


def test_a_task_delivered_again_after_it_ran_sends_nothing_twice(django_capture_on_commit_callbacks):
    _message_from_customer(django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)

    celery_app.tasks[MESSAGE_EMAIL].apply(kwargs={**row.kwargs, outbox.OUTBOX_KWARG: row.pk})

    assert len(mail.outbox) == 1


def test_a_task_another_worker_is_running_is_not_run_twice(django_capture_on_commit_callbacks):
    with broker_away():
        _message_from_customer(django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)
    assert outbox._claim(row.pk, "the-other-worker", exclusive=True)

    assert not outbox._claim(row.pk, "a-second-copy", exclusive=True)
    assert outbox.relay() == 0  # its claim is live: not handed over again
    assert mail.outbox == []


def test_a_task_whose_worker_died_is_handed_over_again_when_its_claim_lapses(
    django_capture_on_commit_callbacks,
):
    with broker_away():
        _message_from_customer(django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)
    outbox._claim(row.pk, "a-killed-worker", exclusive=True)
    OutboxMessage.objects.filter(pk=row.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))

    assert outbox.relay() == 1
    assert len(mail.outbox) == 1


def test_a_task_that_failed_waits_to_be_tried_again(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    with broker_away():
        _message_from_customer(django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)
    settings.EMAIL_BACKEND = "tests.test_outbox.RefusingBackend"
    task = celery_app.tasks[MESSAGE_EMAIL]
    monkeypatch.setitem(task.app.conf, "task_eager_propagates", False)

    result = task.apply(kwargs={**row.kwargs, outbox.OUTBOX_KWARG: row.pk}, throw=False)

    row.refresh_from_db()
    assert result.failed()
    assert row.done_at is None
    assert row.claimed_until is None
    assert row.due_at > timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_FAILED_AFTER - 5)


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.django_db(transaction=True)
def test_send_code_with_the_broker_away_says_the_code_may_take_a_minute():
    CustomerFactory(email="patient@example.com")
    client = Client()

    with broker_away():
        response = client.post("/login/", {"email": "patient@example.com"}, follow=True)

    row = OutboxMessage.objects.get(task_name="accounts.tasks.issue_login_code")
    assert response.status_code == 200
    assert "may take a minute" in response.content.decode()
    assert row.expires_at is not None


def test_a_request_for_a_code_is_written_down_without_a_code_and_cleared_once_done(
    django_capture_on_commit_callbacks,
):
    CustomerFactory(email="quick@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/login/", {"email": "quick@example.com"})

    row = OutboxMessage.objects.get(task_name="accounts.tasks.issue_login_code")
    assert row.done_at is not None
    assert row.kwargs == {}  # the browser's binding is not kept once the code is sent
    assert len(mail.outbox) == 1
    assert not OutboxMessage.objects.filter(task_name="accounts.tasks.send_login_code_email").exists()


def test_a_waiting_sign_in_task_past_its_validity_is_dropped_with_its_arguments(
    django_capture_on_commit_callbacks,
):
    CustomerFactory(email="late@example.com")
    with broker_away(), django_capture_on_commit_callbacks(execute=True):
        Client().post("/login/", {"email": "late@example.com"})
    OutboxMessage.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert outbox.relay() == 0

    row = OutboxMessage.objects.get()
    assert row.done_at is not None
    assert row.kwargs == {}
    assert mail.outbox == []


def test_an_email_sent_by_an_outbox_task_carries_a_message_id_made_from_its_row(
    django_capture_on_commit_callbacks, settings
):
    _message_from_customer(django_capture_on_commit_callbacks)
    row = OutboxMessage.objects.get(task_name=MESSAGE_EMAIL)

    (sent,) = mail.outbox

    assert sent.extra_headers["Message-ID"] == f"<rma-outbox-{row.pk}-1@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_send_code_writes_its_request_alone_and_its_commit_does_not_wait_for_the_disk():
    """One statement, its own transaction with ``synchronous_commit`` off for it alone; the
    connection is left as it was, and the request is worked as any outbox row."""
    from django.db import connection

    customer = CustomerFactory()

    assert Client().post("/login/", {"email": customer.email}).status_code == 302

    row = OutboxMessage.objects.get(task_name="accounts.tasks.issue_login_code")
    assert row.done_at is not None  # tasks run in-process here: the code was sent at once
    assert row.created_at < row.due_at and row.expires_at is not None
    assert [message.to for message in mail.outbox] == [[customer.email]]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


def test_a_task_written_alone_inside_a_transaction_is_part_of_it():
    task = celery_app.tasks["accounts.tasks.issue_login_code"]
    kwargs = {"email": "someone@example.com", "binding": "b", "ip_address": None, "user_agent": "",
              "valid_until": (timezone.now() + timedelta(minutes=15)).isoformat()}  # fmt: skip

    with contextlib.suppress(RuntimeError), transaction.atomic():
        outbox.record_alone(task, kwargs)
        raise RuntimeError("the change is rolled back")

    assert not OutboxMessage.objects.exists()

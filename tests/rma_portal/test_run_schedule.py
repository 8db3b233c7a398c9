"""In a local run, the periodic tasks run on their schedule without Celery beat."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rma.backoffice.models import CaseReminder
from rma.cases.models import Case
from tests.factories import AgentFactory, CaseFactory

pytestmark = pytest.mark.django_db


def test_run_schedule_once_sends_the_reminders_and_overdue_flags_that_are_due(
    settings, capsys, django_capture_on_commit_callbacks
):
    settings.WARRANTY_TEAM_EMAIL = "team@example.com"
    agent = AgentFactory(email="agnes@example.com")
    overdue = CaseFactory(
        status=Case.Status.AWAITING_INFO,
        assigned_agent=agent,
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_schedule", "--once")

    assert CaseReminder.objects.filter(case=overdue, kind=CaseReminder.Kind.OVERDUE).count() == 1
    assert [message.to for message in mail.outbox] == [["agnes@example.com"]]
    assert "send-deadline-reminders" in capsys.readouterr().out


def test_make_run_starts_the_schedule_beside_the_server():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py run_schedule &" in run_recipe
    assert "manage.py runserver" in run_recipe


def _failing(*args, **kwargs):
    raise RuntimeError("PayPal answered 404")


def test_one_failing_job_does_not_stop_the_schedule(
    settings, monkeypatch, caplog, capsys, django_capture_on_commit_callbacks
):
    """A job that raises is logged and the runner goes on with the jobs after it."""
    from rma_portal.celery import app

    settings.WARRANTY_TEAM_EMAIL = "team@example.com"
    settings.CELERY_BEAT_SCHEDULE = {
        "watch-paypal-holds": {"task": "payments.tasks.watch_holds", "schedule": 3600.0},
        "send-deadline-reminders": {"task": "rma.tasks.send_deadline_reminders", "schedule": 900.0},
    }
    monkeypatch.setattr(app.tasks["payments.tasks.watch_holds"], "run", _failing)
    agent = AgentFactory(email="agnes@example.com")
    overdue = CaseFactory(
        status=Case.Status.AWAITING_INFO,
        assigned_agent=agent,
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_schedule", "--once")

    assert CaseReminder.objects.filter(case=overdue, kind=CaseReminder.Kind.OVERDUE).count() == 1
    assert "watch-paypal-holds: failed: RuntimeError('PayPal answered 404')" in capsys.readouterr().err
    [failure] = [record for record in caplog.records if record.name == "rma_portal.run_schedule"]
    assert failure.exc_info is not None  # the first failure is logged with its traceback


def test_a_job_that_keeps_failing_is_reported_once_per_run_and_once_when_it_recovers(monkeypatch, caplog):
    from rma_portal.celery import app
    from rma_portal.management.commands.run_schedule import Command, Job

    task = app.tasks["payments.tasks.watch_holds"]
    monkeypatch.setattr(task, "run", _failing)
    job = Job(name="watch-paypal-holds", task_name=task.name, every=3600.0)
    command = Command()

    for _ in range(3):
        command.run_job(job, verbose=False)
    monkeypatch.undo()
    command.run_job(job, verbose=False)

    reports = [record for record in caplog.records if record.name == "rma_portal.run_schedule"]
    assert [record.exc_info is not None for record in reports] == [True, False, False, False]
    assert "failed again (3 in a row)" in reports[2].getMessage()
    assert "succeeded again after 3 failures" in reports[3].getMessage()
    assert job.failures_in_a_row == 0

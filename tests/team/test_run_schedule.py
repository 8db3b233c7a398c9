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

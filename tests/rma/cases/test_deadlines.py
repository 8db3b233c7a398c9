"""Deadline arithmetic: allowances per status, working days, whose move, overdue."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from rma.cases import deadlines
from rma.cases.deadlines import Allowance, Party, add_working_days, deadline_for, due_at_for, whose_move
from rma.cases.models import Case
from tests.factories import CaseFactory

UTC = datetime.UTC


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"
    settings.RMA_DEADLINES = {}
    settings.RMA_HOLIDAYS = []


def test_two_working_days_from_friday_afternoon_is_tuesday_afternoon():
    assert add_working_days(at(2026, 11, 27, 15, 0), 2) == at(2026, 12, 1, 15, 0)


def test_working_days_from_a_weekend_count_from_monday_morning():
    assert add_working_days(at(2026, 11, 28, 10, 30), 2) == at(2026, 12, 2, 0, 0)


def test_zero_working_days_on_a_weekday_is_the_same_moment():
    assert add_working_days(at(2026, 11, 25, 9, 0), 0) == at(2026, 11, 25, 9, 0)


def test_holidays_are_not_working_days(settings):
    settings.RMA_HOLIDAYS = ["2026-12-25", "2026-12-28"]
    # Thursday 24th + 1 working day skips Friday 25th, the weekend and Monday 28th.
    assert add_working_days(at(2026, 12, 24, 11, 0), 1) == at(2026, 12, 29, 11, 0)


def test_working_days_keep_the_local_time_of_day_across_a_clock_change(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    with timezone.override("Europe/Berlin"):
        start = timezone.make_aware(datetime.datetime(2026, 10, 23, 9, 0))  # CEST, UTC+2
        due = add_working_days(start, 2)  # Tuesday 27th, CET, UTC+1
    assert due == at(2026, 10, 27, 8, 0)


def test_calendar_days_keep_the_local_time_of_day_across_a_clock_change():
    with timezone.override("Europe/Berlin"):
        start = timezone.make_aware(datetime.datetime(2026, 10, 20, 18, 0))
        due = Allowance.parse("14d").due_from(start)
    assert due == at(2026, 11, 3, 17, 0)


def test_hours_are_plain_elapsed_time():
    assert Allowance.parse("36h").due_from(at(2026, 11, 27, 15, 0)) == at(2026, 11, 29, 3, 0)


@pytest.mark.parametrize("text", ["", "14", "two days", "3w", "-2d", "1.5d"])
def test_an_allowance_must_be_a_whole_number_of_days_working_days_or_hours(text):
    with pytest.raises(ValueError):
        Allowance.parse(text)


def test_default_allowances_give_the_customer_14_days_and_the_team_2_working_days():
    assert due_at_for(Case.Status.AWAITING_INFO, at(2026, 11, 27, 15, 0)) == at(2026, 12, 11, 15, 0)
    assert due_at_for(Case.Status.UNDER_REVIEW, at(2026, 11, 27, 15, 0)) == at(2026, 12, 1, 15, 0)


def test_the_setting_overrides_one_status_and_keeps_the_other_defaults(settings):
    settings.RMA_DEADLINES = {"awaiting_info": "7d"}
    assert due_at_for(Case.Status.AWAITING_INFO, at(2026, 11, 27, 15, 0)) == at(2026, 12, 4, 15, 0)
    assert due_at_for(Case.Status.UNDER_REVIEW, at(2026, 11, 27, 15, 0)) == at(2026, 12, 1, 15, 0)


def test_none_in_the_setting_removes_a_deadline(settings):
    settings.RMA_DEADLINES = {"processing": "none"}
    assert due_at_for(Case.Status.PROCESSING, at(2026, 11, 27, 15, 0)) is None


def test_the_setting_refuses_a_status_that_waits_on_nobody(settings):
    settings.RMA_DEADLINES = {"completed": "3d"}
    with pytest.raises(ValueError):
        deadlines.allowances()


@pytest.mark.parametrize(
    ("status", "party"),
    [
        (Case.Status.DRAFT, Party.TEAM),
        (Case.Status.PENDING_APPROVAL, Party.SUPERVISOR),
        (Case.Status.PENDING_CONFIRM, Party.CUSTOMER),
        (Case.Status.DISAGREED, Party.TEAM),
        (Case.Status.AWAITING_INFO, Party.CUSTOMER),
        (Case.Status.UNDER_REVIEW, Party.TEAM),
        (Case.Status.PROCESSING, Party.TEAM),
        (Case.Status.COMPLETED, None),
        (Case.Status.CANCELLED, None),
    ],
)
def test_whose_move_each_status_is(status, party):
    assert whose_move(status) == party


@pytest.mark.parametrize("status", [Case.Status.COMPLETED, Case.Status.CANCELLED])
def test_final_statuses_have_no_deadline(status):
    assert due_at_for(status, at(2026, 11, 27, 15, 0)) is None


@pytest.mark.django_db
def test_a_case_becomes_overdue_once_its_due_time_has_passed():
    case = CaseFactory(status=Case.Status.AWAITING_INFO, status_changed_at=at(2026, 11, 2, 12, 0))
    with time_machine.travel(at(2026, 11, 16, 11, 59), tick=False):
        deadline = deadline_for(case)
        assert deadline.due_at == at(2026, 11, 16, 12, 0)
        assert deadline.party == Party.CUSTOMER
        assert deadline.overdue is False
    with time_machine.travel(at(2026, 11, 16, 12, 0, 1), tick=False):
        assert deadline_for(case).overdue is True


@pytest.mark.django_db
def test_a_completed_case_is_never_overdue():
    case = CaseFactory(status=Case.Status.COMPLETED, status_changed_at=at(2020, 1, 1))
    assert deadline_for(case, now=at(2026, 11, 27)).overdue is False
    assert deadline_for(case).party is None

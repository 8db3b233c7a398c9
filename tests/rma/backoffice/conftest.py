"""Fixtures of the warranty team's tests: staff clients and a hand-computed set of cases."""

import datetime

import pytest

from rma.cases.models import Action, Case, Role
from tests.factories import AgentFactory, CaseEventFactory, CaseFactory

S = Case.Status


def at(month, day, hour=0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=datetime.UTC)


def history(case, *steps):
    """Write ``case``'s events: (when, action, from_status, to_status)."""
    for when, action, source, target in steps:
        CaseEventFactory(
            case=case,
            action=action,
            actor_role=Role.AGENT,
            from_status=source,
            to_status=target,
            created_at=when,
        )


@pytest.fixture
def fixture_cases(db, settings):
    """Seven cases around the period 2 to 15 November 2026 (two weeks, UTC).

    The expected figures in the tests below are worked out by hand from this list.
    """
    settings.TIME_ZONE = "UTC"
    alice = AgentFactory(full_name="Alice Agent")
    bob = AgentFactory(full_name="Bob Agent")
    one = CaseFactory(status=S.COMPLETED, assigned_agent=alice, created_at=at(11, 2, 9))
    history(
        one,
        (at(11, 2, 10), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 3), Action.AGREE, S.PENDING_CONFIRM, S.PROCESSING),
        (at(11, 6, 10), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    # Disagreed, revised (visible a second time), then completed: 7 days from first visible.
    two = CaseFactory(status=S.COMPLETED, refund=True, assigned_agent=alice, created_at=at(11, 3, 8))
    history(
        two,
        (at(11, 3, 12), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 4), Action.DISAGREE, S.PENDING_CONFIRM, S.DISAGREED),
        (at(11, 5), Action.REVISE, S.DISAGREED, S.PENDING_CONFIRM),
        (at(11, 6), Action.AGREE, S.PENDING_CONFIRM, S.PROCESSING),
        (at(11, 10, 12), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    # Cancelled after a disagreement: never counted as completed.
    three = CaseFactory(status=S.CANCELLED, refund=True, assigned_agent=bob, created_at=at(11, 4))
    history(
        three,
        (at(11, 4, 1), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 5), Action.DISAGREE, S.PENDING_CONFIRM, S.DISAGREED),
        (at(11, 9), Action.CANCEL, S.DISAGREED, S.CANCELLED),
    )
    four = CaseFactory(
        status=S.AWAITING_INFO,
        solution_type=Case.SolutionType.RESEND,
        assigned_agent=bob,
        created_at=at(11, 10),
    )
    history(
        four,
        (at(11, 10, 1), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 11), Action.AGREE, S.PENDING_CONFIRM, S.AWAITING_INFO),
    )
    # Opened before the period, completed inside it: 23 days, nobody assigned.
    five = CaseFactory(status=S.COMPLETED, created_at=at(10, 19))
    history(
        five,
        (at(10, 20), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(10, 21), Action.AGREE, S.PENDING_CONFIRM, S.PROCESSING),
        (at(11, 12), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    # Opened after the period.
    six = CaseFactory(status=S.PENDING_CONFIRM, assigned_agent=alice, created_at=at(11, 20))
    history(six, (at(11, 20, 1), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM))
    # A draft nobody has picked up: opened in the period, never visible.
    CaseFactory(status=S.DRAFT, created_at=at(11, 11))
    return {"alice": alice, "bob": bob}

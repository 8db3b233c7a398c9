"""The agents' queues: which cases each holds, and their counts in one query."""

import datetime

import pytest
from django.utils import timezone

from rma.backoffice.queues import QUEUES, queue_cases, queue_counts
from rma.backoffice.workspace import next_step_for
from rma.cases.models import Case
from rma.cases.services import case_message_post
from tests.factories import AgentFactory, CaseFactory

pytestmark = pytest.mark.django_db

S = Case.Status


@pytest.fixture
def desk(agent):
    """One case per situation; the keys say what each is."""
    other = AgentFactory()
    return {
        "mine_review": CaseFactory(status=S.UNDER_REVIEW, assigned_agent=agent),
        "mine_done": CaseFactory(status=S.COMPLETED, assigned_agent=agent),
        "other_confirm": CaseFactory(status=S.PENDING_CONFIRM, assigned_agent=other),
        "nobody_draft": CaseFactory(status=S.DRAFT),
        # A warranty claim a customer sent: waiting for the team's answer.
        "nobody_claim": CaseFactory(status=S.REQUESTED),
        "nobody_cancelled": CaseFactory(status=S.CANCELLED),
        "nobody_info": CaseFactory(status=S.AWAITING_INFO),
        "mine_disagreed": CaseFactory(status=S.DISAGREED, assigned_agent=agent),
        "other_approval": CaseFactory(status=S.PENDING_APPROVAL, assigned_agent=other),
        "nobody_processing": CaseFactory(status=S.PROCESSING),
        "mine_late": CaseFactory(
            status=S.AWAITING_INFO,
            assigned_agent=agent,
            due_at=timezone.now() - datetime.timedelta(minutes=1),
        ),
        "done_long_ago": CaseFactory(status=S.COMPLETED, due_at=timezone.now() - datetime.timedelta(days=30)),
        # Advance replacements: the replacement shipped, the return due (or overdue).
        "nobody_return": CaseFactory(
            status=S.AWAITING_RETURN, due_at=timezone.now() + datetime.timedelta(days=5)
        ),
        "nobody_return_late": CaseFactory(
            status=S.AWAITING_RETURN, due_at=timezone.now() - datetime.timedelta(minutes=1)
        ),
    }


EXPECTED = {
    "new_claims": {"nobody_claim"},
    "mine": {"mine_review", "mine_disagreed", "mine_late"},
    "unassigned": {
        "nobody_claim",
        "nobody_draft",
        "nobody_info",
        "nobody_processing",
        "nobody_return",
        "nobody_return_late",
    },
    "waiting_on_us": {"mine_review", "nobody_claim", "nobody_draft", "mine_disagreed", "nobody_processing"},
    "waiting_on_customer": {
        "other_confirm",
        "nobody_info",
        "mine_late",
        "nobody_return",
        "nobody_return_late",
    },
    "overdue": {"mine_late", "nobody_return_late"},
    "disagreed": {"mine_disagreed"},
    "awaiting_approval": {"other_approval"},
    "hold_to_settle": {"nobody_return_late"},
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_queue_holds_its_cases(desk, agent, key):
    names = {case.pk: name for name, case in desk.items()}
    held = {
        names[pk] for pk in queue_cases(Case.objects.all(), key=key, user=agent).values_list("pk", flat=True)
    }
    assert held == EXPECTED[key]


def test_every_queue_is_tested():
    assert {queue.key for queue in QUEUES} == set(EXPECTED)


def test_queue_counts_come_from_one_query_and_the_shared_ones_are_kept_a_while(desk, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted(queries) -> int:  # the queries of the cases (not the cache's own, on the embedded default)
        return sum('FROM "rma_case"' in query["sql"] for query in queries)

    # The shared queues in one query, the person's own in another.
    with CaptureQueriesContext(connection) as first:
        counts = queue_counts(Case.objects.all(), user=agent)
    assert counts == {key: len(names) for key, names in EXPECTED.items()}
    assert counted(first.captured_queries) == 2
    # Within RMA_QUEUE_COUNTS_SECONDS the shared counts come from the cache.
    with CaptureQueriesContext(connection) as again:
        assert queue_counts(Case.objects.all(), user=agent) == counts
    assert counted(again.captured_queries) == 1


def test_the_shared_counts_lag_a_change_only_until_they_are_counted_again(desk, agent, settings):
    before = queue_counts(Case.objects.all(), user=agent)
    CaseFactory(status=S.DISAGREED, assigned_agent=agent)
    lagging = queue_counts(Case.objects.all(), user=agent)
    assert lagging["disagreed"] == before["disagreed"]
    assert lagging["mine"] == before["mine"] + 1  # a person's own queue is never kept
    settings.RMA_QUEUE_COUNTS_SECONDS = 0
    assert queue_counts(Case.objects.all(), user=agent)["disagreed"] == before["disagreed"] + 1


def test_my_cases_depend_on_who_looks(desk, agent):
    other = desk["other_confirm"].assigned_agent
    assert queue_counts(Case.objects.all(), user=other)["mine"] == 2
    assert queue_counts(Case.objects.all(), user=agent)["mine"] == 3
    assert queue_counts(Case.objects.all(), user=AgentFactory())["mine"] == 0


def test_a_customer_message_puts_the_case_in_our_queue_until_the_team_answers(agent):
    case = CaseFactory(status=S.PENDING_CONFIRM, assigned_agent=agent)

    def queues() -> set[str]:
        return {
            queue.key
            for queue in QUEUES
            if queue_cases(Case.objects.filter(pk=case.pk), key=queue.key, user=agent)
        }

    assert "waiting_on_customer" in queues() and "waiting_on_us" not in queues()
    case_message_post(case=case, author=case.customer, body="Which box should I use?")
    assert "waiting_on_us" in queues() and "waiting_on_customer" not in queues()
    case.refresh_from_db()
    assert "The team answers the customer's message of" in next_step_for(case).sentence

    case_message_post(case=case, author=agent, body="Any sturdy box will do.")
    assert "waiting_on_customer" in queues() and "waiting_on_us" not in queues()
    case.refresh_from_db()
    assert case.customer_wrote_at is None
    assert "The team answers" not in next_step_for(case).sentence

"""Concurrent clicks on one case, against PostgreSQL's row locks."""

import threading

import pytest
from django.db import connection

from rma.cases.models import Action, Case, CaseEvent
from rma.cases.services import case_agree, case_disagree
from rma.cases.workflow import CaseActionError
from tests.factories import CaseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Start every call at the same moment, each on its own connection; return their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "applied"
        except CaseActionError:
            outcomes[index] = "refused"
        except Exception as error:  # surfaced in the assertion below
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_agree_and_disagree_at_once_leave_one_outcome_and_one_event(attempt):
    case = CaseFactory(status=Case.Status.PENDING_CONFIRM)
    customer = case.customer
    outcomes = _race(
        lambda: case_agree(case=case, actor=customer),
        lambda: case_disagree(case=case, actor=customer, comment="I want a refund instead"),
    )
    assert sorted(outcomes) == ["applied", "refused"], outcomes
    case.refresh_from_db()
    (event,) = CaseEvent.objects.filter(case=case)
    winner = Action.AGREE if outcomes[0] == "applied" else Action.DISAGREE
    assert event.action == winner
    assert case.status == event.to_status
    assert case.status == (Case.Status.AWAITING_INFO if winner == Action.AGREE else Case.Status.DISAGREED)


def test_many_agree_clicks_at_once_apply_once():
    case = CaseFactory(status=Case.Status.PENDING_CONFIRM)
    customer = case.customer
    outcomes = _race(*[lambda: case_agree(case=case, actor=customer) for _ in range(6)])
    assert outcomes.count("applied") == 1 and outcomes.count("refused") == 5, outcomes
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_case_numbers_taken_at_once_are_all_different():
    from rma.cases.editing import case_create
    from tests.factories import AgentFactory, CustomerFactory

    agent = AgentFactory()
    customers = [CustomerFactory() for _ in range(6)]
    item = {"product_model": "E1", "serial_number": "SN1", "purchase_date": "2025-01-01"}
    outcomes = _race(
        *[
            (
                lambda c=c: case_create(
                    case=Case(customer=c, solution_type="resend", country="US"), actor=agent, items=[item]
                )
            )
            for c in customers
        ]
    )
    assert outcomes == ["applied"] * 6
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 6


def test_two_agents_creating_the_same_new_customer_share_one_account():
    from accounts.models import User
    from rma.cases.editing import customer_for_email

    found = []
    outcomes = _race(*[lambda: found.append(customer_for_email(email="race@example.com")) for _ in range(4)])
    assert outcomes == ["applied"] * 4
    assert len({user.pk for user in found}) == 1
    assert User.objects.filter(email__iexact="race@example.com").count() == 1

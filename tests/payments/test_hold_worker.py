"""
Advance replacement through a real Celery worker on Redis: the return arrives, the hold's
release is queued after the commit, PayPal is down for a while, the worker retries with the
same PayPal-Request-Id, and the hold ends released exactly once.
"""

import time

import pytest

import payments.tasks  # noqa: F401  (registered on the app before the fixture reconfigures it)
from payments.models import HoldState, ReplacementChoice
from rma.cases.models import Action, Case, CaseEvent
from rma.required.advance import case_receive_return
from tests.factories import AgentFactory
from tests.payments.holds import loopback_authorization, shipped_ahead_case
from tests.payments.paypal_server import CLIENT_ID, CLIENT_SECRET
from tests.workers import own_queue, running_worker

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(paypal_server, tmp_path):
    """A real Celery worker for the payments tasks, talking to the loopback PayPal."""
    with (
        own_queue("payments.tasks.*") as queue,
        running_worker(
            queue,
            tmp_path / "worker.log",
            MEDIA_ROOT=str(tmp_path / "media"),
            PAYPAL_API_BASE_URL=paypal_server.url,
            PAYPAL_CLIENT_ID=CLIENT_ID,
            PAYPAL_CLIENT_SECRET=CLIENT_SECRET,
            PAYPAL_TIMEOUT="1",
            PAYPAL_RETRY_BACKOFF="1",
        ) as process,
    ):
        yield process


def wait_until(condition, *, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_a_release_paypal_refuses_for_a_while_is_retried_by_the_worker_and_done_once(worker, paypal_server):
    authorization_id = loopback_authorization(paypal_server)
    case = shipped_ahead_case(days_since_hold=5, authorization_id=authorization_id)
    paypal_server.state.fail_with = 503

    started = time.monotonic()
    case = case_receive_return(case=case, actor=AgentFactory())
    assert time.monotonic() - started < 2, "the agent's click waited for PayPal"
    assert case.status == Case.Status.COMPLETED

    def void_tried():
        return paypal_server.state.calls(f"/v2/payments/authorizations/{authorization_id}/void")

    wait_until(
        void_tried, timeout=30, message="the worker never asked PayPal:\n" + worker.log_path.read_text()
    )
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.VOIDING
    paypal_server.state.fail_with = 0

    def released():
        return ReplacementChoice.objects.get(case=case).hold_state == HoldState.VOIDED

    wait_until(released, timeout=40, message="the hold was not released:\n" + worker.log_path.read_text())
    assert paypal_server.state.authorizations[authorization_id]["status"] == "VOIDED"
    voids = void_tried()
    assert len(voids) >= 2
    assert len({call.headers["PayPal-Request-Id"] for call in voids}) == 1
    assert CaseEvent.objects.filter(case=case, action=Action.HOLD_VOID).count() == 1
    assert "retry" in worker.log_path.read_text().lower()

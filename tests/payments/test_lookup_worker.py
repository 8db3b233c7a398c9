"""
The PayPal lookup through a real Celery worker on Redis: PayPal slow or down is retried
with backoff, and the customer's submission never waits for it.
"""

import time

import pytest
from django.urls import reverse

import payments.tasks  # noqa: F401  (registered on the app before the fixture reconfigures it)
from payments.models import LookupState, PartState, SupplementaryPayment
from rma.cases.models import Case
from tests import files
from tests.factories import CaseFactory
from tests.payments.paypal_server import CLIENT_ID, CLIENT_SECRET
from tests.workers import own_queue, running_worker

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NUMBER = "5TY05013RG002845M"


@pytest.fixture
def payments_queue():
    """The payments tasks of this test go to a queue of their own on the test Redis."""
    with own_queue("payments.tasks.*") as queue:
        yield queue


@pytest.fixture
def worker(payments_queue, paypal_server, tmp_path):
    """A real Celery worker process, talking to the loopback PayPal with a 1 s timeout."""
    with running_worker(
        payments_queue,
        tmp_path / "worker.log",
        MEDIA_ROOT=str(tmp_path / "media"),
        PAYPAL_API_BASE_URL=paypal_server.url,
        PAYPAL_CLIENT_ID=CLIENT_ID,
        PAYPAL_CLIENT_SECRET=CLIENT_SECRET,
        PAYPAL_TIMEOUT="1",
        PAYPAL_RETRY_BACKOFF="1",
    ) as process:
        yield process


def wait_until(condition, *, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def submit_proof(client, case):
    client.force_login(case.customer)
    started = time.monotonic()
    response = client.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": NUMBER, "receipts": [files.jpeg("receipt.jpg")]},
    )
    return response, time.monotonic() - started


@pytest.mark.parametrize("fault", ["slow", "down"])
def test_a_slow_or_down_paypal_is_retried_until_it_answers(client, worker, paypal_server, fault):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    if fault == "slow":
        paypal_server.state.delay = 5  # well past the worker's 1 s timeout
    else:
        paypal_server.state.fail_with = 503

    response, took = submit_proof(client, case)

    assert response.status_code == 302
    assert took < 5, "the submission waited for PayPal"
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.state == PartState.SUBMITTED
    assert payment.lookup_state == LookupState.QUEUED

    def searches():
        return paypal_server.state.calls("/v1/oauth2/token")

    wait_until(searches, timeout=30, message="the worker never asked PayPal:\n" + worker.log_path.read_text())

    paypal_server.state.add_transaction(NUMBER, amount="12.50", currency="USD")
    paypal_server.state.delay = 0
    paypal_server.state.fail_with = 0

    def matched():
        payment.refresh_from_db()
        return payment.lookup_state == LookupState.MATCHED

    wait_until(matched, timeout=40, message="no match recorded:\n" + worker.log_path.read_text())
    assert "retry" in worker.log_path.read_text().lower()
    assert payment.lookup_amount is not None

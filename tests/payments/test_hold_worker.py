"""
Advance replacement through a real Celery worker on Redis: the return arrives, the hold's
release is queued after the commit, PayPal is down for a while, the worker retries with the
same PayPal-Request-Id, and the hold ends released exactly once.
"""

import datetime
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

import payments.tasks  # noqa: F401  (registered on the app before the fixture reconfigures it)
from payments.models import HoldState, ReplacementChoice
from rma.cases.models import Action, Case, CaseEvent
from rma.required.advance import case_receive_return
from tests.factories import AgentFactory
from tests.payments.holds import (
    add_address,
    advance_case,
    loopback_authorization,
    place_hold,
    shipped_ahead_case,
)
from tests.payments.paypal_server import CLIENT_ID, CLIENT_SECRET
from tests.workers import own_queue, running_worker

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def warranty_groups():
    """The warranty groups with what these steps need: migrations make them, but a test that
    commits empties the tables after it (the permissions themselves are made again)."""
    rma_permissions = Permission.objects.filter(
        content_type__app_label="rma", codename__in=["view_case", "change_case"]
    )
    approve = Permission.objects.filter(content_type__app_label="rma", codename="approve_case")
    agents, _ = Group.objects.get_or_create(name="Warranty agents")
    agents.permissions.add(*rma_permissions)
    supervisors, _ = Group.objects.get_or_create(name="Warranty supervisors")
    supervisors.permissions.add(*rma_permissions, *approve)


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
    # Complete only once PayPal confirms the release: meanwhile the case waits on it.
    assert case.status == Case.Status.AWAITING_RETURN

    def asked_twice():  # PayPal answers nothing but errors: the first try and a retry
        return len(paypal_server.state.requests) >= 2

    wait_until(asked_twice, timeout=30, message="the worker did not retry:\n" + worker.log_path.read_text())
    assert ReplacementChoice.objects.get(case=case).hold_state == HoldState.VOIDING
    assert paypal_server.state.authorizations[authorization_id]["status"] == "CREATED"
    paypal_server.state.fail_with = 0

    def released():
        return ReplacementChoice.objects.get(case=case).hold_state == HoldState.VOIDED

    wait_until(released, timeout=40, message="the hold was not released:\n" + worker.log_path.read_text())
    assert paypal_server.state.authorizations[authorization_id]["status"] == "VOIDED"
    voids = paypal_server.state.calls(f"/v2/payments/authorizations/{authorization_id}/void")
    assert len({call.headers["PayPal-Request-Id"] for call in voids}) == 1
    wait_until(
        lambda: Case.objects.get(pk=case.pk).status == Case.Status.COMPLETED,
        timeout=10,
        message="the case did not complete once PayPal released the hold",
    )
    assert CaseEvent.objects.filter(case=case, action=Action.HOLD_VOID).count() == 1
    assert "retry" in worker.log_path.read_text().lower()


def test_end_to_end_through_the_pages_the_admin_and_the_worker(
    client, worker, paypal_server, agent_client, supervisor_client
):
    """Two cases: one returned within the window (the hold released), one whose window
    passed (a supervisor captures the hold); every PayPal settlement by the worker."""
    returned, kept = advance_case(), advance_case()
    for case in (returned, kept):
        add_address(case)
        choice = place_hold(client, case, paypal_server)
        case.refresh_from_db()
        assert case.status == Case.Status.UNDER_REVIEW, case
        for action, data in (
            (Action.ACCEPT, {"comment": ""}),
            (
                Action.SHIP_AHEAD,
                {"outbound_carrier": "UPS", "outbound_tracking_number": "1Z999AA10123456784"},
            ),
        ):
            agent_client.post(reverse("admin:rma_case_transition", args=[case.pk, action]), data)
        case.refresh_from_db()
        assert case.status == Case.Status.AWAITING_RETURN
        assert choice.hold_state == HoldState.AUTHORIZED

    agent_client.post(reverse("admin:rma_case_transition", args=[returned.pk, Action.RECEIVE_RETURN]), {})
    Case.objects.filter(pk=kept.pk).update(return_due_at=timezone.now() - datetime.timedelta(minutes=1))
    supervisor_client.post(reverse("admin:rma_case_transition", args=[kept.pk, Action.CAPTURE_HOLD]), {})

    def settled():
        states = dict(ReplacementChoice.objects.values_list("case_id", "hold_state"))
        return states == {returned.pk: HoldState.VOIDED, kept.pk: HoldState.CAPTURED}

    wait_until(settled, timeout=40, message="holds not settled:\n" + worker.log_path.read_text())
    statuses = {auth["status"] for auth in paypal_server.state.authorizations.values()}
    assert statuses == {"VOIDED", "CAPTURED"}
    assert Case.objects.get(pk=returned.pk).status == Case.Status.COMPLETED
    assert Case.objects.get(pk=kept.pk).status == Case.Status.COMPLETED

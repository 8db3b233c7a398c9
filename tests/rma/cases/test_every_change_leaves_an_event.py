"""
Every change made outside the customer pages goes through a service and leaves exactly one
event on the case: the admin's bulk actions, the review, the address on file, the deadline
reminders and the PayPal lookup tasks.
"""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from payments import tasks as payment_tasks
from payments.models import LookupState, SupplementaryPayment
from rma import tasks as rma_tasks
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.services import case_agree
from rma.required.models import PartState, ReturnShipment, ShippingAddress
from tests import files
from tests.factories import AgentFactory, CaseFactory
from tests.rma.required.test_return_and_address import ADDRESS, address_url, post_return
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db
S = Case.Status


def new_events(case: Case, before: set[int]) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).exclude(pk__in=before).values_list("action", flat=True))


def event_ids(case: Case) -> set[int]:
    return set(CaseEvent.objects.filter(case=case).values_list("pk", flat=True))


def post_action(client, action, cases, **extra):
    data = {"action": action, "_selected_action": [case.pk for case in cases], "index": "0", **extra}
    return client.post(reverse("admin:rma_case_changelist"), data)


def test_bulk_assign_leaves_one_edit_event(agent, agent_client):
    case = CaseFactory(status=S.PENDING_CONFIRM)
    before = event_ids(case)
    post_action(agent_client, "bulk_assign", [case], apply="Assign", agent=agent.pk)
    assert new_events(case, before) == [Action.EDIT]
    assert Case.objects.get(pk=case.pk).assigned_agent == agent


def test_bulk_approve_leaves_one_approve_event(supervisor_client):
    case = CaseFactory(status=S.PENDING_APPROVAL)
    before = event_ids(case)
    post_action(supervisor_client, "bulk_approve", [case])
    assert new_events(case, before) == [Action.APPROVE]


def test_bulk_remind_leaves_one_remind_event(agent_client, django_capture_on_commit_callbacks):
    case = CaseFactory(status=S.AWAITING_INFO)
    before = event_ids(case)
    with django_capture_on_commit_callbacks(execute=True):
        post_action(agent_client, "bulk_remind", [case])
    assert new_events(case, before) == [Action.REMIND]


@pytest.fixture
def case_under_review(settings):
    """A replacement with a payment: return, payment proof and address all sent (no PayPal)."""
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=S.AWAITING_INFO, payment_due=True)
    customer = Client()
    customer.force_login(case.customer)
    post_return(customer, case)
    customer.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("paid.jpg")]},
    )
    customer.post(address_url(case), ADDRESS)
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    return case


def test_accepting_in_the_review_leaves_one_event_and_marks_every_part_as_reviewed(case_under_review, agent):
    client = staff_client_for(agent)
    before = event_ids(case_under_review)
    client.post(reverse("admin:rma_case_review", args=[case_under_review.pk]), {"decision": "accept"})

    assert new_events(case_under_review, before) == [Action.ACCEPT]
    for model in (ReturnShipment, SupplementaryPayment, ShippingAddress):
        part = model.objects.get(case=case_under_review)
        assert (part.state, part.reviewed_by) == (PartState.ACCEPTED, agent)
        assert part.reviewed_at is not None


def test_sending_one_piece_back_leaves_one_event_and_marks_only_that_part(case_under_review, agent):
    client = staff_client_for(agent)
    before = event_ids(case_under_review)
    client.post(
        reverse("admin:rma_case_review", args=[case_under_review.pk]),
        {"decision": "send_back", "parts": ["label_photo"], "reason": "The label is cut off."},
    )

    assert new_events(case_under_review, before) == [Action.REQUEST_INFO]
    shipment = ReturnShipment.objects.get(case=case_under_review)
    assert (shipment.state, shipment.sent_back_items, shipment.reviewed_by) == (
        PartState.SENT_BACK,
        ["label_photo"],
        agent,
    )
    assert SupplementaryPayment.objects.get(case=case_under_review).state == PartState.SUBMITTED


def test_an_address_on_file_entered_in_admin_leaves_one_event(agent):
    case = CaseFactory(status=S.AWAITING_INFO, nothing_required=True, solution_type="replacement")
    client = staff_client_for(agent)
    before = event_ids(case)
    client.post(reverse("admin:rma_shippingaddress_add"), {"case": case.pk, **ADDRESS})
    assert new_events(case, before) == [Action.ADDRESS_ON_FILE]
    assert ShippingAddress.objects.get(case=case).state == PartState.TO_DO


def test_the_deadline_task_leaves_one_event_per_reminder_and_per_overdue_flag(
    settings, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "UTC"
    settings.RMA_DEADLINES = {}
    settings.RMA_HOLIDAYS = []
    settings.RMA_REMINDER_LEAD_HOURS = 72
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    waiting = CaseFactory(status=S.PENDING_CONFIRM)
    with time_machine.travel(start, tick=False):
        waiting = case_agree(case=waiting, actor=waiting.customer)
    before = event_ids(waiting)

    soon = waiting.due_at - datetime.timedelta(hours=1)
    with time_machine.travel(soon, tick=False), django_capture_on_commit_callbacks(execute=True):
        rma_tasks.send_deadline_reminders()
        rma_tasks.send_deadline_reminders()  # a second beat run adds nothing
    assert new_events(waiting, before) == [Action.REMIND]

    before = event_ids(waiting)
    late = waiting.due_at + datetime.timedelta(hours=1)
    with time_machine.travel(late, tick=False), django_capture_on_commit_callbacks(execute=True):
        rma_tasks.send_deadline_reminders()
    assert new_events(waiting, before) == [Action.FLAG_OVERDUE]


@pytest.fixture
def submitted_payment(settings):
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=S.AWAITING_INFO, nothing_required=True, payment_due=True)
    customer = Client()
    customer.force_login(case.customer)
    customer.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("paid.jpg")]},
    )
    return SupplementaryPayment.objects.get(case=case)


def test_a_lookup_that_cannot_reach_paypal_leaves_one_event(submitted_payment):
    case = submitted_payment.case
    before = event_ids(case)

    assert payment_tasks.lookup_payment.apply(kwargs={"payment_id": submitted_payment.pk}).get() == "skipped"

    assert new_events(case, before) == [Action.PAYMENT_LOOKUP]
    submitted_payment.refresh_from_db()
    assert submitted_payment.lookup_state == LookupState.SKIPPED


def test_a_lookup_that_reaches_paypal_leaves_one_event(submitted_payment, paypal_server):
    case = submitted_payment.case
    before = event_ids(case)

    payment_tasks.lookup_payment.apply(kwargs={"payment_id": submitted_payment.pk}).get()

    assert new_events(case, before) == [Action.PAYMENT_LOOKUP]
    submitted_payment.refresh_from_db()
    assert submitted_payment.looked_up_at is not None


def test_asking_paypal_again_from_the_admin_leaves_one_event(
    submitted_payment, paypal_server, django_capture_on_commit_callbacks
):
    case = submitted_payment.case
    client = staff_client_for(AgentFactory())
    before = event_ids(case)
    with django_capture_on_commit_callbacks(execute=False):  # the lookup itself is the test above
        client.post(
            reverse("admin:payments_supplementarypayment_changelist"),
            {"action": "look_up_again", "_selected_action": [submitted_payment.pk], "index": "0"},
        )
    assert new_events(case, before) == [Action.PAYMENT_LOOKUP]
    submitted_payment.refresh_from_db()
    assert submitted_payment.lookup_state == LookupState.QUEUED

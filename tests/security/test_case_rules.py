"""Rules around a case the audit found open: the client address in events, who decides that a
solution is reviewed, and messages on closed cases."""

from decimal import Decimal

import pytest
from django.utils import timezone

from rma.cases.editing import case_create, case_update
from rma.cases.models import Case, CaseEvent
from rma.cases.services import case_message_post, case_publish
from rma.cases.workflow import CasePermissionError, CaseStatusError
from tests.factories import CaseFactory, CaseItemFactory

pytestmark = pytest.mark.django_db


def test_events_record_the_client_address_the_trusted_proxy_saw(customer, customer_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    case = CaseFactory(customer=customer)

    customer_client.post(
        f"/rma/{case.number}/agree/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )

    event = CaseEvent.objects.get(case=case, action="agree")
    assert event.ip == "203.0.113.7"


def test_events_ignore_a_forwarded_address_without_a_trusted_proxy(customer, customer_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    case = CaseFactory(customer=customer)

    customer_client.post(
        f"/rma/{case.number}/agree/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )

    assert CaseEvent.objects.get(case=case, action="agree").ip == "192.0.2.9"


def test_an_agent_cannot_take_their_draft_out_of_review(agent):
    case = CaseFactory(status=Case.Status.DRAFT, needs_approval=True)
    case.needs_approval = False

    with pytest.raises(CasePermissionError, match="Only a supervisor"):
        case_update(case=case, actor=agent, changed_fields=["needs_approval"])

    assert Case.objects.get(pk=case.pk).needs_approval


def test_a_supervisor_may_decide_a_solution_needs_no_review(supervisor):
    case = CaseFactory(status=Case.Status.DRAFT, needs_approval=True)
    case.needs_approval = False

    case_update(case=case, actor=supervisor, changed_fields=["needs_approval"])

    assert not Case.objects.get(pk=case.pk).needs_approval


def test_a_large_refund_goes_to_a_supervisor_whoever_drafts_it(agent, customer, settings):
    settings.RMA_APPROVAL_REFUND_AMOUNT = Decimal("250")
    draft = Case(
        customer=customer,
        solution_type=Case.SolutionType.REFUND,
        refund_amount=Decimal("300.00"),
        refund_currency="USD",
        return_required=False,
        country="US",
    )

    case = case_create(case=draft, actor=agent)

    assert Case.objects.get(pk=case.pk).needs_approval


def test_publishing_a_large_refund_sends_it_to_a_supervisor_not_the_customer(agent, settings):
    case = CaseFactory(status=Case.Status.DRAFT, nothing_required=True, needs_approval=False)
    CaseItemFactory(case=case)
    case.items.update(purchase_date=timezone.localdate(), purchase_channel="official_store")
    Case.objects.filter(pk=case.pk).update(refund_amount=Decimal("999.00"))
    settings.RMA_APPROVAL_REFUND_AMOUNT = Decimal("250")

    case_publish(case=case, actor=agent)

    assert Case.objects.get(pk=case.pk).status == Case.Status.PENDING_APPROVAL


def test_the_admin_shows_needs_approval_read_only_to_an_agent(agent_client):
    case = CaseFactory(status=Case.Status.DRAFT, needs_approval=True)

    response = agent_client.get(f"/admin/rma/case/{case.pk}/change/")

    assert 'name="needs_approval"' not in response.content.decode()


@pytest.mark.parametrize("status", [Case.Status.CANCELLED, Case.Status.COMPLETED])
def test_a_customer_message_on_a_closed_case_is_refused_with_a_clear_word(customer, customer_client, status):
    case = CaseFactory(customer=customer, status=status)

    response = customer_client.post(f"/rma/{case.number}/messages/", {"body": "Still there?"}, follow=True)

    assert "closed" in response.content.decode()
    assert not case.messages.exists()


def test_the_team_cannot_write_on_a_cancelled_case(agent):
    case = CaseFactory(status=Case.Status.CANCELLED)

    with pytest.raises(CaseStatusError, match="closed"):
        case_message_post(case=case, author=agent, body="One more thing")

    assert not case.messages.exists()


def test_a_closed_case_page_offers_no_message_form(customer, customer_client):
    case = CaseFactory(customer=customer, status=Case.Status.CANCELLED)

    page = customer_client.get(f"/rma/{case.number}/").content.decode()

    assert 'name="body"' not in page
    assert "/support/" in page

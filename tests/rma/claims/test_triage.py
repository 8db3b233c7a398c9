"""The team answers a claim: opens it with its item filled in, writes the solution in the same
case and publishes it, asks a question, or declines it with a reason the customer reads."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from rma.cases.editing import case_update
from rma.cases.models import Action, Case
from rma.cases.services import case_agree, case_answer_claim, case_decline_claim, case_message_post
from rma.cases.workflow import CaseActionError
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory, WarehouseFactory
from tests.files import jpeg
from tests.rma.claims.conftest import claim_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(signed_in, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/rma/new/", {**claim_data(catalogue["camera"]), "photos": [jpeg("fault.jpg")]})
    mail.outbox.clear()
    return Case.objects.get()


def _write_replacement(case, agent):
    case.solution_type = Case.SolutionType.REPLACEMENT
    case.return_required = True
    case.warehouse = WarehouseFactory()
    case.country = "US"
    case_update(
        case=case, actor=agent, changed_fields=["solution_type", "return_required", "warehouse", "country"]
    )


def test_the_agent_opens_the_claim_with_its_item_words_and_photos(claim, agent_client):
    page = agent_client.get(f"/admin/rma/case/{claim.pk}/change/").content.decode()
    assert "data-claim" in page
    assert 'data-claim-reason="no_video"' in page
    assert "The picture stays black since Monday" in page
    assert f"/rma/claim-photos/{claim.claim.photos.get().pk}/thumbnail/" in page
    assert "SN-CLAIM-0001" in page  # the item, filled in from the claim
    assert 'data-action="answer_claim"' in page
    assert 'data-action="decline_claim"' in page
    photo = agent_client.get(f"/rma/claim-photos/{claim.claim.photos.get().pk}/image/")
    assert photo.status_code == 200


def test_the_new_claims_queue_shows_the_verdict_and_risk_signals(claim, agent_client, customer, settings):
    other = CaseFactory(item=None, status=Case.Status.PROCESSING)
    CaseItemFactory(case=other, serial_number="SN-CLAIM-0001")
    settings.RMA_RISK_CLAIMS_PER_CUSTOMER = 1

    page = agent_client.get("/admin/rma/case/new-claims/").content.decode()

    assert f'data-rma="{claim.number}"' in page
    assert 'data-verdict="in"' in page
    assert other.number in page  # the same S/N on another open case
    assert "claims from this customer in the last 365 days" in page
    tabs = agent_client.get("/admin/rma/case/?queue=new_claims").content.decode()
    assert 'data-queue="new_claims"' in tabs


def test_the_agent_writes_the_solution_in_the_claim_and_the_customer_agrees(
    claim, agent, agent_client, customer, signed_in, django_capture_on_commit_callbacks
):
    _write_replacement(claim, agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(f"/admin/rma/case/{claim.pk}/action/{Action.ANSWER_CLAIM}/", {})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Case.Status.PENDING_CONFIRM
    (ready,) = mail.outbox
    assert ready.to == [customer.email] and claim.number in ready.subject

    page = signed_in.get(f"/rma/{claim.number}/").content.decode()
    assert 'data-status="pending_confirm"' in page
    case_agree(case=claim, actor=customer, revision=claim.revision)
    claim.refresh_from_db()
    assert claim.status == Case.Status.AWAITING_INFO


def test_a_claim_out_of_warranty_goes_to_a_supervisor_with_the_exception(
    signed_in, catalogue, agent, django_capture_on_commit_callbacks
):
    bought = (timezone.localdate() - datetime.timedelta(days=3 * 365)).isoformat()
    signed_in.post("/rma/new/", claim_data(catalogue["camera"], purchase_date=bought))
    case = Case.objects.get()
    _write_replacement(case, agent)
    case.policy_exception_reason = "Long-standing customer; the fault is a known batch issue."
    case_update(case=case, actor=agent, changed_fields=["policy_exception_reason"])

    case_answer_claim(case=case, actor=agent)
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING_APPROVAL


def test_declining_cancels_the_claim_and_the_customer_reads_why(
    claim, agent_client, signed_in, customer, django_capture_on_commit_callbacks
):
    reason = "The damage comes from a fall, which the warranty does not cover."
    assert (
        agent_client.post(f"/admin/rma/case/{claim.pk}/action/{Action.DECLINE_CLAIM}/", {}).status_code == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/admin/rma/case/{claim.pk}/action/{Action.DECLINE_CLAIM}/", {"comment": reason})
    claim.refresh_from_db()
    assert claim.status == Case.Status.CANCELLED
    (declined,) = mail.outbox
    assert declined.to == [customer.email]
    assert reason in declined.body
    page = signed_in.get(f"/rma/{claim.number}/").content.decode()
    assert reason in page
    assert 'data-status="cancelled"' in page


def test_declining_needs_a_reason(claim, agent):
    with pytest.raises(CaseActionError):
        case_decline_claim(case=claim, actor=agent, comment="  ")
    claim.refresh_from_db()
    assert claim.status == Case.Status.REQUESTED


def test_a_question_by_message_reaches_the_customer_and_the_claim_waits(
    claim, agent, signed_in, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_message_post(case=claim, author=agent, body="Does the LED on the front light up at all?")
    (question,) = mail.outbox
    assert question.to == [customer.email]
    page = signed_in.get(f"/rma/{claim.number}/").content.decode()
    assert "Does the LED on the front light up at all?" in page
    assert 'data-status="requested"' in page
    assert "the warranty team asked you something about your claim" in page
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"/rma/{claim.number}/messages/", {"body": "No, it stays dark."})
    claim.refresh_from_db()
    assert claim.messages.count() == 2
    answered = signed_in.get(f"/rma/{claim.number}/").content.decode()
    assert "the warranty team asked you something" not in answered
    assert "the warranty team is looking at your claim" in answered


def test_another_customer_gets_a_404_for_the_claim(claim):
    stranger = Client()
    stranger.force_login(CustomerFactory())
    assert stranger.get(f"/rma/{claim.number}/").status_code == 404

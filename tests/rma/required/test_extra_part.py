"""A required part declared by an app of its own (``tests.extra_part``: a proof of purchase),
with no change to the core: the checklist, the tracker, the customer's step, the team's enter,
review and waive pages and the move to review all find it through its declaration."""

import pytest
from django.urls import reverse

from rma.cases.models import Case
from rma.portal import display
from rma.required.models import PartState
from rma.required.parts import required_parts
from tests.extra_part.models import ProofOfPurchase
from tests.factories import CaseFactory
from tests.staff import staff_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.extra_part.urls")]


@pytest.fixture(autouse=True)
def proof_declared(settings):
    settings.RMA_REQUIRED_PARTS = [*settings.RMA_REQUIRED_PARTS, "extra_part.ProofOfPurchase"]


@pytest.fixture
def case(customer):
    """A refund that asks for nothing of the core's parts: only the proof of purchase."""
    return CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, nothing_required=True)


def proof_url(case):
    return reverse("extra_part_proof", kwargs={"number": case.number})


def test_the_solution_asks_for_it(case):
    assert case.requires_info
    keys = [part.key for part in required_parts(case)]
    assert keys == ["proof"]


def test_the_checklist_the_tracker_and_the_requests_read_its_declaration(case):
    parts = required_parts(case)
    words = display.case_words(case, parts)
    assert [line.part.title for line in words.checklist] == ["Proof of purchase"]
    steps = {step.key: step for step in words.steps}
    assert steps["proof"].title == "Send the proof of purchase"
    assert steps["proof"].state == display.StepState.CURRENT
    assert words.requests == [f"Send us the invoice number of {case.number}."]
    assert "images" in words.help_anchors


def test_the_case_page_shows_it_and_joins_it(customer_client, case):
    page = customer_client.get(case.get_absolute_url()).content.decode()
    assert "Send the proof of purchase" in page
    assert proof_url(case) in page


def test_the_customer_sends_it_on_its_step_and_the_case_then_reaches_review(customer_client, case):
    assert customer_client.get(proof_url(case)).status_code == 200
    response = customer_client.post(proof_url(case), {"invoice_number": "INV-42"})
    assert response.status_code == 302
    proof = ProofOfPurchase.objects.get(case=case)
    assert (proof.state, proof.invoice_number, proof.on_behalf) == (PartState.SUBMITTED, "INV-42", False)
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW


def test_the_case_waits_for_it_before_review(customer_client, case):
    customer_client.post(proof_url(case), {"invoice_number": ""})
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_INFO


def test_the_team_enters_it_for_the_customer(agent, case):
    client = staff_client_for(agent)
    url = reverse("admin:rma_case_part_entry", args=[case.pk, "proof"])
    page = client.get(url)
    assert page.status_code == 200 and "invoice_number" in page.content.decode()
    client.post(url, {"invoice_number": "INV-7"})
    proof = ProofOfPurchase.objects.get(case=case)
    assert (proof.invoice_number, proof.on_behalf) == ("INV-7", True)


def test_the_review_page_shows_it(agent, customer_client, case):
    customer_client.post(proof_url(case), {"invoice_number": "INV-42"})
    page = staff_client_for(agent).get(reverse("admin:rma_case_review", args=[case.pk])).content.decode()
    assert "Proof of purchase" in page and "INV-42" in page


def test_the_team_waives_it(agent, case):
    client = staff_client_for(agent)
    url = reverse("admin:rma_case_waive", args=[case.pk])
    assert 'value="proof"' in client.get(url).content.decode()
    client.post(url, {"part": "proof", "reason": "The receipt came by post."})
    assert ProofOfPurchase.objects.get(case=case).state == PartState.WAIVED
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW

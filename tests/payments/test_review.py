"""The team's review of a payment proof: accept it, or send it back and get it again."""

import pytest
from django.urls import reverse

from payments.models import PartState, SupplementaryPayment
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.workflow import CaseActionError, CasePermissionError
from rma.required import parts as submissions
from rma.required import services as required_services
from tests import files
from tests.factories import AgentFactory, CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed_case(client):
    """A payment-only case whose proof the customer sent: now under review."""
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(case.customer)
    client.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("receipt.jpg")]},
    )
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW
    return case


def test_accepting_moves_the_case_to_processing_and_the_payment_to_accepted(reviewed_case):
    case = required_services.case_accept(case=reviewed_case, actor=AgentFactory())

    assert case.status == Case.Status.PROCESSING
    assert SupplementaryPayment.objects.get(case=case).state == PartState.ACCEPTED
    assert [part.state for part in submissions.required_parts(case)] == ["accepted"]


def test_a_payment_sent_back_is_shown_with_its_reason_and_sent_again(client, reviewed_case):
    required_services.submission_send_back(
        case=reviewed_case, actor=AgentFactory(), parts=["payment"], reason="The receipt is cut off."
    )

    reviewed_case.refresh_from_db()
    assert reviewed_case.status == Case.Status.AWAITING_INFO
    event = CaseEvent.objects.get(case=reviewed_case, action=Action.REQUEST_INFO)
    assert event.data == {"parts": ["payment"]}
    assert event.comment == "The receipt is cut off."
    [part] = submissions.required_parts(reviewed_case)
    assert (part.state, part.reason) == ("sent_back", "The receipt is cut off.")
    page = client.get(reverse("payments:payment", kwargs={"number": reviewed_case.number})).content.decode()
    assert "The receipt is cut off." in page
    assert "Send the payment proof again" in page

    client.post(
        reverse("payments:payment", kwargs={"number": reviewed_case.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.png("full-receipt.png")]},
    )

    reviewed_case.refresh_from_db()
    assert reviewed_case.status == Case.Status.UNDER_REVIEW
    payment = SupplementaryPayment.objects.get(case=reviewed_case)
    assert payment.state == PartState.SUBMITTED
    assert [r.original_name for r in payment.receipts.filter(is_current=True)] == ["full-receipt.png"]


def test_sending_back_needs_a_reason_and_changes_nothing_without_one(reviewed_case):
    with pytest.raises(CaseActionError, match="say why"):
        required_services.submission_send_back(
            case=reviewed_case, actor=AgentFactory(), parts=["payment"], reason=" "
        )

    reviewed_case.refresh_from_db()
    assert reviewed_case.status == Case.Status.UNDER_REVIEW
    assert SupplementaryPayment.objects.get(case=reviewed_case).state == PartState.SUBMITTED


def test_a_part_the_solution_does_not_need_cannot_be_sent_back(reviewed_case):
    with pytest.raises(CaseActionError, match="does not ask for: address"):
        required_services.submission_send_back(
            case=reviewed_case, actor=AgentFactory(), parts=["address"], reason="x"
        )

    reviewed_case.refresh_from_db()
    assert reviewed_case.status == Case.Status.UNDER_REVIEW


def test_a_customer_cannot_review_their_own_submission(reviewed_case):
    with pytest.raises(CasePermissionError):
        required_services.case_accept(case=reviewed_case, actor=reviewed_case.customer)

    reviewed_case.refresh_from_db()
    assert reviewed_case.status == Case.Status.UNDER_REVIEW
    assert SupplementaryPayment.objects.get(case=reviewed_case).state == PartState.SUBMITTED


def test_a_second_accept_is_refused_and_changes_nothing(reviewed_case):
    agent = AgentFactory()
    required_services.case_accept(case=reviewed_case, actor=agent)

    with pytest.raises(CaseActionError):
        required_services.case_accept(case=reviewed_case, actor=agent)

    assert CaseEvent.objects.filter(case=reviewed_case, action=Action.ACCEPT).count() == 1


def test_the_reviewer_sees_the_payment_details_receipts_and_warnings(client, reviewed_case, paypal_off):
    from django.contrib import admin

    from payments.models import PaymentReceipt
    from rma.required.admin_pages import review_sections

    other = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(other.customer)
    client.post(
        reverse("payments:payment", kwargs={"number": other.number}),
        {"transaction_number": "5TY05013RG002845M", "receipts": [files.jpeg("copy.jpg")]},
    )

    [(part, review)] = review_sections(admin.site, reviewed_case)

    assert part.key == "payment" and part.state == "submitted"
    assert ("Transaction number", "5TY05013RG002845M") in review.details
    assert ("Amount due", "12.50 USD") in review.details
    assert review.warnings == [f"The same transaction number is on: {other.number}."]
    receipt = PaymentReceipt.objects.get(payment__case=reviewed_case)
    [(caption, thumbnail, full)] = review.images
    assert caption == "receipt.jpg"
    assert thumbnail.endswith(f"/receipts/{receipt.pk}/thumbnail/")
    assert full.endswith(f"/receipts/{receipt.pk}/image/")

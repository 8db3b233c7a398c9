"""A single receipt (or the transaction number) can be sent back on its own; the customer
re-sends only that, and the rest of the proof stays as it was."""

import pytest
from django.urls import reverse

from payments.models import PaymentReceipt, SupplementaryPayment
from rma.cases.models import Case
from rma.required.models import PartState
from tests import files
from tests.factories import CaseFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_receipts_case(client, settings):
    settings.PAYPAL_CLIENT_ID = settings.PAYPAL_CLIENT_SECRET = ""
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    client.force_login(case.customer)
    client.post(
        reverse("payments:payment", kwargs={"number": case.number}),
        {
            "transaction_number": "5TY05013RG002845M",
            "receipts": [files.jpeg("one.jpg"), files.png("two.png"), files.webp("three.webp")],
        },
    )
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_REVIEW
    return case


def send_back(agent, case, *pieces, reason="The second receipt is unreadable."):
    return staff_client_for(agent).post(
        reverse("admin:rma_case_review", args=[case.pk]),
        {"decision": "send_back", "parts": list(pieces), "reason": reason},
    )


def test_the_review_offers_each_receipt_and_the_transaction_number_on_their_own(agent, three_receipts_case):
    page = staff_client_for(agent).get(reverse("admin:rma_case_review", args=[three_receipts_case.pk]))
    html = page.content.decode()
    assert 'value="transaction_number"' in html
    for position, name in ((1, "one.jpg"), (2, "two.png"), (3, "three.webp")):
        assert f'value="receipt-{position}"' in html
        assert f"Receipt {position} ({name})" in html


def test_one_receipt_sent_back_is_the_only_thing_the_customer_sends_again(client, agent, three_receipts_case):
    send_back(agent, three_receipts_case, "receipt-2")
    payment = SupplementaryPayment.objects.get(case=three_receipts_case)
    assert (payment.state, payment.sent_back_items) == (PartState.SENT_BACK, ["receipt-2"])

    url = reverse("payments:payment", kwargs={"number": three_receipts_case.number})
    page = client.get(url).content.decode()
    assert 'name="transaction_number"' not in page
    assert 'data-sent-back="true"' in page
    assert "The second receipt is unreadable." in page

    two_images = client.post(url, {"receipts": [files.jpeg("a.jpg"), files.jpeg("b.jpg")]})
    assert two_images.status_code == 400
    assert "exactly 1 new image" in two_images.content.decode()

    client.post(url, {"receipts": [files.jpeg("two-again.jpg")]})

    current = {
        r.position: r.original_name for r in PaymentReceipt.objects.filter(payment=payment, is_current=True)
    }
    assert current == {1: "one.jpg", 2: "two-again.jpg", 3: "three.webp"}
    assert PaymentReceipt.objects.filter(payment=payment, is_current=False).get().original_name == "two.png"
    payment.refresh_from_db()
    assert (payment.state, payment.transaction_number) == (PartState.SUBMITTED, "5TY05013RG002845M")
    three_receipts_case.refresh_from_db()
    assert three_receipts_case.status == Case.Status.UNDER_REVIEW


def test_the_transaction_number_sent_back_alone_keeps_every_receipt(client, agent, three_receipts_case):
    send_back(agent, three_receipts_case, "transaction_number", reason="This number is not ours.")
    url = reverse("payments:payment", kwargs={"number": three_receipts_case.number})
    page = client.get(url).content.decode()
    assert 'name="transaction_number"' in page and 'name="receipts"' not in page

    client.post(url, {"transaction_number": "8AB05013RG002845M"})

    payment = SupplementaryPayment.objects.get(case=three_receipts_case)
    assert (payment.state, payment.transaction_number) == (PartState.SUBMITTED, "8AB05013RG002845M")
    assert PaymentReceipt.objects.filter(payment=payment, is_current=True).count() == 3

"""Repeat and abuse signals shown to the agent on a case."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import PartState, SupplementaryPayment
from rma.backoffice.risk import signals_for_case
from rma.cases.models import Case
from rma.required.models import ReturnShipment, ShippingAddress
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def kinds(case):
    return {signal.kind: signal for signal in signals_for_case(case)}


def case_with(serial="", uid="", **fields):
    case = CaseFactory(item=None, **fields)
    CaseItemFactory(case=case, serial_number=serial, uid=uid)
    return case


def paid(case, number):
    return SupplementaryPayment.objects.create(
        case=case,
        amount=Decimal("12.50"),
        currency="USD",
        receiving_account="payments@example.com",
        state=PartState.SUBMITTED,
        transaction_number=number,
    )


def test_a_case_with_nothing_in_common_raises_no_signal():
    case_with(serial="SN-A")
    assert signals_for_case(case_with(serial="SN-B")) == []


def test_the_same_serial_number_on_an_earlier_case_is_flagged():
    earlier = case_with(serial="E1234567", created_at=timezone.now() - datetime.timedelta(days=90))
    case = case_with(serial="E1234567")
    signal = kinds(case)["repeated_identifier"]
    assert [(row.number, row.shared) for row in signal.related] == [(earlier.number, "E1234567")]
    assert signal.count == 1


def test_the_same_uid_is_flagged_whatever_the_letter_case():
    earlier = case_with(uid="95270000ABCDEFGH")
    case = case_with(uid="95270000abcdefgh")
    assert [row.number for row in kinds(case)["repeated_identifier"].related] == [earlier.number]


def test_a_serial_number_is_not_matched_against_a_uid_that_only_looks_alike():
    case_with(uid="ZZZ")
    assert "repeated_identifier" not in kinds(case_with(serial="SN-ONLY"))


def test_several_items_matching_one_other_case_list_that_case_once():
    other = CaseFactory(item=None)
    CaseItemFactory(case=other, serial_number="S1")
    CaseItemFactory(case=other, serial_number="S2")
    case = CaseFactory(item=None)
    CaseItemFactory(case=case, serial_number="S1")
    CaseItemFactory(case=case, serial_number="S2")
    signal = kinds(case)["repeated_identifier"]
    assert [row.number for row in signal.related] == [other.number]


def test_the_same_transaction_number_on_another_case_is_flagged():
    first = CaseFactory(status=Case.Status.UNDER_REVIEW, payment_due=True)
    second = CaseFactory(status=Case.Status.UNDER_REVIEW, payment_due=True)
    paid(first, "5TY05013RG002845M")
    paid(second, "5TY05013RG002845M")
    signal = kinds(second)["repeated_transaction_number"]
    assert [(row.number, row.shared) for row in signal.related] == [(first.number, "5TY05013RG002845M")]


def test_a_payment_not_yet_submitted_raises_no_transaction_signal():
    first = CaseFactory(payment_due=True)
    paid(first, "5TY05013RG002845M")
    second = CaseFactory(payment_due=True)
    SupplementaryPayment.objects.create(
        case=second, amount=Decimal("12.50"), currency="USD", receiving_account="payments@example.com"
    )
    assert "repeated_transaction_number" not in kinds(second)


def shipped(case, tracking):
    return ReturnShipment.objects.create(
        case=case,
        carrier="UPS",
        tracking_number=tracking,
        label_photo="label.jpg",
        label_photo_thumbnail="label-thumb.jpg",
        label_photo_name="label.jpg",
        postage_receipt="receipt.jpg",
        postage_receipt_thumbnail="receipt-thumb.jpg",
        postage_receipt_name="receipt.jpg",
    )


def ships_to(case, line1="12 Harbour Road", postal_code="89501"):
    return ShippingAddress.objects.create(
        case=case, full_name="A Person", line1=line1, city="Reno", postal_code=postal_code, country="US"
    )


def test_the_same_tracking_number_on_another_case_is_flagged():
    first, second = CaseFactory(status=Case.Status.UNDER_REVIEW), CaseFactory(status=Case.Status.UNDER_REVIEW)
    shipped(first, "1Z999AA10123456784")
    shipped(second, "1Z999AA10123456784")
    signal = kinds(second)["repeated_tracking_number"]
    assert [(row.number, row.shared) for row in signal.related] == [(first.number, "1Z999AA10123456784")]


def test_a_different_tracking_number_raises_nothing():
    shipped(CaseFactory(), "1Z999AA10123456784")
    case = CaseFactory()
    shipped(case, "1Z999AA10000000000")
    assert "repeated_tracking_number" not in kinds(case)


def test_another_customer_shipping_to_the_same_address_is_flagged():
    other = CaseFactory()
    ships_to(other, line1="12 HARBOUR ROAD")
    case = CaseFactory()
    ships_to(case)
    signal = kinds(case)["shared_shipping_address"]
    assert [row.number for row in signal.related] == [other.number]


def test_the_same_customer_at_the_same_address_is_not_a_shared_address():
    customer = CustomerFactory()
    ships_to(CaseFactory(customer=customer))
    case = CaseFactory(customer=customer)
    ships_to(case)
    assert "shared_shipping_address" not in kinds(case)


def completed(customer, days_ago=10, **fields):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    return CaseFactory(
        customer=customer,
        status=Case.Status.COMPLETED,
        created_at=moment,
        first_completed_at=moment,
        **fields,
    )


def test_many_solutions_already_given_to_one_customer_are_flagged_with_the_reason(settings):
    settings.RMA_RISK_COMPLETED_PER_CUSTOMER = 3
    settings.RMA_RISK_WINDOW_DAYS = 365
    customer = CustomerFactory(email="frequent@example.com")
    earlier = [completed(customer, days_ago=days) for days in (200, 100, 20)]
    case = CaseFactory(customer=customer)
    signal = kinds(case)["many_solutions_for_customer"]
    assert signal.count == 3
    assert [row.number for row in signal.related] == [row.number for row in earlier]
    assert signal.reason == (
        "frequent@example.com received 3 completed solutions in the last 365 days; the signal starts at 3."
    )


def test_a_normal_history_raises_nothing(settings):
    settings.RMA_RISK_COMPLETED_PER_CUSTOMER = 3
    settings.RMA_RISK_WINDOW_DAYS = 365
    customer = CustomerFactory()
    # Several cases over the years, two solutions this year, others open or cancelled.
    for days in (900, 700, 500):
        completed(customer, days_ago=days)
    completed(customer, days_ago=90)
    completed(customer, days_ago=30)
    CaseFactory.create_batch(4, customer=customer, status=Case.Status.AWAITING_INFO)
    CaseFactory(customer=customer, status=Case.Status.CANCELLED)
    case = CaseFactory(customer=customer)
    assert signals_for_case(case) == []


def test_each_signal_says_why_it_fired():
    first = case_with(serial="E1234567")
    second = case_with(serial="E1234567")
    shipped(first, "1Z999AA10123456784")
    shipped(second, "1Z999AA10123456784")
    paid(first, "5TY05013RG002845M")
    paid(second, "5TY05013RG002845M")
    ships_to(first)
    ships_to(second)
    reasons = {signal.kind: signal.reason for signal in signals_for_case(second)}
    assert reasons["repeated_identifier"].startswith(
        "E1234567 is also on 1 other case: the same unit is back"
    )
    assert reasons["repeated_tracking_number"].startswith("1Z999AA10123456784 was also sent for 1 other case")
    assert reasons["repeated_transaction_number"].startswith(
        "5TY05013RG002845M was also sent for 1 other case"
    )
    assert reasons["shared_shipping_address"] == (
        "Other customers have items shipped to 12 Harbour Road, 89501 too (1 other case)."
    )


def test_the_agent_reads_the_reason_on_the_case_page(agent_client):
    case_with(serial="E7654321")
    case = case_with(serial="E7654321")
    page = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    assert 'data-signal="repeated_identifier"' in page
    assert "E7654321 is also on 1 other case" in page


def test_the_demo_cases_do_not_all_raise_a_signal(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    cases = list(Case.objects.select_related("customer"))
    flagged = [case.number for case in cases if signals_for_case(case)]
    assert len(cases) >= 13
    assert flagged == []


def test_signals_cost_a_fixed_number_of_queries(django_assert_max_num_queries, settings):
    settings.RMA_RISK_COMPLETED_PER_CUSTOMER = 3
    customer = CustomerFactory()
    case = case_with(serial="SAME", customer=customer, payment_due=True)
    paid(case, "5TY05013RG002845M")
    for _index in range(15):
        moment = timezone.now() - datetime.timedelta(days=5)
        other = case_with(
            serial="SAME",
            customer=customer,
            payment_due=True,
            status=Case.Status.COMPLETED,
            first_completed_at=moment,
        )
        paid(other, "5TY05013RG002845M")
    with django_assert_max_num_queries(9):
        signals = signals_for_case(Case.objects.select_related("customer").get(pk=case.pk))
    assert {signal.kind for signal in signals} == {
        "repeated_identifier",
        "repeated_transaction_number",
        "many_solutions_for_customer",
    }
    assert all(len(signal.related) == 10 and signal.count == 15 for signal in signals)

"""
The required information is complete only when every needed part is in: sent by the customer,
entered by the team for them, or waived by the team with a reason the customer sees.
"""

import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from payments.models import SupplementaryPayment
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.workflow import CaseActionError
from rma.required.models import PartState, ReturnShipment, ShippingAddress
from rma.required.services import case_mark_info_complete, part_waive
from tests import files
from tests.factories import AgentFactory, CaseFactory, every_part_in
from tests.rma.required.test_return_and_address import ADDRESS
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db
S = Case.Status
PART_MODELS = {"return": ReturnShipment, "payment": SupplementaryPayment, "address": ShippingAddress}


def case_needing(parts: tuple[str, ...]) -> Case:
    """An ``awaiting_info`` case whose solution needs exactly ``parts``."""
    fields = {"status": S.AWAITING_INFO, "nothing_required": True}
    if "return" in parts:
        fields.update(return_required=True, warehouse=CaseFactory.build().warehouse)
        fields["warehouse"].save()
    if "payment" in parts:
        fields.update(payment_amount=Decimal("12.50"), payment_currency="USD")
    if "address" in parts:
        fields.update(solution_type=Case.SolutionType.REPLACEMENT, refund_amount=None, refund_currency="")
    return CaseFactory(**fields)


COMBINATIONS = [
    combination
    for size in (1, 2, 3)
    for combination in itertools.combinations(("return", "payment", "address"), size)
]
ACTORS = ("customer", "agent on behalf", "system")


def take(case: Case, actor_name: str) -> Case:
    if actor_name == "customer":
        return case_mark_info_complete(case=case, actor=case.customer)
    if actor_name == "agent on behalf":
        return case_mark_info_complete(case=case, actor=AgentFactory(), on_behalf=True)
    return case_mark_info_complete(case=case, actor=None)


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("parts", COMBINATIONS, ids="+".join)
def test_no_actor_moves_a_case_to_review_while_a_needed_part_is_missing(parts, actor_name):
    for missing in parts:
        case = case_needing(parts)
        every_part_in(case)
        PART_MODELS[missing].objects.filter(case=case).delete()

        with pytest.raises(CaseActionError, match="still missing"):
            take(case, actor_name)

        case.refresh_from_db()
        assert case.status == S.AWAITING_INFO
        assert not CaseEvent.objects.filter(case=case, action=Action.MARK_INFO_COMPLETE).exists()


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("parts", COMBINATIONS, ids="+".join)
def test_every_actor_moves_a_case_to_review_once_each_part_is_in_or_waived(parts, actor_name):
    case = case_needing(parts)
    every_part_in(case)
    waived = parts[0]
    PART_MODELS[waived].objects.filter(case=case).update(state=PartState.WAIVED, waived_reason="Not needed.")

    assert take(case, actor_name).status == S.UNDER_REVIEW


def test_an_agent_enters_the_return_for_the_customer_and_the_customer_sees_it_as_sent_for_them(agent):
    case = case_needing(("return",))
    client = staff_client_for(agent)
    url = reverse("admin:rma_case_part_entry", args=[case.pk, "return"])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "carrier": "UPS",
            "tracking_number": "1Z 999 AA1 0123 456 784",
            "label_photo": files.jpeg("label.jpg"),
            "postage_receipt": files.png("receipt.png"),
        },
    )

    assert response.status_code == 302
    shipment = ReturnShipment.objects.get(case=case)
    assert (shipment.state, shipment.on_behalf, shipment.submitted_by) == (PartState.SUBMITTED, True, agent)
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    event = CaseEvent.objects.get(case=case, action=Action.RETURN_SUBMIT)
    assert (event.actor, event.on_behalf) == (agent, True)
    customer = Client()
    customer.force_login(case.customer)
    page = customer.get(case.get_absolute_url()).content.decode()
    assert "Sent for you by the warranty team." in page


def test_an_agent_confirms_the_address_for_the_customer(agent):
    case = case_needing(("return", "address"))
    client = staff_client_for(agent)
    client.post(reverse("admin:rma_case_part_entry", args=[case.pk, "address"]), ADDRESS)

    address = ShippingAddress.objects.get(case=case)
    assert (address.state, address.on_behalf) == (PartState.SUBMITTED, True)
    case.refresh_from_db()
    assert case.status == S.AWAITING_INFO  # the return is still to come


def test_a_refused_entry_shows_the_form_again_and_keeps_nothing(agent):
    case = case_needing(("return",))
    client = staff_client_for(agent)
    response = client.post(
        reverse("admin:rma_case_part_entry", args=[case.pk, "return"]),
        {
            "carrier": "UPS",
            "tracking_number": "short",
            "label_photo": files.jpeg(),
            "postage_receipt": files.jpeg(),
        },
    )
    assert response.status_code == 200
    assert "8 to 40 letters and digits" in response.content.decode()
    assert not ReturnShipment.objects.filter(case=case).exists()


def test_waiving_the_last_missing_part_sends_the_case_to_review_and_the_customer_reads_why(agent):
    case = case_needing(("return", "payment"))
    every_part_in(case)
    SupplementaryPayment.objects.filter(case=case).delete()
    client = staff_client_for(agent)

    response = client.post(
        reverse("admin:rma_case_waive", args=[case.pk]),
        {"part": "payment", "reason": "The price difference was waived by the shop."},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    payment = SupplementaryPayment.objects.get(case=case)
    assert (payment.state, payment.waived_reason) == (
        PartState.WAIVED,
        "The price difference was waived by the shop.",
    )
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        Action.PART_WAIVE,
        Action.MARK_INFO_COMPLETE,
    ]
    customer = Client()
    customer.force_login(case.customer)
    page = customer.get(case.get_absolute_url()).content.decode()
    assert "The price difference was waived by the shop." in page


def test_a_waiver_needs_a_reason_and_staff():
    case = case_needing(("return",))
    with pytest.raises(CaseActionError, match="say why"):
        part_waive(case=case, part_key="return", actor=AgentFactory(), reason=" ")
    with pytest.raises(CaseActionError):
        part_waive(case=case, part_key="return", actor=case.customer, reason="I lost it.")
    assert not ReturnShipment.objects.filter(case=case).exists()


def test_accepting_keeps_a_waived_part_waived(agent):
    case = case_needing(("return", "payment"))
    every_part_in(case)
    SupplementaryPayment.objects.filter(case=case).update(
        state=PartState.WAIVED, waived_reason="Paid in shop."
    )
    case = case_mark_info_complete(case=case, actor=case.customer)
    staff_client_for(agent).post(reverse("admin:rma_case_review", args=[case.pk]), {"decision": "accept"})

    assert SupplementaryPayment.objects.get(case=case).state == PartState.WAIVED
    assert ReturnShipment.objects.get(case=case).state == PartState.ACCEPTED


def test_the_check_command_lists_cases_under_review_with_missing_parts(capsys):
    complete = case_needing(("return",))
    every_part_in(complete)
    Case.objects.filter(pk=complete.pk).update(status=S.UNDER_REVIEW)
    incomplete = case_needing(("return", "payment"))
    Case.objects.filter(pk=incomplete.pk).update(status=S.UNDER_REVIEW)

    with pytest.raises(CommandError, match="1 case"):
        call_command("check_required_information")

    output = capsys.readouterr().out
    assert incomplete.number in output and "Return shipment, Payment proof" in output
    assert complete.number not in output
    assert Case.objects.get(pk=incomplete.pk).status == S.UNDER_REVIEW  # nothing changed


def test_the_customer_hears_when_the_information_is_received_accepted_or_the_case_cancelled(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = every_part_in(case_needing(("return",)))
    with django_capture_on_commit_callbacks(execute=True):
        case = case_mark_info_complete(case=case, actor=case.customer)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client_for(agent).post(reverse("admin:rma_case_review", args=[case.pk]), {"decision": "accept"})
    disagreed = CaseFactory(status=S.DISAGREED)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client_for(agent).post(
            reverse("admin:rma_case_transition", args=[disagreed.pk, Action.CANCEL]),
            {"comment": "The customer bought a new one."},
        )

    to_customer = {message.subject: message for message in mailoutbox if message.to != ["team@example.com"]}
    assert f"{case.number}: we received your information" in to_customer
    assert f"{case.number}: your information was accepted" in to_customer
    cancelled = to_customer[f"{disagreed.number} was closed"]
    assert cancelled.to == [disagreed.customer.email]
    assert "The customer bought a new one." in cancelled.body
    assert "The customer bought a new one." in cancelled.alternatives[0][0]

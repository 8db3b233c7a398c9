"""Helpers of the advance replacement tests: a case taken to the hold, and past it."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from payments.models import HoldState, ReplacementChoice
from rma.cases.models import Case, ReplacementMethod
from rma.required.models import PartState, ShippingAddress
from tests.factories import CaseFactory


def advance_case(**fields) -> Case:
    """A replacement that needs a return, offering advance replacement, waiting for information."""
    return CaseFactory(status=Case.Status.AWAITING_INFO, advance_offered=True, **fields)


def choose_advance(client, case):
    """The customer chooses advance replacement on the method page; PayPal's page is next."""
    client.force_login(case.customer)
    return client.post(reverse("payments:method", kwargs={"number": case.number}), {"method": "advance"})


def come_back_from_paypal(client, case, order_id):
    return client.get(reverse("payments:method_return", kwargs={"number": case.number}), {"token": order_id})


def place_hold(client, case, paypal_server) -> ReplacementChoice:
    """Choose advance, approve on the loopback PayPal, come back: the hold is placed."""
    choose_advance(client, case)
    choice = ReplacementChoice.objects.get(case=case)
    paypal_server.state.approve(choice.order_id)
    come_back_from_paypal(client, case, choice.order_id)
    choice.refresh_from_db()
    assert choice.hold_state == HoldState.AUTHORIZED
    return choice


def add_address(case) -> None:
    ShippingAddress.objects.create(
        case=case,
        full_name="Dana Demo",
        line1="42 Elm Street",
        city="Springfield",
        postal_code="12345",
        country=case.country,
        state=PartState.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=case.customer,
    )


def shipped_ahead_case(*, days_since_hold: int = 1, authorization_id: str = "", **fields) -> Case:
    """A case whose replacement shipped ahead, its hold placed ``days_since_hold`` days ago
    (the authorization ``authorization_id`` on the loopback PayPal)."""
    placed = timezone.now() - datetime.timedelta(days=days_since_hold)
    case = CaseFactory(
        status=Case.Status.AWAITING_RETURN,
        advance_offered=True,
        replacement_method=ReplacementMethod.ADVANCE,
        hold_placed_at=placed,
        return_due_at=placed + datetime.timedelta(days=25),
        outbound_carrier="UPS",
        outbound_tracking_number="1Z999AA10123456784",
        **fields,
    )
    case.due_at = case.return_due_at
    case.save(update_fields=["due_at"])
    ReplacementChoice.objects.create(
        case=case,
        method=ReplacementMethod.ADVANCE,
        state=PartState.ACCEPTED,
        hold_state=HoldState.AUTHORIZED,
        amount=Decimal("129.00"),
        currency="USD",
        request_key="k" * 32,
        order_id="ORDER1",
        authorization_id=authorization_id or "AUTH1",
        authorized_at=placed,
        expires_at=placed + datetime.timedelta(days=29),
    )
    return case


def loopback_authorization(paypal_server, authorization_id="AUTH0000000000001") -> str:
    """An authorization of 129.00 USD the loopback PayPal holds."""
    paypal_server.state.authorizations[authorization_id] = {
        "id": authorization_id,
        "status": "CREATED",
        "amount": {"currency_code": "USD", "value": "129.00"},
        "expiration_time": "2026-12-31T10:00:00Z",
    }
    return authorization_id

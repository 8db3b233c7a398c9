"""
Demo warranty claims waiting in the team's "New claims" queue: sent through the real claim
service, as a customer sends them from ``/rma/new/``. Found again by their S/N, so seeding
twice makes nothing twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from rma.cases.models import Case, Product
from rma.cases.workflow import RequestMeta
from rma.claims.services import ClaimedItem, claim_send
from rma_portal.demo.scenarios import DEMO
from rma_portal.demo.seeding import demo_photo

META = RequestMeta(user_agent="seed_demo")

# (owner, model, S/N, kit scope, days since purchase, channel, reason, problem, with a photo)
DEMO_CLAIMS = (
    (
        DEMO,
        "TrackMix WiFi",
        "TMX0000418",
        "single_unit",
        140,
        "official_store",
        "night_vision",
        "At night the picture turns white and blurry; by day it is fine. I cleaned the lens.",
        True,
    ),
    (
        DEMO,
        "RLK16 NVR System",
        "RLK16B000092",
        "whole_kit",
        900,
        "other",
        "recording",
        "The recorder stops recording after a few hours and the hard disk shows as unformatted.",
        False,
    ),
    (
        DEMO,
        "Argus 3 Pro",
        "ARG3P0000777",
        "single_unit",
        9,
        "official_store",
        "damaged_on_arrival",
        "The box arrived crushed and the camera's housing is cracked on one side.",
        True,
    ),
)


def seed_demo_claims(people: dict[str, Any]) -> list[Case]:
    """Send the demo claims not sent yet; return every demo claim's case."""
    cases = []
    for owner, model, serial, kit, days, channel, reason, problem, with_photo in DEMO_CLAIMS:
        customer = people[owner]
        case = Case.objects.filter(
            customer=customer, claim__isnull=False, items__serial_number=serial
        ).first()
        if case is None:
            item = ClaimedItem(
                product=Product.objects.filter(model_name=model).first(),
                product_name=model,
                serial=serial,
                kit_scope=kit,
                purchase_date=timezone.localdate() - datetime.timedelta(days=days),
                purchase_channel=channel,
            )
            case = claim_send(
                customer=customer,
                item=item,
                reason=reason,
                problem=problem,
                photos=[demo_photo("Fault photo", serial)] if with_photo else [],
                meta=META,
            )
        cases.append(case)
    return cases

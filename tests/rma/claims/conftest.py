"""Helpers for the claim tests: a catalogue, a signed-in customer, and a form filled in."""

import datetime

import pytest
from django.utils import timezone

from rma.cases.models import Product
from tests.factories import CustomerFactory


@pytest.fixture
def catalogue(db):
    return {
        "camera": Product.objects.create(model_name="Argus 3 Pro", category="Camera"),
        "nvr": Product.objects.create(model_name="RLN8-410", category="NVR"),
        "kit": Product.objects.create(model_name="RLK8-800B4", category="System kit"),
    }


@pytest.fixture
def customer(db):
    return CustomerFactory(email="claimant@example.com")


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def claim_data(chosen, **changes) -> dict:
    data = {
        "product": str(chosen.pk) if chosen else "not_listed",
        "product_name": "",
        "product_search": "",
        "serial": "SN-CLAIM-0001",
        "kit": "single_unit",
        "purchase_date": (timezone.localdate() - datetime.timedelta(days=100)).isoformat(),
        "purchase_channel": "official_store",
        "order_number": "ORD-778",
        "reason": "no_video",
        "problem": "The picture stays black since Monday; I restarted it twice.",
        "step": "send",
    }
    data.update(changes)
    return data

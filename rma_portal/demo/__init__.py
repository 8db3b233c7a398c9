"""
Demo cases for a local run: one or more in every status of the lifecycle.

Each case is walked through the real services (created by the demo agent, approved by the
demo supervisor, agreed to by the customer...), so its timeline and emails look like real
ones. A marker in the agent notes makes the seeding idempotent.
"""

from rma_portal.demo.claims import seed_demo_claims
from rma_portal.demo.scenarios import (
    ADVANCE,
    DEMO,
    DEMO_ADDRESS,
    DEMO_CASES,
    DEMO_PRODUCTS,
    DEMO_REGISTRATIONS,
    DEMO_WAREHOUSES,
    META,
    PAYMENT,
    REFUND,
    REPLACEMENT,
    DemoCase,
    S,
)
from rma_portal.demo.seeding import demo_photo, seed_demo_cases, seed_demo_products, seed_demo_warehouses

__all__ = [
    "ADVANCE",
    "DEMO",
    "DEMO_ADDRESS",
    "DEMO_CASES",
    "DEMO_PRODUCTS",
    "DEMO_REGISTRATIONS",
    "DEMO_WAREHOUSES",
    "DemoCase",
    "META",
    "PAYMENT",
    "REFUND",
    "REPLACEMENT",
    "S",
    "demo_photo",
    "seed_demo_claims",
    "seed_demo_cases",
    "seed_demo_products",
    "seed_demo_warehouses",
]

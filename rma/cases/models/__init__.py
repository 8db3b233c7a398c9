"""
RMA cases and their rules, one module per concept: the warehouses, the lifecycle (statuses,
actions and the table of transitions), the case and its advance replacement, the product
catalogue, the items, the events and the messages. Every public name is importable from here.
"""

from rma.cases.models.case import OFFERED_FIELDS, OFFERED_ITEM_FIELDS, Case, CaseNumberCounter
from rma.cases.models.events import AppendOnlyQuerySet, CaseEvent
from rma.cases.models.items import CaseItem, CaseItemQuerySet, attach_registrations
from rma.cases.models.lifecycle import (
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Role,
    Status,
    Transition,
    transition_for,
    transitions_from,
)
from rma.cases.models.messages import CaseMessage
from rma.cases.models.products import Product, Registration
from rma.cases.models.replacement import (
    ADVANCE_RETURN_WINDOW,
    HOLD_DECISION_MARGIN,
    HOLD_SETTLE_BY,
    AdvanceReplacement,
    HoldSettlement,
    ReplacementMethod,
)
from rma.cases.models.warehouse import Warehouse

__all__ = [
    "ADVANCE_RETURN_WINDOW",
    "HOLD_DECISION_MARGIN",
    "HOLD_SETTLE_BY",
    "OFFERED_FIELDS",
    "OFFERED_ITEM_FIELDS",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Action",
    "AdvanceReplacement",
    "AppendOnlyQuerySet",
    "Case",
    "CaseEvent",
    "CaseItem",
    "CaseItemQuerySet",
    "CaseMessage",
    "CaseNumberCounter",
    "HoldSettlement",
    "Product",
    "Registration",
    "ReplacementMethod",
    "Role",
    "Status",
    "Transition",
    "Warehouse",
    "attach_registrations",
    "transition_for",
    "transitions_from",
]

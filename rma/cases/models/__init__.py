"""
RMA cases and their rules, one module per concept: the warehouses, the statuses (one row of
facts each), the lifecycle (actions and the table of transitions), the case and its advance
replacement, the product catalogue, the items, the events and the messages. Every public name
is importable from here.
"""

from rma.cases.models.case import Case
from rma.cases.models.events import AppendOnlyQuerySet, CaseEvent
from rma.cases.models.items import CaseItem, CaseItemQuerySet, attach_registrations
from rma.cases.models.lifecycle import (
    TRANSITIONS,
    Action,
    Actor,
    Role,
    Transition,
    transition_for,
    transitions_from,
)
from rma.cases.models.messages import CaseMessage
from rma.cases.models.numbering import CaseNumberCounter
from rma.cases.models.offer import OFFERED_FIELDS, OFFERED_ITEM_FIELDS
from rma.cases.models.parts import declared_part_labels, declared_part_models, part_accessors
from rma.cases.models.products import Product, Registration
from rma.cases.models.replacement import (
    ADVANCE_RETURN_WINDOW,
    HOLD_DECISION_MARGIN,
    HOLD_SETTLE_BY,
    AdvanceReplacement,
    HoldSettlement,
    ReplacementMethod,
)
from rma.cases.models.statuses import (
    OPEN_STATUSES,
    STATUS_TABLE,
    Party,
    Stage,
    Status,
    StatusFacts,
    all_status_facts,
    declare_status,
    status_facts,
    statuses_where,
)
from rma.cases.models.warehouse import Warehouse

__all__ = [
    "ADVANCE_RETURN_WINDOW",
    "HOLD_DECISION_MARGIN",
    "HOLD_SETTLE_BY",
    "OFFERED_FIELDS",
    "OFFERED_ITEM_FIELDS",
    "OPEN_STATUSES",
    "STATUS_TABLE",
    "TRANSITIONS",
    "Action",
    "Actor",
    "AdvanceReplacement",
    "AppendOnlyQuerySet",
    "Case",
    "CaseEvent",
    "CaseItem",
    "CaseItemQuerySet",
    "CaseMessage",
    "CaseNumberCounter",
    "HoldSettlement",
    "Party",
    "Product",
    "Registration",
    "ReplacementMethod",
    "Role",
    "Stage",
    "Status",
    "StatusFacts",
    "Transition",
    "Warehouse",
    "all_status_facts",
    "attach_registrations",
    "declare_status",
    "declared_part_labels",
    "declared_part_models",
    "part_accessors",
    "status_facts",
    "statuses_where",
    "transition_for",
    "transitions_from",
]

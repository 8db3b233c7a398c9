"""
The models of the ``rma`` app, loaded here so Django finds them; each lives in the
sub-package of its sub-domain. Application code imports them from there, never from here.
"""

from rma.backoffice.models import CaseReminder
from rma.cases.models import Case, CaseEvent, CaseItem, CaseMessage, CaseNumberCounter, Warehouse
from rma.claims.models import Claim, ClaimPhoto
from rma.inbound.models import InboundMail
from rma.required.models import ReturnShipment, ShippingAddress
from rma.support.models import SupportRequest, SupportScreenshot

__all__ = [
    "Case",
    "CaseEvent",
    "CaseItem",
    "CaseMessage",
    "CaseNumberCounter",
    "CaseReminder",
    "Claim",
    "ClaimPhoto",
    "InboundMail",
    "ReturnShipment",
    "ShippingAddress",
    "SupportRequest",
    "SupportScreenshot",
    "Warehouse",
]

"""
The required information of a case: the parts a solution asks the customer for.

Every kind of part is a ``RequiredPart``: the same state, sent-back reason, who sent it
(the customer, or the team on their behalf) and who reviewed it, and the same rules for
what the customer may send now. The return shipment and the shipping address are here;
the payment proof (``payments.models.SupplementaryPayment``) is built on the same base.
Which parts exist, and in which order the customer sees them, is declared once in
``rma.required.parts``.
"""

from rma.required.models.addresses import ShippingAddress
from rma.required.models.part import PART_IN_STATES, PartState, RequiredPart, normalise_identifier
from rma.required.models.pictures import HeldUpload, StoredPicture
from rma.required.models.returns import ReturnShipment

__all__ = [
    "HeldUpload",
    "PART_IN_STATES",
    "PartState",
    "RequiredPart",
    "ReturnShipment",
    "ShippingAddress",
    "StoredPicture",
    "normalise_identifier",
]

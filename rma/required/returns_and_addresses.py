"""
The services of the return shipment and the shipping address: what each takes from the
customer (or the team on their behalf), filled in through ``services.part_submission``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from rma.cases.models import Action, Actor, Case, Role
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    RequestMeta,
    lock_case,
    role_of,
    write_step_event,
)
from rma.required.models import PartState, ReturnShipment, ShippingAddress, normalise_identifier
from rma.required.selectors import duplicate_tracking_cases
from rma.required.services import part_submission
from rma_portal import images
from rma_portal.formats import join_list

TRACKING_NUMBER = re.compile(r"[A-Z0-9]{8,40}")


def return_submit(
    *,
    case: Case,
    actor: Actor,
    carrier: str = "",
    tracking_number: str = "",
    label_photo: images.CleanImage | None = None,
    postage_receipt: images.CleanImage | None = None,
    on_behalf: bool = False,
    meta: RequestMeta | None = None,
) -> ReturnShipment:
    """Record the return shipment: carrier, tracking number, label photo, postage receipt.

    The first time all of them are required; after the team sent pieces back, exactly those.
    """
    carrier = " ".join((carrier or "").split())[:60]
    tracking_number = normalise_identifier(tracking_number)
    photos = {
        piece: image
        for piece, image in zip(ReturnShipment.PHOTOS, (label_photo, postage_receipt), strict=True)
    }
    named = [piece for piece, image in photos.items() if image is not None]

    with part_submission(
        case=case,
        model=ReturnShipment,
        actor=actor,
        uploads=[photos[piece] for piece in named],
        folder="returns",
        on_behalf=on_behalf,
        meta=meta,
    ) as submission:
        locked, shipment, pieces, stored = (
            submission.case,
            submission.part,
            submission.pieces,
            submission.stored,
        )
        stored_by_piece = dict(zip(named, stored, strict=True))
        missing = []
        if "tracking" in pieces:
            if not carrier:
                missing.append(_("the carrier"))
            if not TRACKING_NUMBER.fullmatch(tracking_number):
                raise CaseActionError(_("A tracking number is 8 to 40 letters and digits."))
            shipment.carrier = carrier
            shipment.tracking_number = tracking_number
        if "label_photo" in pieces and "label_photo" not in stored_by_piece:
            missing.append(_("a photo of the shipping label"))
        if "postage_receipt" in pieces and "postage_receipt" not in stored_by_piece:
            missing.append(_("a photo of the postage receipt"))
        if missing:
            raise CaseActionError(_("Please add %(missing)s.") % {"missing": join_list(missing)})
        for piece in ReturnShipment.PHOTOS:
            if piece in pieces:
                image = stored_by_piece[piece]
                setattr(shipment, piece, image.name)
                setattr(shipment, f"{piece}_thumbnail", image.thumbnail_name)
                setattr(shipment, f"{piece}_name", image.original_name[:120])
        submission.data = {
            "pieces": list(pieces),
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "files": {piece: image.name for piece, image in stored_by_piece.items()},
            "duplicate_of": duplicate_tracking_cases(
                tracking_number=shipment.tracking_number, exclude_case_id=locked.pk
            ),
        }

    return submission.part


def _address_values(fields: Mapping[str, str]) -> dict[str, str]:
    return {name: " ".join(str(fields.get(name, "") or "").split()) for name in ShippingAddress.FIELDS}


def _fill_address(address: ShippingAddress, *, case: Case, values: Mapping[str, str]) -> dict[str, str]:
    """Put ``values`` on the address, in the case's country; returns them for the event."""
    for name, value in values.items():
        setattr(address, name, value)
    address.country = case.country
    address.full_clean(exclude=["case", "submitted_by", "reviewed_by"])
    return {**values, "country": address.country}


def address_confirm(
    *,
    case: Case,
    actor: Actor,
    fields: Mapping[str, str],
    on_behalf: bool = False,
    meta: RequestMeta | None = None,
) -> ShippingAddress:
    """The customer confirms or corrects where the replacement goes; the country stays the case's."""
    values = _address_values(fields)
    if any(not values[name] for name in ("full_name", "line1", "city", "postal_code")):
        raise CaseActionError(_("Please give the name, street, city and postal code."))

    with part_submission(
        case=case, model=ShippingAddress, actor=actor, on_behalf=on_behalf, meta=meta
    ) as submission:
        submission.data = _fill_address(submission.part, case=submission.case, values=values)

    return submission.part


def address_on_file_save(
    *, case: Case, actor: Actor, fields: Mapping[str, str], meta: RequestMeta | None = None
) -> ShippingAddress:
    """The team records the address it has for the customer; the customer still confirms it."""
    if role_of(actor) == Role.CUSTOMER or not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    values = _address_values(fields)
    with transaction.atomic():
        locked = lock_case(case)
        if not locked.requires_shipping_address:
            raise CaseActionError(_("Nothing is shipped to the customer on this case."))
        address = ShippingAddress.objects.select_for_update().filter(case=locked).first()
        if address is not None and address.is_in:
            raise CaseActionError(
                _("The customer already confirmed an address; send it back from the review to change it.")
            )
        address = address or ShippingAddress(case=locked, state=PartState.TO_DO)
        data = _fill_address(address, case=locked, values=values)
        address.save()
        write_step_event(
            case=locked,
            action=Action.ADDRESS_ON_FILE,
            actor=actor,
            role=role_of(actor),
            data=data,
            meta=meta or NO_META,
        )
    return address

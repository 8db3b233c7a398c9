"""
How a kind of part is entered: its form, and the service its answers go to.

One binding per part serves both ways in: the customer's step page (``views.PartStepView``)
and the team's page that enters the part for the customer (``admin.PartAdminMixin``, through
``admin_pages.part_entry_view``). ``on_behalf`` says which one is asking; the return shipment
and the address are here, the payment proof and the replacement method in
``payments.bindings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.files.uploadedfile import UploadedFile
from django.forms import Form

from rma.cases.models import Actor, Case
from rma.cases.workflow import RequestMeta
from rma.required.carriers import carriers_for
from rma.required.forms import AddressForm, ReturnShipmentForm
from rma.required.models import RequiredPart, ReturnShipment, ShippingAddress
from rma.required.returns_and_addresses import address_confirm, return_submit
from rma.required.selectors import address_on_file


class DemoKit(Protocol):
    """What the demo hands a binding to answer with (``rma_portal.demo``)."""

    address: Mapping[str, str]  # for a customer with no address on file

    def picture(self, title: str, case: Case) -> UploadedFile:
        """A picture with ``title`` and the case's number drawn on it."""


@dataclass
class DemoAnswers:
    """What the demo sends on a part's form: the customer's answers, or the team's for them."""

    data: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)
    on_behalf: bool = False


class PartBinding:
    """The form of one kind of part and the call of its service with the form's answers."""

    model: type[RequiredPart]

    def open_pieces(self, case: Case, part: RequiredPart | None) -> tuple[str, ...]:
        """What may be sent of the part now: everything at first, then what was sent back."""
        return part.open_pieces() if part is not None else self.model.start(case).open_pieces()

    def form(
        self,
        case: Case,
        data: Any = None,
        files: Any = None,
        *,
        part: RequiredPart | None,
        pieces: tuple[str, ...],
        on_behalf: bool,
    ) -> Form:
        raise NotImplementedError

    def submit(self, case: Case, form: Form, *, actor: Actor, meta: RequestMeta, on_behalf: bool) -> None:
        raise NotImplementedError

    def demo_answers(self, case: Case, kit: DemoKit) -> DemoAnswers | None:
        """What the demo sends on the part's form for ``case``; ``None`` leaves the part for
        someone trying the demo to send."""
        return None


class ReturnBinding(PartBinding):
    model = ReturnShipment

    def form(self, case, data=None, files=None, *, part, pieces, on_behalf) -> Form:
        if on_behalf:
            return ReturnShipmentForm(data, files, pieces=pieces or ReturnShipment.pieces)
        # The customer picks among the carriers of the return warehouse's country.
        country = case.warehouse.country if case.warehouse_id else ""
        return ReturnShipmentForm(data, files, pieces=pieces, carriers=carriers_for(country))

    def submit(self, case, form, *, actor, meta, on_behalf) -> None:
        return_submit(case=case, actor=actor, on_behalf=on_behalf, meta=meta, **form.cleaned_data)

    def demo_answers(self, case, kit) -> DemoAnswers | None:
        if case.ships_ahead:
            return None  # an advance replacement's return follows the replacement
        country = case.warehouse.country if case.warehouse_id else ""
        return DemoAnswers(
            data={"carrier": carriers_for(country)[0], "tracking_number": f"1Z 999 AA1 {case.pk:08d}"},
            files={
                "label_photo": kit.picture("Shipping label", case),
                "postage_receipt": kit.picture("Postage receipt", case),
            },
        )


class AddressBinding(PartBinding):
    model = ShippingAddress

    def form(self, case, data=None, files=None, *, part, pieces, on_behalf) -> Form:
        return AddressForm(data) if data is not None else AddressForm(initial=address_on_file(case))

    def submit(self, case, form, *, actor, meta, on_behalf) -> None:
        address_confirm(case=case, actor=actor, fields=form.cleaned_data, on_behalf=on_behalf, meta=meta)

    def demo_answers(self, case, kit) -> DemoAnswers | None:
        # The customer gave the address in an email, and the agent confirms it for them.
        on_file = {key: value for key, value in address_on_file(case).items() if value}
        return DemoAnswers(data={**kit.address, **on_file}, on_behalf=True)

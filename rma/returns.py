"""
The return shipment and the shipping address of a case: services, forms and pages.

Like the payment proof, each is one part of the case's required information (see
``rma.submissions``): stored under the case lock with its event, and the case moves to
``under_review`` when the last needed part comes in. A part the team sent back takes only
the pieces that were sent back; the rest stays as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from rma import images, review, submissions
from rma.models import Action, Case, PartState, ReturnShipment, Role, ShippingAddress
from rma.selectors import case_number_for_customer
from rma.services import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    CaseStatusError,
    RequestMeta,
    authorize_customer_step,
    lock_case,
    role_of,
    write_step_event,
)

TRACKING_NUMBER = re.compile(r"[A-Z0-9]{8,40}")
RETURN_PIECES = ("tracking", "label_photo", "postage_receipt")
ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "phone")
CARRIER_SUGGESTIONS = (
    "UPS",
    "FedEx",
    "USPS",
    "DHL",
    "Royal Mail",
    "Canada Post",
    "Australia Post",
    "DPD",
    "GLS",
)


class ReturnAction:
    """The ``CaseEvent.action`` values written by this module."""

    SUBMIT = Action.RETURN_SUBMIT
    ADDRESS = Action.ADDRESS_CONFIRM
    ADDRESS_ON_FILE = Action.ADDRESS_ON_FILE


def normalise_tracking_number(value: str) -> str:
    """What people type: spaces and dashes dropped, letters upper-cased."""
    return "".join(ch for ch in (value or "") if ch not in " -\t").upper()


# --- Services -------------------------------------------------------------------------------


def _check_step(case: Case, *, needed: bool, refusal: str) -> None:
    if not needed:
        raise CaseActionError(refusal)
    if case.status != Case.Status.AWAITING_INFO:
        raise CaseStatusError(
            _("Nothing was changed: RMA %(number)s is “%(status)s”, so it takes no information now.")
            % {"number": case.number, "status": case.get_status_display()}
        )


def open_return_pieces(shipment: ReturnShipment | None) -> tuple[str, ...]:
    """The pieces the customer may send now: all of them at first, then only those sent back."""
    if shipment is None or shipment.state == PartState.TO_DO:
        return RETURN_PIECES
    if shipment.state == PartState.SENT_BACK:
        return tuple(piece for piece in RETURN_PIECES if piece in (shipment.sent_back_items or RETURN_PIECES))
    return ()


def duplicate_tracking_cases(*, tracking_number: str, exclude_case_id: int | None = None) -> list[str]:
    """Numbers of other cases whose return carries the same tracking number."""
    if not tracking_number:
        return []
    others = ReturnShipment.objects.filter(tracking_number=tracking_number).exclude(case_id=exclude_case_id)
    return sorted(others.values_list("case__number", flat=True))


def return_submit(
    *,
    case: Case,
    actor: Any,
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
    tracking_number = normalise_tracking_number(tracking_number)
    refusal = _("Nothing was changed: this RMA solution asks for no return.")
    _check_step(case, needed=case.requires_return, refusal=refusal)
    named = [
        (piece, image)
        for piece, image in (("label_photo", label_photo), ("postage_receipt", postage_receipt))
        if image is not None
    ]
    with images.storing([image for _piece, image in named], folder="returns") as stored, transaction.atomic():
        stored_by_piece = {piece: saved for (piece, _image), saved in zip(named, stored, strict=True)}
        locked = lock_case(case)
        role = authorize_customer_step(case=locked, actor=actor, on_behalf=on_behalf)
        _check_step(locked, needed=locked.requires_return, refusal=refusal)
        shipment = ReturnShipment.objects.select_for_update().filter(case=locked).first()
        pieces = open_return_pieces(shipment)
        if not pieces:
            raise CaseActionError(
                _("Nothing was changed: your return information is already with the warranty team.")
            )
        missing = []
        if "tracking" in pieces:
            if not carrier:
                missing.append(_("the carrier"))
            if not TRACKING_NUMBER.fullmatch(tracking_number):
                raise CaseActionError(_("A tracking number is 8 to 40 letters and digits."))
        if "label_photo" in pieces and "label_photo" not in stored_by_piece:
            missing.append(_("a photo of the shipping label"))
        if "postage_receipt" in pieces and "postage_receipt" not in stored_by_piece:
            missing.append(_("a photo of the postage receipt"))
        if missing:
            raise CaseActionError(
                _("Please add %(missing)s.") % {"missing": ", ".join(str(m) for m in missing)}
            )
        if shipment is None:
            shipment = ReturnShipment(case=locked)
        if "tracking" in pieces:
            shipment.carrier = carrier
            shipment.tracking_number = tracking_number
        for piece in ("label_photo", "postage_receipt"):
            if piece in pieces:
                image = stored_by_piece[piece]
                setattr(shipment, piece, image.name)
                setattr(shipment, f"{piece}_thumbnail", image.thumbnail_name)
                setattr(shipment, f"{piece}_name", image.original_name[:120])
        shipment.state = PartState.SUBMITTED
        shipment.sent_back_items = []
        shipment.sent_back_reason = ""
        shipment.submitted_at = timezone.now()
        shipment.submitted_by = actor
        shipment.save()
        write_step_event(
            case=locked,
            action=ReturnAction.SUBMIT,
            actor=actor,
            role=role,
            on_behalf=on_behalf,
            data={
                "pieces": list(pieces),
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "files": {piece: image.name for piece, image in stored_by_piece.items()},
                "duplicate_of": duplicate_tracking_cases(
                    tracking_number=shipment.tracking_number, exclude_case_id=locked.pk
                ),
            },
            meta=meta or NO_META,
        )
        submissions.complete_if_ready(case=locked, actor=actor, on_behalf=on_behalf, meta=meta)
    return shipment


def address_on_file(case: Case) -> dict[str, str]:
    """What the address form starts from: the case's address, else the customer's last one."""
    address = ShippingAddress.objects.filter(case=case).first()
    if address is None:
        address = (
            ShippingAddress.objects.filter(case__customer_id=case.customer_id, country=case.country)
            .exclude(state=PartState.TO_DO)
            .order_by("-confirmed_at")
            .first()
        )
    if address is None:
        return {}
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def address_confirm(
    *,
    case: Case,
    actor: Any,
    fields: Mapping[str, str],
    on_behalf: bool = False,
    meta: RequestMeta | None = None,
) -> ShippingAddress:
    """The customer confirms or corrects where the replacement goes; the country stays the case's."""
    values = {name: " ".join(str(fields.get(name, "") or "").split()) for name in ADDRESS_FIELDS}
    required = ("full_name", "line1", "city", "postal_code")
    if any(not values[name] for name in required):
        raise CaseActionError(_("Please give the name, street, city and postal code."))
    refusal = _("Nothing was changed: nothing is shipped to you on this RMA solution.")
    with transaction.atomic():
        locked = lock_case(case)
        role = authorize_customer_step(case=locked, actor=actor, on_behalf=on_behalf)
        _check_step(locked, needed=locked.requires_shipping_address, refusal=refusal)
        address = ShippingAddress.objects.select_for_update().filter(case=locked).first()
        if address is not None and address.state not in (PartState.TO_DO, PartState.SENT_BACK):
            raise CaseActionError(_("Nothing was changed: your address is already with the warranty team."))
        address = address or ShippingAddress(case=locked)
        for name, value in values.items():
            setattr(address, name, value)
        address.country = locked.country
        address.state = PartState.SUBMITTED
        address.sent_back_reason = ""
        address.confirmed_at = timezone.now()
        address.confirmed_by = actor
        address.full_clean(exclude=["case", "confirmed_by"])
        address.save()
        write_step_event(
            case=locked,
            action=ReturnAction.ADDRESS,
            actor=actor,
            role=role,
            on_behalf=on_behalf,
            data={**values, "country": address.country},
            meta=meta or NO_META,
        )
        submissions.complete_if_ready(case=locked, actor=actor, on_behalf=on_behalf, meta=meta)
    return address


# --- Part registration (from RmaConfig.ready) -------------------------------------------------


def _read_return(case: Case) -> tuple[str, str]:
    shipment = submissions.related_part(case, "return_shipment")
    return (shipment.state, shipment.sent_back_reason) if shipment else (PartState.TO_DO, "")


def _mark_return(case: Case, state: str, reason: str, items: tuple[str, ...]) -> None:
    ReturnShipment.objects.filter(case=case).update(
        state=state,
        sent_back_reason=reason,
        sent_back_items=list(items or RETURN_PIECES) if state == PartState.SENT_BACK else [],
        reviewed_at=timezone.now(),
    )


def _read_address(case: Case) -> tuple[str, str]:
    address = submissions.related_part(case, "shipping_address")
    return (address.state, address.sent_back_reason) if address else (PartState.TO_DO, "")


def _mark_address(case: Case, state: str, reason: str, items: tuple[str, ...]) -> None:
    ShippingAddress.objects.filter(case=case).update(
        state=state, sent_back_reason=reason, reviewed_at=timezone.now()
    )


def _review_return(case: Case) -> review.PartReview:
    summary = review.PartReview()
    shipment = ReturnShipment.objects.filter(case=case).first()
    if shipment is None:
        return summary
    summary.details += [(_("Carrier"), shipment.carrier), (_("Tracking number"), shipment.tracking_number)]
    duplicates = duplicate_tracking_cases(tracking_number=shipment.tracking_number, exclude_case_id=case.pk)
    if duplicates:
        summary.warnings.append(
            _("The same tracking number is on: %(cases)s.") % {"cases": ", ".join(duplicates)}
        )
    for piece, caption in (("label_photo", _("Shipping label")), ("postage_receipt", _("Postage receipt"))):
        urls = [
            reverse(
                "rma:case_return_file", kwargs={"number": case.number, "piece": piece, "variant": variant}
            )
            for variant in ("thumbnail", "image")
        ]
        summary.images.append((caption, *urls))
    return summary


def _review_address(case: Case) -> review.PartReview:
    summary = review.PartReview()
    address = ShippingAddress.objects.filter(case=case).first()
    if address is not None:
        summary.details.append((_("Ship to"), " · ".join(address.lines)))
    return summary


def register_parts() -> None:
    submissions.register_part(
        submissions.PartSpec(
            key="return",
            title=gettext_lazy("Return shipment"),
            needed=lambda case: case.requires_return,
            read=_read_return,
            url_name="rma:case_return",
            mark=_mark_return,
            items=RETURN_PIECES,
        )
    )
    submissions.register_part(
        submissions.PartSpec(
            key="address",
            title=gettext_lazy("Shipping address"),
            needed=lambda case: case.requires_shipping_address,
            read=_read_address,
            url_name="rma:case_address",
            mark=_mark_address,
        )
    )
    review.register_reviewer("return", _review_return)
    review.register_reviewer("address", _review_address)


# --- Forms ------------------------------------------------------------------------------------


class SingleImageField(forms.FileField):
    """One image, cleaned by ``rma.images`` into a ``CleanImage``."""

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "accept": "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp",
        }

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return images.clean_image(upload)
        except images.ImageRejected as refused:
            raise forms.ValidationError(refused.message) from None


class ReturnShipmentForm(forms.Form):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=60)
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"),
        max_length=80,
        help_text=gettext_lazy("As printed on your receipt; spaces and dashes are fine."),
    )
    label_photo = SingleImageField(
        label=gettext_lazy("Photo of the shipping label"),
        help_text=gettext_lazy("Our RMA address must be readable on it. JPG, PNG or WEBP, up to 10 MB."),
    )
    postage_receipt = SingleImageField(
        label=gettext_lazy("Photo of the postage receipt"),
        help_text=gettext_lazy("JPG, PNG or WEBP, up to 10 MB."),
    )

    def __init__(self, *args, pieces: tuple[str, ...] = RETURN_PIECES, **kwargs):
        super().__init__(*args, **kwargs)
        self.pieces = pieces
        if "tracking" not in pieces:
            del self.fields["carrier"], self.fields["tracking_number"]
        for piece in ("label_photo", "postage_receipt"):
            if piece not in pieces:
                del self.fields[piece]

    def clean_tracking_number(self) -> str:
        value = normalise_tracking_number(self.cleaned_data["tracking_number"])
        if not TRACKING_NUMBER.fullmatch(value):
            raise forms.ValidationError(
                _("A tracking number is 8 to 40 letters and digits; “%(value)s” is not."),
                params={"value": value[:80]},
            )
        return value


class AddressForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    line1 = forms.CharField(label=gettext_lazy("Address line 1"), max_length=200)
    line2 = forms.CharField(label=gettext_lazy("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    region = forms.CharField(label=gettext_lazy("State or region"), max_length=100, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=20)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("The carrier may call if they cannot deliver."),
    )


# --- Views --------------------------------------------------------------------------------------


class CustomerCaseView(LoginRequiredMixin, View):
    """A page about one of the customer's cases; others' and hidden cases are a 404."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = case_number_for_customer(user=request.user, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)


class ReturnView(CustomerCaseView):
    """``/rma/<number>/return/``: the warehouse address, and the return information form."""

    template_name = "rma/return.html"

    def render_page(self, form: ReturnShipmentForm | None = None, status: int = 200) -> HttpResponse:
        shipment = ReturnShipment.objects.filter(case=self.case).first()
        pieces = open_return_pieces(shipment) if self.case.status == Case.Status.AWAITING_INFO else ()
        context = {
            "case": self.case,
            "warehouse": self.case.warehouse,
            "shipment": shipment,
            "pieces": pieces,
            "form": form or ReturnShipmentForm(pieces=pieces or RETURN_PIECES),
            "carriers": CARRIER_SUGGESTIONS,
            "max_megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.case.requires_return:
            raise Http404("This RMA solution asks for no return.")
        return self.render_page()

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.case.requires_return or self.case.status != Case.Status.AWAITING_INFO:
            messages.error(
                request, _("Nothing was changed: this RMA solution takes no return information now.")
            )
            return redirect(self.case)
        pieces = open_return_pieces(ReturnShipment.objects.filter(case=self.case).first())
        if not pieces:
            messages.error(
                request, _("Nothing was changed: your return information is already with the warranty team.")
            )
            return redirect(self.case)
        form = ReturnShipmentForm(request.POST, request.FILES, pieces=pieces)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            return_submit(
                case=self.case,
                actor=request.user,
                meta=RequestMeta.from_request(request),
                **form.cleaned_data,
            )
        except CaseActionError as error:
            messages.error(request, error.message)
            return redirect(self.case)
        messages.success(request, _("Thank you: we received your return information."))
        return redirect(self.case)


class AddressView(CustomerCaseView):
    """``/rma/<number>/address/``: confirm or correct where the replacement goes."""

    template_name = "rma/address.html"

    def render_page(self, form: AddressForm | None = None, status: int = 200) -> HttpResponse:
        address = ShippingAddress.objects.filter(case=self.case).first()
        editable = self.case.status == Case.Status.AWAITING_INFO and (
            address is None or address.state in (PartState.TO_DO, PartState.SENT_BACK)
        )
        context = {
            "case": self.case,
            "address": address,
            "editable": editable,
            "form": form or AddressForm(initial=address_on_file(self.case)),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.case.requires_shipping_address:
            raise Http404("Nothing is shipped on this RMA solution.")
        return self.render_page()

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.case.requires_shipping_address or self.case.status != Case.Status.AWAITING_INFO:
            messages.error(request, _("Nothing was changed: this RMA solution takes no address now."))
            return redirect(self.case)
        form = AddressForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            address_confirm(
                case=self.case,
                actor=request.user,
                fields=form.cleaned_data,
                meta=RequestMeta.from_request(request),
            )
        except CaseActionError as error:
            messages.error(request, error.message)
            return redirect(self.case)
        messages.success(request, _("Thank you: we will ship to this address."))
        return redirect(self.case)


class ReturnFileView(View):
    """A return photo or its thumbnail, for the case's customer and for staff only."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, number: str, piece: str, variant: str) -> HttpResponse:
        if piece not in ("label_photo", "postage_receipt") or variant not in ("image", "thumbnail"):
            raise Http404("No such file.")
        if images.staff_may_view(request.user):
            case = Case.objects.filter(number=number).first()
        elif request.user.is_authenticated and not request.user.is_staff:
            case = case_number_for_customer(user=request.user, number=number)
        else:
            return redirect_to_login(request.get_full_path())
        shipment = ReturnShipment.objects.filter(case=case).first() if case else None
        if shipment is None:
            raise Http404("No such file.")
        name = getattr(shipment, piece if variant == "image" else f"{piece}_thumbnail").name
        extension = os.path.splitext(name)[1].lower()
        content_type = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}.get(extension)
        if not name or content_type is None:
            raise Http404("No such file.")
        stem = os.path.splitext(getattr(shipment, f"{piece}_name"))[0] or piece
        suffix = "" if variant == "image" else "-thumbnail"
        return images.stored_file_response(
            name, content_type=content_type, download_name=f"{stem}{suffix}{extension}"
        )


def address_on_file_save(
    *, case: Case, actor: Any, fields: Mapping[str, str], meta: RequestMeta | None = None
) -> ShippingAddress:
    """The team records the address it has for the customer; the customer still confirms it."""
    if role_of(actor) == Role.CUSTOMER or not actor.has_perm("rma.change_case"):
        raise CasePermissionError(_("You do not have the permission this step needs."))
    values = {name: " ".join(str(fields.get(name, "") or "").split()) for name in ADDRESS_FIELDS}
    with transaction.atomic():
        locked = lock_case(case)
        if not locked.requires_shipping_address:
            raise CaseActionError(_("Nothing is shipped to the customer on this case."))
        address = ShippingAddress.objects.select_for_update().filter(case=locked).first()
        if address is not None and address.state in (PartState.SUBMITTED, PartState.ACCEPTED):
            raise CaseActionError(
                _("The customer already confirmed an address; send it back from the review to change it.")
            )
        address = address or ShippingAddress(case=locked, state=PartState.TO_DO)
        for name, value in values.items():
            setattr(address, name, value)
        address.country = locked.country
        address.full_clean(exclude=["case", "confirmed_by"])
        address.save()
        write_step_event(
            case=locked,
            action=ReturnAction.ADDRESS_ON_FILE,
            actor=actor,
            role=role_of(actor),
            on_behalf=False,
            data={**values, "country": address.country},
            meta=meta or NO_META,
        )
    return address

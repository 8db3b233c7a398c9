"""Forms of the required information: they validate input and nothing else."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.models import Case
from rma.required.carriers import INTERNATIONAL_CARRIERS, OTHER
from rma.required.models import ReturnShipment, normalise_identifier
from rma.required.parts import send_back_choices
from rma.required.returns_and_addresses import TRACKING_NUMBER
from rma_portal import images

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"


class SingleImageField(forms.FileField):
    """One image, cleaned by ``rma_portal.images`` into a ``CleanImage``."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": IMAGE_ACCEPT}

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return images.clean_image(upload)
        except images.ImageRejected as refused:
            raise forms.ValidationError(refused.message) from None


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files under one name; cleaned into ``CleanImage`` objects."""

    widget = MultipleImageInput

    def __init__(self, *args, max_count: int | None = None, **kwargs):
        self.max_count = max_count
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": IMAGE_ACCEPT, "multiple": True}

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        if not uploads:
            return super().clean(None, initial)  # "required"
        for upload in uploads:
            super().clean(upload, initial)
        try:
            return images.clean_images(uploads, max_count=self.max_count)
        except images.ImagesRejected as refused:
            raise forms.ValidationError(refused.messages) from None


class ReturnShipmentForm(forms.Form):
    # A carrier of the list, or OTHER with the name in ``carrier_other``. A name typed straight
    # into ``carrier`` (as the page's earlier free-text box sent it) is taken as it is.
    carrier = forms.CharField(
        label=gettext_lazy("Carrier"),
        max_length=60,
        error_messages={"required": gettext_lazy("Choose the carrier you sent the parcel with.")},
    )
    carrier_other = forms.CharField(
        label=gettext_lazy("The carrier's name"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Only if you chose “Other”."),
    )
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

    def __init__(
        self,
        *args,
        pieces: tuple[str, ...] = ReturnShipment.pieces,
        carriers: tuple[str, ...] = INTERNATIONAL_CARRIERS,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.pieces = pieces
        self.carriers = carriers
        if "tracking" not in pieces:
            del self.fields["carrier"], self.fields["carrier_other"], self.fields["tracking_number"]
        for piece in ("label_photo", "postage_receipt"):
            if piece not in pieces:
                del self.fields[piece]

    def request_sentence(self) -> str:
        """What the form asks for: every piece at first; after the team sent some back,
        exactly those, the rest of what the customer sent being kept."""
        wanted = set(self.pieces)
        if wanted >= set(ReturnShipment.pieces):
            return _(
                "Below, choose the carrier from the list (or “Other” and type its name), type the tracking "
                "number, and add a photo of the shipping label (our address readable on it) and a photo of "
                "the postage receipt. We need all of them to check the return."
            )
        if wanted == {"postage_receipt"}:
            return _(
                "Below, add a new photo of the postage receipt: that is all we need again. The carrier, "
                "tracking number and label photo you sent are kept."
            )
        if wanted == {"label_photo"}:
            return _(
                "Below, add a new photo of the shipping label (our address readable on it): that is all "
                "we need again. The carrier, tracking number and receipt photo you sent are kept."
            )
        if wanted == {"tracking"}:
            return _(
                "Below, give the carrier and the tracking number again: that is all we need again. The "
                "photos you sent are kept."
            )
        if wanted == {"label_photo", "postage_receipt"}:
            return _(
                "Below, add a new photo of the shipping label (our address readable on it) and a new "
                "photo of the postage receipt. The carrier and tracking number you sent are kept."
            )
        if wanted == {"tracking", "label_photo"}:
            return _(
                "Below, give the carrier and the tracking number again and add a new photo of the "
                "shipping label (our address readable on it). The receipt photo you sent is kept."
            )
        return _(
            "Below, give the carrier and the tracking number again and add a new photo of the postage "
            "receipt. The label photo you sent is kept."
        )

    def carrier_choice(self) -> tuple[str, str]:
        """What the page shows as chosen: a carrier of the list, or OTHER with the typed name."""
        value = " ".join(str(self["carrier"].value() or "").split())
        other = str(self["carrier_other"].value() or "")
        if value == OTHER or (value and value not in self.carriers):
            return OTHER, other if value == OTHER else value
        return value, other

    def clean(self) -> dict:
        cleaned = super().clean()
        if "carrier" not in self.fields:
            return cleaned
        other = " ".join((cleaned.pop("carrier_other", "") or "").split())
        if cleaned.get("carrier") == OTHER:
            if other:
                cleaned["carrier"] = other
            else:
                del cleaned["carrier"]
                self.add_error("carrier_other", _("Type the name of the carrier you sent the parcel with."))
        return cleaned

    def clean_tracking_number(self) -> str:
        value = normalise_identifier(self.cleaned_data["tracking_number"])
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


class ReviewForm(forms.Form):
    """The team's decision on what the customer sent: accept all, or send chosen parts back."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=(
            ("accept", gettext_lazy("Accept everything: the case goes to processing")),
            ("send_back", gettext_lazy("Send the chosen parts back to the customer")),
        ),
        widget=forms.RadioSelect,
    )
    parts = forms.MultipleChoiceField(
        label=gettext_lazy("Parts to send back"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the customer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = send_back_choices(case)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "send_back":
            if not data.get("parts"):
                self.add_error("parts", _("Choose at least one part to send back."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why, so the customer knows what to fix."))
        return data

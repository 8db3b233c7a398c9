"""The claim form of ``/rma/new/``: it validates what the customer typed, nothing else."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rma.cases.models import CaseItem, Product
from rma.claims.models import Claim
from rma.claims.services import ClaimedItem
from rma.required.forms import IMAGE_ACCEPT, MultipleImageInput
from rma_portal import images

NOT_LISTED = "not_listed"
EARLIEST_PURCHASE = datetime.date(2000, 1, 1)


class PhotosField(forms.FileField):
    """Up to a few files under one name, handed to the form's ``clean_photos`` as they came."""

    widget = MultipleImageInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": IMAGE_ACCEPT, "multiple": True}

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        for upload in uploads:
            super().clean(upload, initial)
        return uploads


def product_choices(search: str = "", *, keep: str = "") -> list:
    """The catalogue grouped by category (narrowed to ``search`` when given, the chosen
    product ``keep`` always in), then "my model is not listed"."""
    products = Product.objects.order_by("category", "model_name")
    search = search.strip()
    if search:
        wanted = Q(model_name__icontains=search) | Q(category__icontains=search)
        if keep.isdigit():
            wanted |= Q(pk=int(keep))
        products = products.filter(wanted)
    groups: dict[str, list[tuple[str, str]]] = {}
    for product in products:
        groups.setdefault(product.category or _("Other products"), []).append((str(product.pk), str(product)))
    return [("", _("Choose your model")), *groups.items(), (NOT_LISTED, _("My model is not listed"))]


class ClaimForm(forms.Form):
    # Narrows the product list below it (the "Find" button), so it needs no script.
    product_search = forms.CharField(label=gettext_lazy("Find your model"), max_length=100, required=False)
    product = forms.ChoiceField(
        label=gettext_lazy("Product model"),
        error_messages={
            "required": gettext_lazy("Choose your model, or “My model is not listed”."),
            "invalid_choice": gettext_lazy("Choose your model from the list, or “My model is not listed”."),
        },
    )
    product_name = forms.CharField(
        label=gettext_lazy("Your model, if it is not listed"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("As printed on the label or the box."),
    )
    serial = forms.CharField(
        label=gettext_lazy("S/N or UID"),
        max_length=64,
        help_text=gettext_lazy(
            "The S/N is printed on the label on the device and on its box; the UID is usually just below "
            "the QR code on that label, and in our app on the device's information page. One of the two "
            "is enough; for a whole kit, the S/N on the kit's box is best."
        ),
        error_messages={"required": gettext_lazy("Give the S/N or the UID (one of the two is enough).")},
    )
    kit = forms.ChoiceField(
        label=gettext_lazy("A single unit or the whole kit?"),
        choices=CaseItem.KitScope.choices,
        initial=CaseItem.KitScope.SINGLE_UNIT,
        widget=forms.RadioSelect,
    )
    purchase_date = forms.DateField(
        label=gettext_lazy("Purchase date"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("As on your receipt or order confirmation."),
        error_messages={
            "required": gettext_lazy("Give the day you bought it, as on your receipt."),
            "invalid": gettext_lazy("Give the purchase date as year-month-day, for example 2026-03-14."),
        },
    )
    purchase_channel = forms.ChoiceField(
        label=gettext_lazy("Where did you buy it?"),
        choices=Claim.PurchaseChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say where you bought it.")},
    )
    order_number = forms.CharField(
        label=gettext_lazy("Order number (optional)"),
        max_length=60,
        required=False,
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"),
        choices=[("", gettext_lazy("Choose the closest")), *Claim.Reason.choices],
        error_messages={"required": gettext_lazy("Choose what is wrong, or “Other”.")},
    )
    problem = forms.CharField(
        label=gettext_lazy("What happens, in your words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What you see, since when, and what you tried already."),
        error_messages={"required": gettext_lazy("Tell us what happens: it helps the team answer sooner.")},
    )
    photos = PhotosField(
        label=gettext_lazy("Photos (optional)"),
        required=False,
        help_text=gettext_lazy(
            "Up to 5 photos or screenshots of the fault: JPG, PNG or WEBP, up to 10 MB each."
        ),
    )

    def __init__(self, *args, kept_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_count = kept_count
        # The new photos that passed their checks, even if others did not.
        self.good_photos: list[images.CleanImage] = []
        data = self.data if self.is_bound else {}
        self.fields["product"].choices = product_choices(
            data.get("product_search", ""), keep=data.get("product", "")
        )

    def clean_purchase_date(self) -> datetime.date:
        day = self.cleaned_data["purchase_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The purchase date cannot be in the future."))
        if day < EARLIEST_PURCHASE:
            raise forms.ValidationError(
                _("Give a purchase date from 2000 on: check the year on your receipt.")
            )
        return day

    def clean_serial(self) -> str:
        serial = "".join(self.cleaned_data["serial"].split())
        if not serial:
            raise forms.ValidationError(_("Give the S/N or the UID (one of the two is enough)."))
        return serial

    def clean_problem(self) -> str:
        problem = self.cleaned_data["problem"].strip()
        if not problem:
            raise forms.ValidationError(_("Tell us what happens: it helps the team answer sooner."))
        return problem

    def clean_photos(self) -> list[images.CleanImage]:
        """Each file through the image pipeline; every refusal named, the good ones noted for keeping."""
        uploads = self.cleaned_data.get("photos") or []
        room = settings.RMA_CLAIM_MAX_PHOTOS - self.kept_count
        if len(uploads) > room:
            if room <= 0:
                message = _("No more photos fit: take one of the kept ones out before you add another.")
            elif self.kept_count:
                message = ngettext(
                    "Only %(room)d more photo fits beside the ones kept.",
                    "Only %(room)d more photos fit beside the ones kept.",
                    room,
                )
            else:
                message = _("You chose %(count)d photos; at most %(room)d can be sent with a claim.")
            raise forms.ValidationError(message % {"count": len(uploads), "room": room})
        good, problems = images.clean_each(uploads)
        self.good_photos.extend(good)
        if problems:
            raise forms.ValidationError(problems)
        return self.good_photos

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product")
        name = " ".join((cleaned.get("product_name") or "").split())
        if product == NOT_LISTED and not name:
            self.add_error("product_name", _("Type your model's name, as printed on its label or box."))
        elif product and product != NOT_LISTED and not Product.objects.filter(pk=product).exists():
            self.add_error("product", _("Choose your model from the list, or “My model is not listed”."))
        cleaned["product_name"] = name
        return cleaned

    def item_fields_valid(self) -> bool:
        """Whether what the verdict needs is there and valid (the rest may still be missing)."""
        return not any(
            name in self.errors
            for name in ("product", "product_name", "serial", "kit", "purchase_date", "purchase_channel")
        ) and all(
            self.cleaned_data.get(name) for name in ("product", "purchase_date", "purchase_channel", "kit")
        )

    def claimed_item(self) -> ClaimedItem:
        data = self.cleaned_data
        product = None if data["product"] == NOT_LISTED else Product.objects.get(pk=data["product"])
        return ClaimedItem(
            product=product,
            product_name=data["product_name"],
            serial=data.get("serial", ""),
            kit_scope=data["kit"],
            purchase_date=data["purchase_date"],
            purchase_channel=data["purchase_channel"],
        )

    @staticmethod
    def kept_ids(values: Sequence[str]) -> list[int]:
        return [int(value) for value in values if str(value).isdigit()]

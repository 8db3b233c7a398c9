"""Forms of the payment pages: they validate input and nothing else."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from payments.services import TRANSACTION_NUMBER
from rma.required.forms import MultipleImageField
from rma.required.models import normalise_identifier


class PaymentProofForm(forms.Form):
    transaction_number = forms.CharField(
        label=_("Payment transaction number"),
        max_length=40,
        help_text=_("17 letters and digits, on the PayPal transaction page (e.g. 5TY05013RG002845M)."),
        error_messages={"required": _("Please give the transaction number PayPal showed you.")},
    )
    receipts = MultipleImageField(
        label=_("Payment receipts"),
        max_count=settings.UPLOAD_MAX_RECEIPTS,
        help_text=_("1 to 5 screenshots or photos of the payment: JPG, PNG or WEBP, up to 10 MB each."),
        error_messages={"required": _("Please add at least one receipt image.")},
    )

    def clean_transaction_number(self) -> str:
        value = normalise_identifier(self.cleaned_data["transaction_number"])
        if not TRANSACTION_NUMBER.fullmatch(value):
            raise forms.ValidationError(
                _("A PayPal transaction number is 17 letters and digits; “%(value)s” is not."),
                params={"value": value[:40]},
            )
        return value

"""Forms of the payment pages: they validate input and nothing else."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from payments.models import SupplementaryPayment
from payments.services import TRANSACTION_NUMBER, invoice_link_problem
from rma.cases.models import ReplacementMethod
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

    def __init__(self, *args, whole: bool = True, pieces: tuple[str, ...] = (), **kwargs):
        """``whole``: the whole proof is asked for (the first time, or all of it sent back).
        Otherwise ``pieces`` says what was sent back: the form then asks for the transaction
        number only if it is among them, and for exactly one new image per receipt sent back."""
        super().__init__(*args, **kwargs)
        self.whole = whole
        self.replacing = [] if whole else SupplementaryPayment.receipt_positions(pieces)
        if whole:
            return
        if "transaction_number" not in pieces:
            del self.fields["transaction_number"]
        if not self.replacing:
            del self.fields["receipts"]
            return
        count = len(self.replacing)
        self.fields["receipts"].help_text = ngettext_lazy(
            "One new image, in place of the receipt sent back: JPG, PNG or WEBP, up to 10 MB.",
            "%(count)d new images, in place of the receipts sent back: JPG, PNG or WEBP, up to 10 MB each.",
            count,
        ) % {"count": count}

    def clean_receipts(self):
        receipts = self.cleaned_data["receipts"]
        if not self.whole and self.replacing and len(receipts) != len(self.replacing):
            raise forms.ValidationError(
                ngettext_lazy(
                    "Send exactly %(count)d new image, in place of the one sent back.",
                    "Send exactly %(count)d new images, in place of the ones sent back.",
                    len(self.replacing),
                )
                % {"count": len(self.replacing)}
            )
        return receipts

    def clean_transaction_number(self) -> str:
        value = normalise_identifier(self.cleaned_data["transaction_number"])
        if not TRANSACTION_NUMBER.fullmatch(value):
            raise forms.ValidationError(
                _("A PayPal transaction number is 17 letters and digits; “%(value)s” is not."),
                params={"value": value[:40]},
            )
        return value


class InvoiceLinkForm(forms.Form):
    """The link of an invoice the agent made on PayPal's own site, for the customer."""

    link = forms.CharField(
        label=_("Invoice link"),
        max_length=500,
        help_text=_("Copy it from the invoice on PayPal's site; it starts with https://www.paypal.com/."),
        error_messages={"required": _("Paste the invoice's link from PayPal's site.")},
        widget=forms.URLInput(attrs={"placeholder": "https://www.paypal.com/invoice/p/#…"}),
    )

    def clean_link(self) -> str:
        link = self.cleaned_data["link"].strip()
        problem = invoice_link_problem(link)
        if problem:
            raise forms.ValidationError(problem)
        return link


class MethodForm(forms.Form):
    """The replacement method: ``standard`` or ``advance`` (advance only with PayPal connected)."""

    method = forms.ChoiceField(
        label=_("How would you like your replacement?"),
        choices=ReplacementMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the two ways."),
            "invalid_choice": _("Choose one of the two ways."),
        },
    )

    def __init__(self, *args, advance_available: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.advance_available = advance_available

    def clean_method(self) -> str:
        method = self.cleaned_data["method"]
        if method == ReplacementMethod.ADVANCE and not self.advance_available:
            raise forms.ValidationError(
                _("Advance replacement is not available at the moment: choose the standard way.")
            )
        return method

from django import forms

from rma.required.bindings import PartBinding
from rma.required.services import part_submit
from tests.extra_part.models import ProofOfPurchase


class ProofForm(forms.Form):
    invoice_number = forms.CharField(max_length=40)


def _fill(invoice_number: str):
    def fill(locked, part, pieces, stored):
        part.invoice_number = invoice_number
        return {"invoice_number": invoice_number}

    return fill


class ProofBinding(PartBinding):
    model = ProofOfPurchase

    def form(self, case, data=None, files=None, *, part, pieces, on_behalf):
        return ProofForm(data)

    def submit(self, case, form, *, actor, meta, on_behalf):
        part_submit(
            case=case,
            model=ProofOfPurchase,
            actor=actor,
            fill=_fill(form.cleaned_data["invoice_number"]),
            on_behalf=on_behalf,
            meta=meta,
        )

from django import forms

from rma.required.bindings import PartBinding
from rma.required.services import part_submission
from tests.extra_part.models import ProofOfPurchase


class ProofForm(forms.Form):
    invoice_number = forms.CharField(max_length=40)


class ProofBinding(PartBinding):
    model = ProofOfPurchase

    def form(self, case, data=None, files=None, *, part, pieces, on_behalf):
        return ProofForm(data)

    def submit(self, case, form, *, actor, meta, on_behalf):
        invoice_number = form.cleaned_data["invoice_number"]
        with part_submission(
            case=case, model=ProofOfPurchase, actor=actor, on_behalf=on_behalf, meta=meta
        ) as submission:
            submission.part.invoice_number = invoice_number
            submission.data = {"invoice_number": invoice_number}

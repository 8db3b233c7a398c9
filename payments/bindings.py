"""
How the payment proof and the replacement method are entered, by the customer on their step
page and by the team for them (``rma.required.bindings``).
"""

from __future__ import annotations

from django.forms import Form
from django.utils.translation import gettext as _

from payments import paypal
from payments.forms import MethodForm, PaymentProofForm
from payments.holds import method_choose_standard
from payments.models import ReplacementChoice, SupplementaryPayment
from payments.services import payment_submit
from rma.cases.models import ReplacementMethod
from rma.cases.workflow import CaseActionError
from rma.required.bindings import DemoAnswers, PartBinding


class PaymentBinding(PartBinding):
    model = SupplementaryPayment

    def form(self, case, data=None, files=None, *, part, pieces, on_behalf) -> Form:
        payment = part or SupplementaryPayment.start(case)
        return PaymentProofForm(data, files, whole=payment.asks_for_everything(pieces), pieces=pieces)

    def submit(self, case, form, *, actor, meta, on_behalf) -> None:
        payment_submit(
            case=case,
            actor=actor,
            transaction_number=form.cleaned_data.get("transaction_number", ""),
            receipts=form.cleaned_data.get("receipts") or [],
            on_behalf=on_behalf,
            meta=meta,
        )

    def demo_answers(self, case, kit) -> DemoAnswers:
        return DemoAnswers(
            data={"transaction_number": f"5TY05013RG{case.pk:07d}"},
            files={"receipts": [kit.picture("PayPal receipt", case)]},
        )


class MethodBinding(PartBinding):
    """The standard way, here; advance replacement leads the customer to PayPal's approval
    (``payments.views.MethodView``), which only they can give."""

    model = ReplacementChoice

    def form(self, case, data=None, files=None, *, part, pieces, on_behalf) -> Form:
        if on_behalf:
            # Only the customer can approve a hold on their own PayPal account.
            return MethodForm(data, files, advance_available=False)
        initial = {"method": part.method} if part and part.method else {}
        return MethodForm(data, advance_available=paypal.is_configured(), initial=initial)

    def submit(self, case, form, *, actor, meta, on_behalf) -> None:
        if form.cleaned_data["method"] != ReplacementMethod.STANDARD:
            raise CaseActionError(_("Only the customer can place a PayPal hold."))
        method_choose_standard(case=case, actor=actor, on_behalf=on_behalf, meta=meta)

    def demo_answers(self, case, kit) -> DemoAnswers:
        # A hold needs the customer's approval on PayPal: the demo sends the item first.
        return DemoAnswers(data={"method": ReplacementMethod.STANDARD})

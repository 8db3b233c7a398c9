"""The customer's payment pages, on the shared bases of the required information."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from payments import paypal
from payments.bindings import MethodBinding, PaymentBinding
from payments.holds import hold_approval_cancel, hold_authorize, hold_request
from payments.models import HoldState, InvoiceState, SupplementaryPayment
from payments.selectors import payment_of_case, receipt_for_viewer
from payments.services import invoice_asked, invoice_request
from rma.cases.http import request_meta
from rma.cases.models import ADVANCE_RETURN_WINDOW, Case, ReplacementMethod
from rma.cases.workflow import CaseActionError
from rma.required.models import RequiredPart
from rma.required.views import CustomerCaseMixin, PartStepView, PrivateFileView
from rma_portal import private_files

PAYPAL_SEND_MONEY_HELP = "https://www.paypal.com/c2/cshelp/article/how-do-i-send-money-HELP293"


class PaymentView(PartStepView):
    """``/rma/<number>/payment/``: where and how to pay, and the form for the payment proof."""

    binding = PaymentBinding()
    file_fields = ("receipts",)
    template_name = "payments/payment.html"

    closed_message = gettext_lazy("Nothing was changed: this RMA solution takes no payment proof now.")

    thanks_message = gettext_lazy("Thank you: we received your payment proof.")

    def find_part(self) -> SupplementaryPayment | None:
        return payment_of_case(case=self.case)

    def get_context_data(self, part: RequiredPart | None, form: Form | None) -> dict[str, Any]:
        payment = part
        return {
            **super().get_context_data(part, form),
            "payment": payment,
            "receipts": payment.current_receipts if payment else [],
            "receiving_account": payment.receiving_account if payment else settings.PAYPAL_RECEIVING_ACCOUNT,
            "open_for_proof": self.case.status == Case.Status.AWAITING_INFO
            and (payment is None or payment.is_open_to_customer),
            "invoice_link": payment.invoice_link
            if payment and payment.invoice_state == InvoiceState.SENT
            else "",
            "invoice_asked": bool(payment and invoice_asked(payment)),
            "paypal_help_url": PAYPAL_SEND_MONEY_HELP,
            "max_receipts": settings.UPLOAD_MAX_RECEIPTS,
        }


class InvoiceRequestView(CustomerCaseMixin, View):
    """``POST /rma/<number>/invoice-request/``: ask the team for a PayPal invoice link."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        try:
            invoice_request(case=self.case, actor=request.user, meta=request_meta(request))
        except CaseActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("We asked the warranty team for your invoice link; it will come by email and show here."),
            )
        if self.case.requires_payment:
            return redirect(reverse("payments:payment", kwargs={"number": self.case.number}))
        return redirect(self.case)


class ReceiptFileView(PrivateFileView):
    """A receipt image or its thumbnail."""

    def stored_file(self, case: Case, variant: str, receipt_id: int = 0) -> tuple[str, str, str] | None:
        receipt = receipt_for_viewer(user=self.request.user, case=case, receipt_id=receipt_id)
        if receipt is None:
            return None
        name = receipt.image.name if variant == "image" else receipt.thumbnail.name
        return private_files.stored_file_identity(name, original_name=receipt.original_name, variant=variant)


class MethodView(PartStepView):
    """``/rma/<number>/method/``: the standard way, or advance replacement against a PayPal hold."""

    binding = MethodBinding()
    template_name = "payments/method.html"
    closed_message = gettext_lazy("Nothing was changed: the replacement method can no longer be changed.")
    thanks_message = gettext_lazy("Thank you: we will ship your replacement once your item arrives.")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        if paypal.is_configured():
            # The form leads to PayPal's approval page: the policy's form-action must allow it.
            response._csp_update = {"form-action": [paypal.approval_origin()]}
        return response

    def get_context_data(self, part: RequiredPart | None, form: Form | None) -> dict[str, Any]:
        return {
            **super().get_context_data(part, form),
            "choice": part,
            "advance_available": paypal.is_configured(),
            "return_days": ADVANCE_RETURN_WINDOW.days,
            "awaiting_approval": bool(part and part.hold_state == HoldState.APPROVING and part.order_id),
        }

    def refused_url(self) -> str:
        return reverse("payments:method", kwargs={"number": self.case.number})

    def submit(self, form: Form) -> HttpResponse | None:
        if form.cleaned_data["method"] == ReplacementMethod.STANDARD:
            return super().submit(form)
        meta = request_meta(self.request)
        choice = hold_request(
            case=self.case,
            actor=self.request.user,
            return_url=self.request.build_absolute_uri(
                reverse("payments:method_return", kwargs={"number": self.case.number})
            ),
            cancel_url=self.request.build_absolute_uri(
                reverse("payments:method_cancel", kwargs={"number": self.case.number})
            ),
            meta=meta,
        )
        return redirect(choice.approval_url)


class HoldReturnView(CustomerCaseMixin, View):
    """PayPal sends the customer back here after they approved the hold (``?token=<order id>``);
    the form on the method page posts here to try again when PayPal did not answer."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        order_id = (request.GET.get("token") or request.POST.get("token") or "").strip()[:40]
        try:
            hold_authorize(case=self.case, actor=request.user, order_id=order_id, meta=request_meta(request))
        except CaseActionError as error:
            messages.error(request, error.message)
            return redirect(reverse("payments:method", kwargs={"number": self.case.number}))
        messages.success(
            request,
            _(
                "The PayPal hold is placed. We will ship your replacement; from the day it ships "
                "you have %(days)s days to send the original item back."
            )
            % {"days": ADVANCE_RETURN_WINDOW.days},
        )
        return redirect(self.case)

    post = get


class HoldCancelView(CustomerCaseMixin, View):
    """PayPal sends the customer back here when they did not approve the hold
    (``?token=<order id>``). Without the pending order's token (a link from another site, an
    old approval page) the method page shows as it was."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        cancelled = hold_approval_cancel(
            case=self.case,
            actor=request.user,
            order_id=(request.GET.get("token") or "").strip()[:40],
            meta=request_meta(request),
        )
        if cancelled:
            messages.warning(
                request,
                _("You left PayPal without approving the hold, so nothing is held. Choose a method again."),
            )
        return redirect(reverse("payments:method", kwargs={"number": self.case.number}))

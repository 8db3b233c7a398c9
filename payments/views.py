"""The customer's payment pages: thin views over the selectors and ``payments.services``."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from payments.forms import PaymentProofForm
from payments.models import InvoiceState
from payments.selectors import payment_of_case, receipt_for_viewer
from payments.services import invoice_request, payment_submit
from rma import images
from rma.models import Case
from rma.selectors import case_number_for_customer
from rma.services import CaseActionError, RequestMeta

PAYPAL_SEND_MONEY_HELP = "https://www.paypal.com/c2/cshelp/article/how-do-i-send-money-HELP293"


class PaymentView(LoginRequiredMixin, View):
    """``/rma/<number>/payment/``: where and how to pay, and the form for the payment proof."""

    template_name = "payments/payment.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = case_number_for_customer(user=request.user, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form: PaymentProofForm | None = None, status: int = 200) -> HttpResponse:
        case = self.case
        payment = payment_of_case(case=case)
        open_for_proof = case.status == Case.Status.AWAITING_INFO and (
            payment is None or payment.is_editable_by_customer
        )
        context = {
            "case": case,
            "payment": payment,
            "receipts": payment.current_receipts if payment else [],
            "receiving_account": payment.receiving_account if payment else settings.PAYPAL_RECEIVING_ACCOUNT,
            "open_for_proof": open_for_proof,
            "form": form or PaymentProofForm(),
            "invoice_link": payment.invoice_link
            if payment and payment.invoice_state == InvoiceState.SENT
            else "",
            "invoice_asked": bool(
                payment and payment.invoice_state in (InvoiceState.REQUESTED, InvoiceState.QUEUED)
            ),
            "paypal_help_url": PAYPAL_SEND_MONEY_HELP,
            "max_receipts": settings.UPLOAD_MAX_RECEIPTS,
            "max_megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.case.requires_payment:
            raise Http404("This RMA solution asks for no payment.")
        return self.render_page()

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.case.requires_payment or self.case.status != Case.Status.AWAITING_INFO:
            messages.error(request, _("Nothing was changed: this RMA solution takes no payment proof now."))
            return redirect(self.case)
        form = PaymentProofForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            payment_submit(
                case=self.case,
                actor=request.user,
                transaction_number=form.cleaned_data["transaction_number"],
                receipts=form.cleaned_data["receipts"],
                meta=RequestMeta.from_request(request),
            )
        except CaseActionError as error:
            messages.error(request, error.message)
            return redirect(self.case)
        messages.success(request, _("Thank you: we received your payment proof."))
        return redirect(self.case)


class InvoiceRequestView(LoginRequiredMixin, View):
    """``POST /rma/<number>/invoice-request/``: ask the team for a PayPal invoice link."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = case_number_for_customer(user=request.user, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        try:
            invoice_request(case=self.case, actor=request.user, meta=RequestMeta.from_request(request))
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


class ReceiptFileView(View):
    """A receipt image or its thumbnail, for the case's customer and for staff only."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, number: str, receipt_id: int, variant: str) -> HttpResponse:
        if variant not in ("image", "thumbnail"):
            raise Http404("No such file.")
        if images.staff_may_view(request.user):
            case = Case.objects.filter(number=number).first()
            if case is None:
                raise Http404("No such RMA solution.")
        elif request.user.is_authenticated and not request.user.is_staff:
            case = case_number_for_customer(user=request.user, number=number)
        else:
            return redirect_to_login(request.get_full_path())
        receipt = receipt_for_viewer(user=request.user, case=case, receipt_id=receipt_id)
        if receipt is None:
            raise Http404("No such receipt.")
        name = receipt.image.name if variant == "image" else receipt.thumbnail.name
        stem = os.path.splitext(os.path.basename(receipt.original_name))[0] or "receipt"
        extension = os.path.splitext(name)[1]
        suffix = "" if variant == "image" else "-thumbnail"
        return images.stored_file_response(
            name, content_type=receipt.content_type, download_name=f"{stem}{suffix}{extension}"
        )

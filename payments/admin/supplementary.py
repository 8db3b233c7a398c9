"""The admin of supplementary payments: the proof, PayPal's lookup, the invoice."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments import paypal, services
from payments.admin.base import CasePartAdmin, PaymentReceiptInline, receipt_url
from payments.bindings import PaymentBinding
from payments.display import invoice_words, lookup_can_be_repeated, lookup_words
from payments.forms import InvoiceLinkForm
from payments.models import (
    InvoiceState,
    LookupState,
    PaymentReceipt,
    SupplementaryPayment,
)
from rma.cases.http import request_meta
from rma.cases.models import Case
from rma.cases.workflow import CaseActionError
from rma.required.list_filters import CurrencyFilter
from rma.required.parts import PartReview, PartTool
from rma_portal.formats import join_list


@admin.register(SupplementaryPayment)
class SupplementaryPaymentAdmin(CasePartAdmin):
    binding = PaymentBinding()

    list_display = (
        "case_number",
        "amount",
        "currency",
        "state",
        "transaction_number",
        "lookup_state",
        "used_elsewhere",
        "invoice_state",
        "submitted_at",
    )
    list_filter = ("state", "lookup_state", "invoice_state", CurrencyFilter)
    search_fields = ("case__number", "transaction_number", "case__customer__email", "invoice_id")
    list_select_related = ("case",)
    inlines = (PaymentReceiptInline,)
    actions = ("send_invoice", "look_up_again")
    fieldsets = (
        (
            None,
            {"fields": ("case_link", "amount", "currency", "receiving_account", "state", "sent_back_reason")},
        ),
        (
            gettext_lazy("Customer's proof"),
            {"fields": ("transaction_number", "duplicates", "submitted_at", "submitted_by")},
        ),
        (
            gettext_lazy("PayPal lookup (informs; the agent decides)"),
            {"fields": ("lookup_state", "lookup_result", "looked_up_at")},
        ),
        (
            gettext_lazy("PayPal invoice"),
            {
                "fields": (
                    "invoice_state",
                    "invoice_result",
                    "invoice_requested_at",
                    "invoice_id",
                    "invoice_link",
                    "invoice_sent_at",
                )
            },
        ),
    )

    def review_section(self, case: Case) -> PartReview:
        """The payment proof as the reviewer of a case sees it."""
        review = PartReview()
        payment = (
            SupplementaryPayment.objects.filter(case=case)
            .prefetch_related(
                Prefetch(
                    "receipts", queryset=PaymentReceipt.objects.filter(is_current=True), to_attr="current"
                )
            )
            .first()
        )
        review.details.append((_("Amount due"), f"{case.payment_amount} {case.payment_currency}"))
        if payment is None:
            return review
        review.details += [
            (_("Paid to"), payment.receiving_account),
            (_("Transaction number"), payment.transaction_number or "—"),
            (_("PayPal lookup"), payment.get_lookup_state_display()),
        ]
        if payment.transaction_number:
            review.details.append((_("PayPal says"), lookup_words(payment)))
        if payment.lookup_state in (LookupState.MISMATCH, LookupState.NOT_FOUND):
            review.warnings.append(_("PayPal's record does not match what is due: check before accepting."))
        if lookup_can_be_repeated(payment):
            review.tools.append(
                PartTool(
                    label=_("Look it up on PayPal again"),
                    url=look_up_again_url(payment),
                    permission="rma.change_case",
                )
            )
        if payment.invoice_state == InvoiceState.FAILED:
            review.warnings.append(invoice_words(payment))
            review.tools.append(
                PartTool(
                    label=_("Try the invoice again, or send a link by hand"),
                    url=reverse("admin:payments_send_invoice", args=[case.pk]),
                    permission="rma.change_case",
                )
            )
        duplicates = services.duplicate_transaction_cases(
            transaction_number=payment.transaction_number, exclude_case_id=case.pk
        )
        if duplicates:
            review.warnings.append(
                _("The same transaction number is on: %(cases)s.") % {"cases": join_list(duplicates)}
            )
        review.images = [
            (receipt.original_name, receipt_url(receipt, "thumbnail"), receipt_url(receipt, "image"))
            for receipt in payment.current
        ]
        return review

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "submitted_by")

    def get_urls(self):
        return [
            path(
                "send-invoice/<int:case_id>/",
                self.admin_site.admin_view(self.send_invoice_view),
                name="payments_send_invoice",
            ),
            path(
                "<int:payment_id>/look-up-again/",
                self.admin_site.admin_view(self.look_up_again_view),
                name="payments_look_up_again",
            ),
            *super().get_urls(),
        ]

    def send_invoice_view(self, request: HttpRequest, case_id: int) -> HttpResponse:
        """From a case's page: confirm (GET), then have PayPal create and send the invoice (POST)."""
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            raise Http404("No such case.")
        if not request.user.has_perm("rma.change_case"):
            raise PermissionDenied
        change_url = reverse("admin:rma_case_change", args=[case.pk])
        link_form = InvoiceLinkForm(request.POST if "link" in request.POST else None)
        if request.method == "POST" and "link" not in request.POST:
            try:
                payment = services.invoice_send(case=case, actor=request.user, meta=request_meta(request))
            except CaseActionError as error:
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            payment.refresh_from_db()
            level, message = invoice_outcome_message(payment)
            self.message_user(request, message, level)
            if payment.invoice_state == InvoiceState.FAILED:
                return HttpResponseRedirect(request.path)  # try again, or paste a link
            return HttpResponseRedirect(change_url)
        if request.method == "POST" and link_form.is_valid():
            try:
                services.invoice_link_send(
                    case=case,
                    actor=request.user,
                    link=link_form.cleaned_data["link"],
                    meta=request_meta(request),
                )
            except CaseActionError as error:
                link_form.add_error("link", error.message)
            else:
                self.message_user(
                    request,
                    _("The invoice link was sent to the customer by email and shows on their payment page."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        payment = SupplementaryPayment.objects.filter(case=case).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Send a PayPal invoice for %(number)s") % {"number": case.number},
            "case": case,
            "customer_email": case.customer.email,
            "paypal_configured": paypal.is_configured(),
            "change_url": change_url,
            "link_form": link_form,
            "customer_asked": payment is not None and payment.invoice_requested_at is not None,
            "current_link": payment.invoice_link
            if payment is not None and payment.invoice_state == InvoiceState.SENT
            else "",
            "last_failure": invoice_words(payment)
            if payment is not None and payment.invoice_state == InvoiceState.FAILED
            else "",
            "being_created": payment is not None and payment.invoice_state == InvoiceState.QUEUED,
        }
        return TemplateResponse(request, "admin/payments/send_invoice.html", context)

    @admin.display(description=gettext_lazy("number used on another case"), boolean=True)
    def used_elsewhere(self, payment: SupplementaryPayment) -> bool:
        return getattr(payment, "identifier_used_elsewhere", False)

    @admin.display(description=gettext_lazy("same transaction number on"))
    def duplicates(self, payment: SupplementaryPayment) -> str:
        numbers = services.duplicate_transaction_cases(
            transaction_number=payment.transaction_number, exclude_case_id=payment.case_id
        )
        if not numbers:
            return _("no other case")
        return mark_safe(join_list(format_html("<strong>{}</strong>", number) for number in numbers))  # noqa: S308 - escaped

    @admin.display(description=gettext_lazy("PayPal says"))
    def lookup_result(self, payment: SupplementaryPayment) -> str:
        if not payment.transaction_number:
            return _("No transaction number was submitted yet.")
        if not lookup_can_be_repeated(payment):
            return lookup_words(payment)
        return format_html(
            '{} <a href="{}" class="rma-look-up-again">{}</a>',
            lookup_words(payment),
            look_up_again_url(payment),
            _("Look it up on PayPal again"),
        )

    @admin.display(description=gettext_lazy("invoice result"))
    def invoice_result(self, payment: SupplementaryPayment) -> str:
        if payment.invoice_state != InvoiceState.FAILED:
            return invoice_words(payment)
        return format_html(
            '{} <a href="{}">{}</a>',
            invoice_words(payment),
            reverse("admin:payments_send_invoice", args=[payment.case_id]),
            _("Try the invoice again, or send a link by hand"),
        )

    def look_up_again_view(self, request: HttpRequest, payment_id: int) -> HttpResponse:
        """From a payment or its case: confirm (GET), then ask PayPal about the transaction
        number again (POST); the answer shows on the payment and in the case's review."""
        payment = SupplementaryPayment.objects.select_related("case").filter(pk=payment_id).first()
        if payment is None:
            raise Http404("No such payment.")
        if not request.user.has_perm("rma.change_case"):
            raise PermissionDenied
        change_url = reverse("admin:payments_supplementarypayment_change", args=[payment.pk])
        if request.method == "POST":
            try:
                payment = services.payment_lookup_again(payment=payment, actor=request.user)
            except CaseActionError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                payment.refresh_from_db()
                self.message_user(request, lookup_outcome_message(payment), messages.INFO)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Look %(number)s up on PayPal again") % {"number": payment.transaction_number},
            "payment": payment,
            "case": payment.case,
            "lookup_words": lookup_words(payment),
            "paypal_configured": paypal.is_configured(),
            "change_url": change_url,
            "case_url": reverse("admin:rma_case_change", args=[payment.case_id]),
        }
        return TemplateResponse(request, "admin/payments/look_up_again.html", context)

    @admin.action(description=gettext_lazy("Create and send a PayPal invoice for the amount due"))
    def send_invoice(self, request: HttpRequest, queryset) -> None:
        for payment in queryset.select_related("case"):
            try:
                payment = services.invoice_send(
                    case=payment.case, actor=request.user, meta=request_meta(request)
                )
            except CaseActionError as error:
                self.message_user(request, f"{payment.case.number}: {error.message}", messages.ERROR)
            else:
                payment.refresh_from_db()
                level, message = invoice_outcome_message(payment)
                self.message_user(request, f"{payment.case.number}: {message}", level)

    @admin.action(description=gettext_lazy("Look the transaction number up on PayPal again"))
    def look_up_again(self, request: HttpRequest, queryset) -> None:
        for payment in queryset.select_related("case"):
            try:
                payment = services.payment_lookup_again(payment=payment, actor=request.user)
            except CaseActionError as error:
                self.message_user(request, f"{payment.case.number}: {error.message}", messages.ERROR)
            else:
                payment.refresh_from_db()
                self.message_user(
                    request, f"{payment.case.number}: {lookup_outcome_message(payment)}", messages.INFO
                )


def look_up_again_url(payment: SupplementaryPayment) -> str:
    return reverse("admin:payments_look_up_again", args=[payment.pk])


def invoice_outcome_message(payment: SupplementaryPayment) -> tuple[int, str]:
    """What the agent reads after asking PayPal for an invoice: sent, failed with PayPal's
    answer, or still being made (a worker carries on)."""
    if payment.invoice_state == InvoiceState.SENT:
        return messages.SUCCESS, _(
            "PayPal created and sent the invoice; its link went to the customer and shows on their page."
        )
    if payment.invoice_state == InvoiceState.FAILED:
        return messages.ERROR, _(
            "%(result)s Try again, or make the invoice on PayPal's site and paste its link."
        ) % {"result": invoice_words(payment)}
    return messages.SUCCESS, _(
        "The invoice is being created; its link will go to the customer and show on their page."
    )


def lookup_outcome_message(payment: SupplementaryPayment) -> str:
    if payment.lookup_state == LookupState.QUEUED:
        return _("Asked PayPal again; its answer will show on the payment.")
    return lookup_words(payment)

"""
Supplementary ("make-up") payments: what the customer paid, the proof they sent, what PayPal
says about it, and the invoice link the team may send instead.

One ``SupplementaryPayment`` per case that asks for a payment. It is one of the case's
required parts (``rma.required.models.RequiredPart``): its ``state`` is its place in the
case's checklist (to do, submitted, sent back, accepted); its ``lookup_*``
fields are what PayPal's Transaction Search reported, for the agent: the agent decides,
the lookup informs. Receipts of earlier submissions are kept for the record, marked as
replaced.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Action, Case, HoldSettlement, ReplacementMethod
from rma.required.models import PartState, RequiredPart, StoredPicture
from rma_portal.formats import format_money

# PayPal transaction IDs are 17 letters and digits.
transaction_number_validator = RegexValidator(
    r"^[A-Z0-9]{17}$", _("A PayPal transaction number is 17 letters and digits.")
)


class LookupState(models.TextChoices):
    """What the PayPal lookup of the transaction number came to."""

    NOT_CHECKED = "not_checked", _("Not checked")
    SKIPPED = "skipped", _("Skipped: PayPal not configured, check by hand")
    QUEUED = "queued", _("Waiting for PayPal")
    MATCHED = "matched", _("Matches: completed, amount and currency as due")
    MISMATCH = "mismatch", _("Found, but does not match what is due")
    NOT_FOUND = "not_found", _("Not found on the receiving account")
    UNAVAILABLE = "unavailable", _("PayPal did not answer; check by hand or look up again")
    REFUSED = (
        "refused",
        _("PayPal refused the lookup or gave no usable answer; check by hand or look up again"),
    )


class InvoiceState(models.TextChoices):
    NONE = "none", _("Not asked for")
    REQUESTED = "requested", _("Requested by the customer")
    QUEUED = "queued", _("Being created")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent: see PayPal's answer, then try again")


class SupplementaryPayment(RequiredPart):
    """The supplementary payment a case asks for, and the customer's proof of it."""

    key = "payment"
    title = _("Payment proof")
    case_accessor = "supplementary_payment"
    step_url_name = "payments:payment"
    binding = "payments.bindings.PaymentBinding"
    submit_action = Action.PAYMENT_SUBMIT
    step_title = _("Send the payment proof")
    help_anchor = "payment"
    has_pictures = True
    submitted_sentence = _("Your payment proof was received.")
    identifier_field = "transaction_number"
    identifier_risk = (
        "repeated_transaction_number",
        _("The same PayPal transaction number is on another case"),
    )

    case = models.OneToOneField(
        "rma.Case", on_delete=models.PROTECT, related_name="supplementary_payment", verbose_name=_("case")
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    receiving_account = models.CharField(
        _("receiving PayPal account"),
        max_length=254,
        help_text=_("The account the customer was asked to pay, as shown to them."),
    )
    transaction_number = models.CharField(
        _("transaction number"),
        max_length=17,
        blank=True,
        db_index=True,
        validators=[transaction_number_validator],
    )

    lookup_state = models.CharField(
        _("PayPal lookup"), max_length=20, choices=LookupState.choices, default=LookupState.NOT_CHECKED
    )
    lookup_status = models.CharField(_("PayPal status"), max_length=20, blank=True)
    lookup_amount = models.DecimalField(
        _("PayPal amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    lookup_currency = models.CharField(_("PayPal currency"), max_length=3, blank=True)
    lookup_payer_email = models.CharField(_("PayPal payer email"), max_length=254, blank=True)
    lookup_error = models.CharField(_("PayPal lookup error"), max_length=300, blank=True)
    # What PayPal answered when the lookup gave no result (``paypal.PayPalError.answer``).
    lookup_answer = models.JSONField(_("PayPal's answer to the lookup"), default=dict, blank=True)
    looked_up_at = models.DateTimeField(_("looked up"), null=True, blank=True)

    invoice_state = models.CharField(
        _("invoice"), max_length=20, choices=InvoiceState.choices, default=InvoiceState.NONE
    )
    invoice_requested_at = models.DateTimeField(_("invoice requested"), null=True, blank=True)
    invoice_id = models.CharField(_("PayPal invoice ID"), max_length=40, blank=True)
    invoice_link = models.URLField(_("invoice link"), max_length=500, blank=True)
    invoice_error = models.CharField(_("invoice error"), max_length=300, blank=True)
    # What PayPal answered when the invoice was not sent (``paypal.PayPalError.answer``).
    invoice_answer = models.JSONField(_("PayPal's answer to the invoice"), default=dict, blank=True)
    invoice_sent_at = models.DateTimeField(_("invoice sent"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("supplementary payment")
        verbose_name_plural = _("supplementary payments")
        ordering = ("-created_at", "-id")
        # The payment list filtered by currency, in its order (newest first), and its count.
        indexes = [models.Index(fields=["currency", "-id"], name="payments_payment_currency")]
        constraints = [
            models.CheckConstraint(
                # Sent means a transaction number came with it; to do and waived need none.
                condition=Q(state__in=[PartState.TO_DO, PartState.WAIVED]) | ~Q(transaction_number=""),
                name="payments_submitted_has_transaction_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_state_display()})"

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        return case.requires_payment

    @classmethod
    def ask(cls, case: Case, *, after_shipment: bool = False, sent_back: tuple[str, ...] = ()) -> str:
        return gettext(
            "Pay %(amount)s by PayPal and send us the payment proof; the payment page shows the PayPal "
            "account to pay."
        ) % {"amount": format_money(case.payment_amount, case.payment_currency)}

    def current_receipt_list(self) -> list[PaymentReceipt]:
        if self.pk is None:
            return []
        cached = getattr(self, "current_receipts", None)  # set by payments.selectors.payment_of_case
        return list(cached) if cached is not None else list(self.receipts.filter(is_current=True))

    def piece_names(self) -> tuple[str, ...]:
        """The transaction number, and each current receipt on its own (``receipt-<position>``)."""
        return (
            "transaction_number",
            *(f"receipt-{receipt.position}" for receipt in self.current_receipt_list()),
        )

    def piece_label(self, piece: str) -> str:
        if piece == "transaction_number":
            return str(_("Transaction number"))
        for receipt in self.current_receipt_list():
            if piece == f"receipt-{receipt.position}":
                return str(
                    _("Receipt %(position)s (%(name)s)")
                    % {"position": receipt.position, "name": receipt.original_name}
                )
        return piece

    def asks_for_everything(self, pieces: tuple[str, ...]) -> bool:
        """Whether ``pieces`` (what may be sent now) is the whole proof: the first time, or
        when all of it was sent back."""
        return self.pk is None or self.state == PartState.TO_DO or set(pieces) >= set(self.piece_names())

    @staticmethod
    def receipt_positions(pieces: list[str] | tuple[str, ...]) -> list[int]:
        """The receipt positions named among ``pieces`` (``receipt-2`` -> 2), in order."""
        return sorted(int(piece.split("-", 1)[1]) for piece in pieces if piece.startswith("receipt-"))

    @property
    def receipts_sent_back(self) -> list[int]:
        """Positions of the receipts the team asked for again."""
        return self.receipt_positions(self.sent_back_items)

    @classmethod
    def start(cls, case: Case) -> SupplementaryPayment:
        return cls(
            case=case,
            amount=case.payment_amount,
            currency=case.payment_currency,
            receiving_account=settings.PAYPAL_RECEIVING_ACCOUNT,
        )


class PaymentReceipt(StoredPicture):
    """One receipt image (a screenshot of the payment), cleaned and stored by ``rma_portal.images``."""

    payment = models.ForeignKey(
        SupplementaryPayment, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("payment")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    is_current = models.BooleanField(_("current"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payment receipt")
        verbose_name_plural = _("payment receipts")
        ordering = ("payment", "-is_current", "position", "id")

    def __str__(self) -> str:
        return self.original_name


class HoldState(models.TextChoices):
    """Where the PayPal hold of an advance replacement stands."""

    NONE = "none", _("No hold")
    APPROVING = "approving", _("Waiting for the customer's approval at PayPal")
    AUTHORIZED = "authorized", _("Placed")
    VOIDING = "voiding", _("Being released")
    VOIDED = "voided", _("Released")
    CAPTURING = "capturing", _("Being captured")
    CAPTURED = "captured", _("Captured")
    FAILED = "failed", _("PayPal did not settle it: see PayPal's answer, then ask again")


# Once a hold is placed the method is settled; these states are the hold's life after that.
HOLD_PLACED_STATES = frozenset(
    {
        HoldState.AUTHORIZED,
        HoldState.VOIDING,
        HoldState.VOIDED,
        HoldState.CAPTURING,
        HoldState.CAPTURED,
        HoldState.FAILED,
    }
)


class ReplacementChoice(RequiredPart):
    """The method the customer chose for a replacement that needs a return, and the PayPal
    hold of an advance replacement (an order with ``intent=AUTHORIZE`` and its authorization).

    One of the case's required parts: it is in once the customer chose the standard way, or
    once the hold is placed. Until then the customer may change their mind.
    """

    key = "method"
    title = _("Replacement method")
    case_accessor = "replacement_choice"
    step_url_name = "payments:method"
    binding = "payments.bindings.MethodBinding"
    submit_action = Action.METHOD_CHOOSE
    step_title = _("Choose how you get the replacement")
    help_anchor = "method"
    submitted_sentence = _("You chose how to get your replacement.")

    case = models.OneToOneField(
        "rma.Case", on_delete=models.PROTECT, related_name="replacement_choice", verbose_name=_("case")
    )
    method = models.CharField(_("method"), max_length=10, choices=ReplacementMethod.choices, blank=True)
    hold_state = models.CharField(
        _("PayPal hold"), max_length=20, choices=HoldState.choices, default=HoldState.NONE
    )
    amount = models.DecimalField(_("hold amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("hold currency"), max_length=3, blank=True)
    # A fresh key per order: the PayPal-Request-Id of each call about this order is made from it.
    request_key = models.CharField(_("request key"), max_length=40, blank=True, editable=False)
    order_id = models.CharField(_("PayPal order ID"), max_length=40, blank=True, db_index=True)
    approval_url = models.URLField(_("PayPal approval link"), max_length=500, blank=True)
    authorization_id = models.CharField(
        _("PayPal authorization ID"), max_length=40, blank=True, db_index=True
    )
    authorization_status = models.CharField(_("PayPal authorization status"), max_length=30, blank=True)
    authorized_at = models.DateTimeField(_("hold placed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged to the team"), null=True, blank=True)
    settled_at = models.DateTimeField(_("released or captured"), null=True, blank=True)
    capture_id = models.CharField(_("PayPal capture ID"), max_length=40, blank=True)
    paypal_error = models.CharField(_("PayPal error"), max_length=300, blank=True)
    # How many times the team asked PayPal again after it refused to release or capture the
    # hold: each new attempt carries its own PayPal-Request-Id (PayPal would repeat its refusal).
    settle_attempt = models.PositiveSmallIntegerField(
        _("settlement attempt"), default=0, db_default=0, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("replacement method")
        verbose_name_plural = _("replacement methods")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["hold_state", "authorized_at"], name="payments_hold_state_placed")]

    def __str__(self) -> str:
        return f"{self.get_method_display() or '-'} ({self.get_hold_state_display()})"

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        return case.offers_advance_replacement

    @classmethod
    def ask(cls, case: Case, *, after_shipment: bool = False, sent_back: tuple[str, ...] = ()) -> str:
        return gettext(
            "Choose how you get the replacement: send the item first, or get the replacement "
            "first against a PayPal hold of %(amount)s."
        ) % {"amount": format_money(case.hold_amount, case.hold_currency)}

    @property
    def hold_placed(self) -> bool:
        return self.hold_state in HOLD_PLACED_STATES

    def open_pieces(self) -> tuple[str, ...]:
        """The choice may be changed, whatever it was, until a hold is placed."""
        return () if self.hold_placed else ("method",)

    def request_id(self, step: str) -> str:
        """The PayPal-Request-Id of ``step`` (order, authorize, void, capture) of this hold;
        a release or capture asked again after a refusal is a new request."""
        if step in ("void", "capture") and self.settle_attempt:
            step = f"{step}-{self.settle_attempt}"
        return f"{self.case_id}-{self.request_key}-{step}"

    @property
    def customer_state_label(self) -> str:
        """The hold's state as the customer reads it: a release or a capture PayPal has not
        confirmed yet is still on its way (the team sees PayPal's answer and follows it up)."""
        if self.hold_state == HoldState.FAILED:
            capturing = self.case.hold_settlement == HoldSettlement.CAPTURE
            settling = HoldState.CAPTURING if capturing else HoldState.VOIDING
            return str(settling.label)
        return str(self.get_hold_state_display())

    @property
    def settlement_failed(self) -> bool:
        """PayPal refused the release or capture, or did not answer and the team was told."""
        return self.hold_state == HoldState.FAILED or (
            self.hold_state in (HoldState.VOIDING, HoldState.CAPTURING) and bool(self.paypal_error)
        )

"""
RMA cases and their rules.

The lifecycle is data: ``Case.Status`` lists the states, ``TRANSITIONS`` beside it says which
action moves a case from which state to which, and who may take it. ``rma.cases.services`` is
the only code that changes a case; it reads the table, never a second copy of the rules.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.warranty import Channel, Condition, Verdict, policy_breaches, verdict
from rma_portal.currencies import CURRENCY_CHOICES, DEFAULT_CURRENCY
from rma_portal.formats import postal_address_lines


class Warehouse(models.Model):
    """Where customers send returned items; its postal address is shown to them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    recipient = models.CharField(
        _("recipient"), max_length=150, blank=True, help_text=_("The name to write on the parcel.")
    )
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. US."))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=CURRENCY_CHOICES,
        default=DEFAULT_CURRENCY,
        help_text=_("The currency of the warehouse's country: an advance replacement's hold is in it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        """The postal address, one line per entry, empty lines left out."""
        return postal_address_lines(
            name=self.recipient or self.name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
            phone=self.phone,
        )


class Role(models.TextChoices):
    """Who took an action, as recorded on each event."""

    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Warranty agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM = "system", _("System")


class Action(models.TextChoices):
    """Everything that can happen to a case; the first group moves it between statuses."""

    SUBMIT_FOR_APPROVAL = "submit_for_approval", _("Submit for approval")
    PUBLISH = "publish", _("Publish to the customer")
    APPROVE = "approve", _("Approve")
    SEND_BACK = "send_back", _("Send back to draft")
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    REVISE = "revise", _("Revise the solution")
    CANCEL = "cancel", _("Cancel")
    MARK_INFO_COMPLETE = "mark_info_complete", _("Mark the required information complete")
    ACCEPT = "accept", _("Accept the information")
    REQUEST_INFO = "request_info", _("Ask for information again")
    COMPLETE = "complete", _("Complete")
    # A warranty claim the customer sent (rma.claims): the team answers it or declines it.
    ANSWER_CLAIM = "answer_claim", _("Publish the solution to the claim")
    DECLINE_CLAIM = "decline_claim", _("Decline the claim")
    # Actions that leave the status as it is.
    CREATE = "create", _("Created")
    CLAIM_SEND = "claim_send", _("Warranty claim sent")
    EDIT = "edit", _("Edited")
    MESSAGE = "message", _("Message")
    REMIND = "remind", _("Reminder sent")
    FLAG_OVERDUE = "flag_overdue", _("Flagged overdue to the team")
    # The required information (rma.required.services, payments.services).
    RETURN_SUBMIT = "return_submit", _("Return information sent")
    ADDRESS_CONFIRM = "address_confirm", _("Shipping address confirmed")
    ADDRESS_ON_FILE = "address_on_file", _("Shipping address recorded by the team")
    PART_WAIVE = "part_waive", _("Required information waived")
    PAYMENT_SUBMIT = "payment_submit", _("Payment proof sent")
    PAYMENT_LOOKUP = "payment_lookup", _("Payment looked up on PayPal")
    INVOICE_REQUEST = "invoice_request", _("PayPal invoice requested")
    INVOICE_QUEUE = "invoice_queue", _("PayPal invoice ordered")
    INVOICE_SENT = "invoice_sent", _("PayPal invoice sent")
    INVOICE_FAILED = "invoice_failed", _("PayPal invoice refused")
    WARRANTY_OVERRIDE = "warranty_override", _("Warranty set by hand")
    # Advance replacement: the method, the PayPal hold, the replacement shipped ahead.
    SHIP_AHEAD = "ship_ahead", _("Ship the replacement ahead of the return")
    RECEIVE_RETURN = "receive_return", _("Mark the return received")
    CAPTURE_HOLD = "capture_hold", _("Capture the PayPal hold")
    EXTEND_RETURN = "extend_return", _("Extend the return window")
    METHOD_CHOOSE = "method_choose", _("Replacement method chosen")
    HOLD_APPROVAL = "hold_approval", _("Sent to PayPal to approve the hold")
    HOLD_CANCEL = "hold_cancel", _("PayPal hold not placed")
    HOLD_PLACE = "hold_place", _("PayPal hold placed")
    HOLD_FLAG = "hold_flag", _("PayPal hold flagged: decide before it expires")
    HOLD_VOID = "hold_void", _("PayPal hold released")
    HOLD_CAPTURED = "hold_captured", _("PayPal hold captured")
    HOLD_ERROR = "hold_error", _("PayPal refused to settle the hold")
    HOLD_RETRY = "hold_retry", _("Asked PayPal again to settle the hold")


@dataclass(frozen=True)
class Transition:
    """One row of the lifecycle table.

    ``roles`` are the roles that may take the action themselves. ``on_behalf`` says staff may
    take a customer's action for them (recorded as such). ``permission`` is what a member of
    staff needs, whether acting for themselves or on the customer's behalf.
    """

    action: str
    source: str
    targets: tuple[str, ...]
    roles: frozenset[str]
    permission: str
    on_behalf: bool = False
    comment_required: bool = False


# Every status but ``Case.FINAL_STATUSES`` (a partial index needs them before the class exists).
OPEN_STATUSES = (
    "requested",
    "draft",
    "pending_approval",
    "pending_confirm",
    "disagreed",
    "awaiting_info",
    "under_review",
    "processing",
    "awaiting_return",
)


class ReplacementMethod(models.TextChoices):
    """How a replacement that needs a return goes: the item first, or the replacement first."""

    STANDARD = "standard", _("Standard: send the item first")
    ADVANCE = "advance", _("Advance replacement: the replacement first, against a PayPal hold")


class HoldSettlement(models.TextChoices):
    """What the team decided about the hold of a replacement shipped ahead; the case completes
    once PayPal confirms it (``Action.HOLD_VOID`` or ``Action.HOLD_CAPTURED``)."""

    NONE = "", _("Not decided yet")
    RELEASE = "release", _("Return received: the hold is being released")
    CAPTURE = "capture", _("Return not received: the hold is being captured")


# Advance replacement: the return is due this long after the replacement ships. PayPal keeps
# an authorization 29 days from the hold; the portal settles it (captures or releases it) by
# day 28 at the latest, so a late shipment gets a shorter window (``Case.return_due_from``).
ADVANCE_RETURN_WINDOW = datetime.timedelta(days=25)
HOLD_SETTLE_BY = datetime.timedelta(days=28)
# The return is due at the latest this long before the portal settles the hold itself, so a
# supervisor still has a day to capture it or extend the date.
HOLD_DECISION_MARGIN = datetime.timedelta(days=1)


# What the customer is offered: a revision must change at least one of these, or an item.
OFFERED_FIELDS = (
    "solution_type",
    "solution_note",
    "return_required",
    "warehouse_id",
    "payment_amount",
    "payment_currency",
    "refund_amount",
    "refund_currency",
    "country",
    "advance_replacement",
    "hold_amount",
    "hold_currency",
)
OFFERED_ITEM_FIELDS = (
    "product_id",
    "product_model",
    "serial_number",
    "uid",
    "quantity",
    "kit_scope",
    "purchase_date",
    "condition",
    "purchase_channel",
    "registered_on",
    "replaces_id",
    "unit_value",
    "warranty_override_until",
    "warranty_override_reason",
)


class Case(models.Model):
    """An RMA solution offered to one customer, from draft to completion."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Claim received")
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        PENDING_CONFIRM = "pending_confirm", _("Pending confirmation")
        DISAGREED = "disagreed", _("Disagreed")
        AWAITING_INFO = "awaiting_info", _("Awaiting information")
        UNDER_REVIEW = "under_review", _("Under review")
        PROCESSING = "processing", _("Processing")
        AWAITING_RETURN = "awaiting_return", _("Replacement shipped, awaiting return")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class SolutionType(models.TextChoices):
        REFUND = "refund", _("Refund")
        REPLACEMENT = "replacement", _("Replacement")
        RESEND = "resend", _("Resend")

    # Statuses the customer never sees: the solution is still being prepared or reviewed.
    HIDDEN_STATUSES = frozenset({Status.DRAFT, Status.PENDING_APPROVAL})
    FINAL_STATUSES = frozenset({Status.COMPLETED, Status.CANCELLED})
    # The solution may be edited only while nobody outside the team relies on it.
    EDITABLE_STATUSES = frozenset({Status.REQUESTED, Status.DRAFT, Status.DISAGREED})

    number = models.CharField(_("RMA number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rma_cases",
        verbose_name=_("customer"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    solution_type = models.CharField(_("solution"), max_length=20, choices=SolutionType.choices)
    solution_note = models.TextField(
        _("note to the customer"),
        blank=True,
        help_text=_("Shown to the customer with the solution, in plain words."),
    )
    return_required = models.BooleanField(_("return required"), default=False)
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("return warehouse"),
    )
    payment_amount = models.DecimalField(
        _("supplementary payment"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Leave empty when the customer owes nothing."),
    )
    payment_currency = models.CharField(_("payment currency"), max_length=3, blank=True)
    refund_amount = models.DecimalField(
        _("refund amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    refund_currency = models.CharField(_("refund currency"), max_length=3, blank=True)
    advance_replacement = models.BooleanField(
        _("offer advance replacement"),
        default=False,
        db_default=False,
        help_text=_(
            "For a replacement with a return: the customer may get the replacement first, "
            "against a PayPal hold of its value released when the return arrives."
        ),
    )
    hold_amount = models.DecimalField(
        _("hold amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Left empty, it is the items' values added up."),
    )
    hold_currency = models.CharField(
        _("hold currency"),
        max_length=3,
        choices=CURRENCY_CHOICES,
        blank=True,
        default="",
        db_default="",
        help_text=_("Left empty, it is the return warehouse's currency."),
    )
    # The method the customer chose (written by the method step in payments.services), when
    # the hold was placed, and when the return is due after the replacement shipped ahead.
    replacement_method = models.CharField(
        _("replacement method"),
        max_length=10,
        choices=ReplacementMethod.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    hold_placed_at = models.DateTimeField(_("hold placed"), null=True, blank=True, editable=False)
    return_due_at = models.DateTimeField(_("return due"), null=True, blank=True, editable=False)
    # Set by the step that decides the hold's fate (the return received, or the hold captured);
    # the case completes when PayPal confirms it.
    hold_settlement = models.CharField(
        _("PayPal hold settlement"),
        max_length=10,
        choices=HoldSettlement.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    policy_exception_reason = models.TextField(
        _("exception reason"),
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Required when the solution goes against the warranty policy (an item out of warranty, "
            "a refund past 30 days or not bought from the official store): why the team makes an "
            "exception. The solution then goes to a supervisor, who reads it. Never shown to the customer."
        ),
    )
    # A fingerprint of the solution last offered (``Case.offered_fingerprint``):
    # a revision must differ from it.
    offered_solution = models.CharField(
        _("solution offered"), max_length=64, blank=True, default="", db_default="", editable=False
    )
    needs_approval = models.BooleanField(
        _("needs supervisor approval"),
        default=False,
        help_text=_("The customer sees the solution only after a supervisor approves it."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        help_text=_("ISO 3166-1 alpha-2 code. Anything shipped to the customer goes to this country."),
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_rma_cases",
        limit_choices_to={"is_staff": True},
        verbose_name=_("assigned agent"),
    )
    agent_notes = models.TextField(_("agent notes"), blank=True, help_text=_("Never shown to the customer."))
    revision = models.PositiveSmallIntegerField(_("revision"), default=0, editable=False)
    refund_reference = models.CharField(_("refund reference"), max_length=100, blank=True, editable=False)
    outbound_carrier = models.CharField(_("outbound carrier"), max_length=60, blank=True, editable=False)
    outbound_tracking_number = models.CharField(
        _("outbound tracking number"), max_length=60, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    # Set by each transition from settings.RMA_DEADLINES (rma.cases.deadlines); none when final.
    due_at = models.DateTimeField(_("due"), null=True, blank=True, editable=False)
    # The first time the customer could see the solution, and the first completion and
    # cancellation: kept by CaseEvent.save as the events are written, read by the reports.
    first_visible_at = models.DateTimeField(_("first visible"), null=True, blank=True, editable=False)
    first_completed_at = models.DateTimeField(_("first completed"), null=True, blank=True, editable=False)
    first_cancelled_at = models.DateTimeField(_("first cancelled"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("RMA case")
        verbose_name_plural = _("RMA cases")
        ordering = ("-created_at", "-id")
        permissions = [
            ("approve_case", _("Can approve RMA solutions")),
            ("view_reports", _("Can read the reports and export the case list")),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "-created_at"], name="rma_case_customer_status"),
            models.Index(fields=["status", "-created_at"], name="rma_case_status_created"),
            models.Index(fields=["assigned_agent", "status"], name="rma_case_agent_status"),
            models.Index(fields=["due_at", "status"], name="rma_case_due_status"),
            # The back office's list: its default order, and each filter or sort in that order.
            models.Index(fields=["-created_at", "-id"], name="rma_case_created"),
            models.Index(fields=["solution_type", "-created_at", "-id"], name="rma_case_solution_created"),
            models.Index(fields=["warehouse", "-created_at", "-id"], name="rma_case_warehouse_created"),
            models.Index(fields=["assigned_agent", "-created_at", "-id"], name="rma_case_agent_created"),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(needs_approval=True),
                name="rma_case_needs_approval",
            ),
            models.Index(fields=["first_completed_at"], name="rma_case_first_completed"),
            models.Index(fields=["first_cancelled_at"], name="rma_case_first_cancelled"),
            # The open cases are a small share of all: the queue counts read only them.
            models.Index(
                fields=["status", "due_at", "assigned_agent"],
                condition=Q(status__in=OPEN_STATUSES),
                name="rma_case_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_amount__isnull=True) | ~Q(payment_currency=""),
                name="rma_case_payment_has_currency",
                violation_error_message=_("A supplementary payment needs a currency."),
            ),
            models.CheckConstraint(
                condition=Q(return_required=False) | Q(warehouse__isnull=False),
                name="rma_case_return_has_warehouse",
                violation_error_message=_("A return needs a return warehouse."),
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("new RMA case"))

    def get_absolute_url(self) -> str:
        return reverse("rma:case_detail", kwargs={"number": self.number})

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.payment_amount is not None and not self.payment_currency:
            errors["payment_currency"] = _("A supplementary payment needs a currency.")
        if self.return_required and self.warehouse_id is None:
            errors["warehouse"] = _("Choose the warehouse the customer returns the items to.")
        if self.solution_type == self.SolutionType.REFUND and self.refund_amount is None:
            errors["refund_amount"] = _("A refund needs an amount.")
        if self.refund_amount is not None and not self.refund_currency:
            errors["refund_currency"] = _("A refund needs a currency.")
        if self.advance_replacement:
            if self.solution_type != self.SolutionType.REPLACEMENT or not self.return_required:
                errors["advance_replacement"] = _("Advance replacement is for a replacement with a return.")
            if not self.hold_currency and self.warehouse_id is not None:
                self.hold_currency = self.warehouse.currency
            if not self.hold_currency:
                errors["hold_currency"] = _("A hold needs a currency.")
        self.payment_currency = (self.payment_currency or "").upper()
        self.refund_currency = (self.refund_currency or "").upper()
        self.country = (self.country or "").upper()
        if errors:
            raise ValidationError(errors)

    # --- What the solution needs, for the pages and the required-information checklist ---
    @property
    def requires_return(self) -> bool:
        return self.return_required

    @property
    def requires_payment(self) -> bool:
        return self.payment_amount is not None and self.payment_amount > 0

    @property
    def requires_shipping_address(self) -> bool:
        return self.solution_type in (self.SolutionType.REPLACEMENT, self.SolutionType.RESEND)

    @property
    def offers_advance_replacement(self) -> bool:
        """Whether the customer chooses between the standard way and advance replacement."""
        return (
            self.advance_replacement
            and self.solution_type == self.SolutionType.REPLACEMENT
            and self.return_required
        )

    @property
    def ships_ahead(self) -> bool:
        """Whether the replacement ships before the return, against a hold already placed."""
        return self.replacement_method == ReplacementMethod.ADVANCE and self.hold_placed_at is not None

    def hold_settle_by(self) -> datetime.datetime | None:
        """The last moment to capture or release the hold before PayPal lets it expire."""
        return self.hold_placed_at + HOLD_SETTLE_BY if self.hold_placed_at else None

    def latest_return_due(self) -> datetime.datetime | None:
        """The latest the return may be due: a day before the portal settles the hold itself."""
        settle_by = self.hold_settle_by()
        return settle_by - HOLD_DECISION_MARGIN if settle_by else None

    def return_due_from(self, shipped_at: datetime.datetime) -> datetime.datetime:
        """When the return of a replacement shipped at ``shipped_at`` is due: 25 days on, but
        never past the hold's life at PayPal (a late shipment gets a shorter window)."""
        due = shipped_at + ADVANCE_RETURN_WINDOW
        latest = self.latest_return_due()
        return min(due, latest) if latest else due

    @property
    def settling_hold(self) -> bool:
        """Whether the hold's fate is decided and the case waits for PayPal to confirm it."""
        return bool(self.hold_settlement)

    @property
    def awaiting_return_due_at(self) -> datetime.datetime | None:
        """The due time of ``awaiting_return``: the return date, or once the hold's fate is
        decided, the last moment to settle it."""
        return self.hold_settle_by() if self.settling_hold else self.return_due_at

    def prefill_hold_amount(self) -> None:
        """An advance replacement's hold amount, left empty, is the items' values added up."""
        if self.advance_replacement and self.hold_amount is None:
            self.hold_amount = self.items_value()

    def items_value(self) -> Decimal | None:
        """The items' values added up (each unit's value times its quantity), if all are known."""
        items = list(self.items.all()) if self.pk else []
        if not items or any(item.unit_value is None for item in items):
            return None
        return sum((item.unit_value * item.quantity for item in items), Decimal("0"))

    @property
    def requires_info(self) -> bool:
        """Whether agreeing leads to ``awaiting_info`` rather than straight to processing."""
        return self.requires_return or self.requires_payment or self.requires_shipping_address

    @property
    def is_visible_to_customer(self) -> bool:
        return self.status not in self.HIDDEN_STATUSES

    @property
    def is_solution_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_closed(self) -> bool:
        """Completed or cancelled: nothing more happens on the case, messages included."""
        return self.status in self.FINAL_STATUSES

    def approval_required_by_rules(self) -> bool:
        """Whether the team's rules send this solution to a supervisor, whoever drafted it:
        a refund of ``RMA_APPROVAL_REFUND_AMOUNT`` or more."""
        threshold = settings.RMA_APPROVAL_REFUND_AMOUNT
        return threshold is not None and self.refund_amount is not None and self.refund_amount >= threshold

    def offered_fingerprint(self) -> str:
        """A fingerprint of what the case offers the customer: its solution and its items."""
        offered = {
            "solution": [str(getattr(self, name)) for name in OFFERED_FIELDS],
            "items": sorted(
                [str(value) for value in values]
                for values in CaseItem.objects.filter(case=self).values_list(*OFFERED_ITEM_FIELDS)
            ),
        }
        return hashlib.sha256(json.dumps(offered, sort_keys=True).encode()).hexdigest()

    def policy_breaches(self) -> list[tuple[str, str]]:
        """The items whose solution the warranty policy does not allow, each with why
        (``rma.cases.warranty.policy_breaches``)."""
        return policy_breaches(self) if self.pk else []

    @property
    def goes_to_approval(self) -> bool:
        """Whether the solution is shown to a supervisor before the customer: ticked, required
        by the team's rules, or going against the warranty policy."""
        return self.needs_approval or self.approval_required_by_rules() or bool(self.policy_breaches())

    def allowed_actions(self) -> list[Transition]:
        """The transitions the lifecycle table offers from the current status."""
        return transitions_from(self.status)


Status = Case.Status

TRANSITIONS: tuple[Transition, ...] = (
    # A customer's warranty claim: the team writes the solution in the case and publishes it
    # (to a supervisor first when it needs approval), or declines the claim with a reason.
    Transition(
        Action.ANSWER_CLAIM,
        Status.REQUESTED,
        (Status.PENDING_CONFIRM, Status.PENDING_APPROVAL),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.DECLINE_CLAIM,
        Status.REQUESTED,
        (Status.CANCELLED,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
        comment_required=True,
    ),
    Transition(
        Action.SUBMIT_FOR_APPROVAL,
        Status.DRAFT,
        (Status.PENDING_APPROVAL,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.PUBLISH,
        Status.DRAFT,
        (Status.PENDING_CONFIRM,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.APPROVE,
        Status.PENDING_APPROVAL,
        (Status.PENDING_CONFIRM,),
        frozenset({Role.SUPERVISOR}),
        "rma.approve_case",
    ),
    Transition(
        Action.SEND_BACK,
        Status.PENDING_APPROVAL,
        (Status.DRAFT,),
        frozenset({Role.SUPERVISOR}),
        "rma.approve_case",
        comment_required=True,
    ),
    Transition(
        Action.AGREE,
        Status.PENDING_CONFIRM,
        (Status.AWAITING_INFO, Status.PROCESSING),
        frozenset({Role.CUSTOMER}),
        "rma.change_case",
        on_behalf=True,
    ),
    Transition(
        Action.DISAGREE,
        Status.PENDING_CONFIRM,
        (Status.DISAGREED,),
        frozenset({Role.CUSTOMER}),
        "rma.change_case",
        on_behalf=True,
        comment_required=True,
    ),
    Transition(
        Action.REVISE,
        Status.DISAGREED,
        (Status.PENDING_CONFIRM, Status.PENDING_APPROVAL),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.CANCEL,
        Status.DISAGREED,
        (Status.CANCELLED,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
        comment_required=True,
    ),
    Transition(
        Action.MARK_INFO_COMPLETE,
        Status.AWAITING_INFO,
        (Status.UNDER_REVIEW,),
        frozenset({Role.CUSTOMER, Role.SYSTEM}),
        "rma.change_case",
        on_behalf=True,
    ),
    Transition(
        Action.ACCEPT,
        Status.UNDER_REVIEW,
        (Status.PROCESSING,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.REQUEST_INFO,
        Status.UNDER_REVIEW,
        (Status.AWAITING_INFO,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
        comment_required=True,
    ),
    Transition(
        Action.COMPLETE,
        Status.PROCESSING,
        (Status.COMPLETED,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    # Advance replacement: the replacement ships first; the case stays open until the return.
    Transition(
        Action.SHIP_AHEAD,
        Status.PROCESSING,
        (Status.AWAITING_RETURN,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    # The return received, or the hold to be captured: the hold's fate is decided and the case
    # waits for PayPal. It completes when PayPal confirms the release or the capture (a step
    # of the system only), never while money is held or its fate unknown.
    Transition(
        Action.RECEIVE_RETURN,
        Status.AWAITING_RETURN,
        (Status.AWAITING_RETURN,),
        frozenset({Role.AGENT, Role.SUPERVISOR}),
        "rma.change_case",
    ),
    Transition(
        Action.CAPTURE_HOLD,
        Status.AWAITING_RETURN,
        (Status.AWAITING_RETURN,),
        frozenset({Role.SUPERVISOR, Role.SYSTEM}),
        "rma.approve_case",
    ),
    Transition(
        Action.HOLD_VOID,
        Status.AWAITING_RETURN,
        (Status.COMPLETED,),
        frozenset({Role.SYSTEM}),
        "rma.change_case",
    ),
    Transition(
        Action.HOLD_CAPTURED,
        Status.AWAITING_RETURN,
        (Status.COMPLETED,),
        frozenset({Role.SYSTEM}),
        "rma.change_case",
    ),
    Transition(
        Action.EXTEND_RETURN,
        Status.AWAITING_RETURN,
        (Status.AWAITING_RETURN,),
        frozenset({Role.SUPERVISOR}),
        "rma.approve_case",
        comment_required=True,
    ),
)


def transitions_from(status: str) -> list[Transition]:
    """Every row of the table that starts at ``status``."""
    return [row for row in TRANSITIONS if row.source == status]


def transition_for(action: str) -> Transition:
    """The table row of a status-changing action (each action starts from one status)."""
    for row in TRANSITIONS:
        if row.action == action:
            return row
    raise KeyError(action)


class CaseNumberCounter(models.Model):
    """The last case number handed out in a year, locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Product(models.Model):
    """A product the maker sells, as the warranty policy sees it: new or certified refurbished."""

    model_name = models.CharField(_("model"), max_length=100, unique=True)
    category = models.CharField(
        _("category"), max_length=60, blank=True, help_text=_("For example: camera, NVR, system kit.")
    )
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.NEW
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("model_name",)

    def __str__(self) -> str:
        if self.condition == Condition.REFURBISHED:
            return f"{self.model_name} ({self.get_condition_display()})"
        return self.model_name


class Registration(models.Model):
    """A unit the customer registered with the maker: by its S/N, on a day, from an address."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("product")
    )
    serial_number = models.CharField(_("S/N"), max_length=64)
    registered_on = models.DateField(_("registered on"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="product_registrations",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("email address"), help_text=_("The address the product was registered with."))

    class Meta:
        verbose_name = _("product registration")
        verbose_name_plural = _("product registrations")
        ordering = ("registered_on", "id")
        indexes = [models.Index(fields=["serial_number", "registered_on"], name="rma_registration_serial")]

    def __str__(self) -> str:
        return f"{self.product.model_name} {self.serial_number}"

    def save(self, *args, **kwargs) -> None:
        # Kept in capitals, as printed on the label, so the lookup of an item's S/N is exact.
        self.serial_number = (self.serial_number or "").strip().upper()
        self.email = (self.email or "").strip()
        super().save(*args, **kwargs)


def attach_registrations(items: Sequence[CaseItem]) -> None:
    """Find the registration of each item linked to a product, by its S/N, in one query
    (the earliest one when the unit was registered more than once)."""
    wanted = {(item.serial_number.strip().upper(), item.product_id) for item in items if item.product_id}
    wanted = {key for key in wanted if key[0]}
    found: dict[tuple[str, int], Registration] = {}
    if wanted:
        rows = Registration.objects.filter(
            serial_number__in={serial for serial, _product in wanted},
            product_id__in={product for _serial, product in wanted},
        ).order_by("-registered_on", "-id")
        found = {(row.serial_number, row.product_id): row for row in rows}
    for item in items:
        item._registration = found.get((item.serial_number.strip().upper(), item.product_id))


class CaseItemQuerySet(models.QuerySet):
    """Items, optionally with what their warranty verdict reads loaded in two queries."""

    _with_registrations = False

    def with_warranty_facts(self) -> CaseItemQuerySet:
        """Each item with its product, and its registration found once for all the items."""
        clone = self.select_related("product")
        clone._with_registrations = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_registrations = self._with_registrations
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is not None
        super()._fetch_all()
        if not fetched and self._with_registrations and self._result_cache:
            attach_registrations([row for row in self._result_cache if isinstance(row, CaseItem)])


class CaseItem(models.Model):
    """A product the case is about: one unit of a kit, or the whole kit."""

    class KitScope(models.TextChoices):
        SINGLE_UNIT = "single_unit", _("A single unit")
        WHOLE_KIT = "whole_kit", _("The whole kit")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items", verbose_name=_("case"))
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_items",
        verbose_name=_("product"),
        help_text=_("Its condition and the unit's registration then come from the product records."),
    )
    product_model = models.CharField(
        _("product model"),
        max_length=100,
        blank=True,
        help_text=_("Filled in from the product when one is chosen."),
    )
    serial_number = models.CharField(_("S/N"), max_length=64, blank=True, db_index=True)
    uid = models.CharField(_("UID"), max_length=64, blank=True, db_index=True)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    kit_scope = models.CharField(
        _("single unit or whole kit"),
        max_length=20,
        choices=KitScope.choices,
        default=KitScope.SINGLE_UNIT,
        help_text=_("For a whole kit, the S/N printed on the box is best."),
    )
    purchase_date = models.DateField(
        _("purchase date"), help_text=_("For a replacement unit: the day it was shipped to the customer.")
    )
    condition = models.CharField(
        _("condition"),
        max_length=20,
        choices=Condition.choices,
        default=Condition.NEW,
        db_default=Condition.NEW,
    )
    purchase_channel = models.CharField(
        _("bought from"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.UNKNOWN,
        db_default=Channel.UNKNOWN,
    )
    registered_on = models.DateField(
        _("registered on"), null=True, blank=True, help_text=_("When the customer registered the product.")
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replacement for"),
        help_text=_("The item of an earlier case that this unit replaced."),
    )
    unit_value = models.DecimalField(
        _("value of one unit"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("What a replacement unit is worth; an advance replacement's hold adds these up."),
    )
    warranty_override_until = models.DateField(
        _("warranty set by the team until"),
        null=True,
        blank=True,
        help_text=_("Only to override the policy, with the reason beside it."),
    )
    warranty_override_reason = models.CharField(
        _("why the warranty was set by hand"), max_length=300, blank=True, default="", db_default=""
    )

    objects = CaseItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(
                condition=~Q(serial_number="") | ~Q(uid=""),
                name="rma_item_has_serial_or_uid",
                violation_error_message=_("Give the S/N or the UID (one of the two is enough)."),
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="rma_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_model} ({self.identifier})"

    def clean(self) -> None:
        super().clean()
        self.serial_number = (self.serial_number or "").strip()
        self.uid = (self.uid or "").strip()
        if self.product_id is not None:
            self.product_model = self.product.model_name
        self.product_model = (self.product_model or "").strip()
        if not self.product_model:
            raise ValidationError({"product_model": _("Choose the product or type its model.")})
        if not self.serial_number and not self.uid:
            raise ValidationError(_("Give the S/N or the UID (one of the two is enough)."))
        self.warranty_override_reason = (self.warranty_override_reason or "").strip()
        if self.warranty_override_until and not self.warranty_override_reason:
            raise ValidationError(
                {"warranty_override_reason": _("Say why the warranty is set by hand: it is shown with it.")}
            )
        if self.warranty_override_reason and not self.warranty_override_until:
            raise ValidationError(
                {
                    "warranty_override_until": _(
                        "Give the last day of the warranty you set by hand, or clear the reason."
                    )
                }
            )
        if self.replaces_id and self.pk and self.replaces_id == self.pk:
            raise ValidationError({"replaces": _("An item cannot replace itself.")})

    @property
    def identifier(self) -> str:
        return self.serial_number or self.uid

    # --- The facts the warranty policy reads (rma.cases.warranty) ---
    # An item linked to a product takes its condition from the product and its registration
    # from the registrations, found by S/N; an item without one (typed before the products
    # were kept, or of a product not in the records) keeps its own condition and date.
    @property
    def registration(self) -> Registration | None:
        """The registration of this unit of its product, found by S/N (``attach_registrations``)."""
        if not hasattr(self, "_registration"):
            attach_registrations([self])
        return self._registration

    @property
    def warranty_condition(self) -> str:
        return self.product.condition if self.product_id else self.condition

    @property
    def warranty_registered_on(self) -> datetime.date | None:
        registration = self.registration
        return registration.registered_on if registration is not None else self.registered_on

    @property
    def opened_on(self) -> datetime.date:
        """The day the warranty is judged on: when the case was opened."""
        return timezone.localdate(self.case.created_at) if self.case_id else timezone.localdate()

    @property
    def warranty(self) -> Verdict:
        """The warranty policy's verdict on this item (``rma.cases.warranty``)."""
        cached = getattr(self, "_warranty", None)
        if cached is None:
            cached = self._warranty = verdict(self, on=self.opened_on)
        return cached

    @property
    def warranty_ends(self) -> datetime.date:
        return self.warranty.ends_on

    @property
    def in_warranty(self) -> bool:
        """Whether the item was under warranty on the day the case was opened."""
        return self.warranty.in_warranty


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused: audit rows are written once and kept."""

    def update(self, **kwargs):
        raise TypeError("Case events are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Case events are append-only and cannot be deleted.")


class CaseEvent(models.Model):
    """One entry of a case's audit trail. Written once, never changed or removed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    on_behalf = models.BooleanField(_("on the customer's behalf"), default=False)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Case.Status.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["case", "created_at"], name="rma_event_case_created")]

    # Events a customer sees on their timeline; the rest is the team's own business.
    CUSTOMER_VISIBLE_ACTIONS = frozenset(
        {
            Action.CLAIM_SEND,
            Action.ANSWER_CLAIM,
            Action.DECLINE_CLAIM,
            Action.PUBLISH,
            Action.APPROVE,
            Action.AGREE,
            Action.DISAGREE,
            Action.REVISE,
            Action.CANCEL,
            Action.MARK_INFO_COMPLETE,
            Action.ACCEPT,
            Action.REQUEST_INFO,
            Action.COMPLETE,
            Action.RETURN_SUBMIT,
            Action.ADDRESS_CONFIRM,
            Action.PAYMENT_SUBMIT,
            Action.INVOICE_SENT,
            Action.PART_WAIVE,
            Action.SHIP_AHEAD,
            Action.RECEIVE_RETURN,
            Action.CAPTURE_HOLD,
            Action.EXTEND_RETURN,
            Action.METHOD_CHOOSE,
            Action.HOLD_CANCEL,
            Action.HOLD_PLACE,
            Action.HOLD_VOID,
            Action.HOLD_CAPTURED,
        }
    )
    # Whose comment the customer may read along with the event.
    CUSTOMER_VISIBLE_COMMENTS = frozenset(
        {
            Action.DECLINE_CLAIM,
            Action.DISAGREE,
            Action.REVISE,
            Action.CANCEL,
            Action.REQUEST_INFO,
            Action.COMPLETE,
            Action.PART_WAIVE,
            Action.SHIP_AHEAD,
            Action.EXTEND_RETURN,
        }
    )

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Case events are append-only and cannot be updated.")
        super().save(*args, **kwargs)
        self._record_milestone()

    @property
    def milestone(self) -> str | None:
        """The case's milestone field this event may set, if any."""
        if self.action == Action.COMPLETE or (
            self.to_status == Case.Status.COMPLETED and self.from_status != self.to_status
        ):
            return "first_completed_at"
        if self.action in (Action.CANCEL, Action.DECLINE_CLAIM):
            return "first_cancelled_at"
        if self.to_status == Case.Status.PENDING_CONFIRM and self.from_status != self.to_status:
            return "first_visible_at"
        return None

    def _record_milestone(self) -> None:
        """Keep the earliest moment of the milestone on the case, in one UPDATE."""
        field = self.milestone
        if field is None:
            return
        moment = Value(self.created_at, output_field=models.DateTimeField())
        Case.objects.filter(pk=self.case_id).update(**{field: Coalesce(Least(F(field), moment), moment)})
        case = self.case if self._meta.get_field("case").is_cached(self) else None
        if case is not None and (getattr(case, field) is None or self.created_at < getattr(case, field)):
            setattr(case, field, self.created_at)

    def delete(self, *args, **kwargs):
        raise TypeError("Case events are append-only and cannot be deleted.")

    @property
    def comment_visible_to_customer(self) -> bool:
        return self.action in self.CUSTOMER_VISIBLE_COMMENTS


class CaseMessage(models.Model):
    """A message in the conversation between the customer and the warranty team."""

    class Sender(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        TEAM = "team", _("Warranty team")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    sender = models.CharField(_("from"), max_length=20, choices=Sender.choices)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["case", "created_at"], name="rma_message_case_created")]

    def __str__(self) -> str:
        return f"{self.get_sender_display()}: {self.body[:40]}"

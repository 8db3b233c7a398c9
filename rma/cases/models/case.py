"""The case: the solution offered to one customer, and what it needs from them."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models.customer_view import CustomerView
from rma.cases.models.lifecycle import Transition, transitions_from
from rma.cases.models.offer import OFFERED_FIELDS, OFFERED_ITEM_FIELDS
from rma.cases.models.parts import declared_part_models
from rma.cases.models.replacement import AdvanceReplacement, HoldSettlement, ReplacementMethod
from rma.cases.models.statuses import OPEN_STATUSES, Status, StatusSet, status_facts
from rma.cases.models.warehouse import Warehouse
from rma.cases.warranty import policy_breaches
from rma_portal.currencies import CURRENCY_CHOICES


class Case(CustomerView, AdvanceReplacement, models.Model):
    """An RMA solution offered to one customer, from draft to completion."""

    Status = Status

    class SolutionType(models.TextChoices):
        REFUND = "refund", _("Refund")
        REPLACEMENT = "replacement", _("Replacement")
        RESEND = "resend", _("Resend")

    # Read from the status table (rma.cases.models.statuses), each time they are used.
    # Statuses the customer never sees: the solution is still being prepared or reviewed.
    HIDDEN_STATUSES = StatusSet(hidden=True)
    FINAL_STATUSES = StatusSet(final=True)
    # The solution may be edited only while nobody outside the team relies on it.
    EDITABLE_STATUSES = StatusSet(editable=True)

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
    # Since when a message of the customer's waits for the team's answer (none when answered):
    # the case is then in the team's queue "Waiting on us", whatever its status.
    customer_wrote_at = models.DateTimeField(
        _("customer waiting for an answer since"), null=True, blank=True, editable=False
    )
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
            # The reports' medians read the completions of a period from this index alone.
            models.Index(
                fields=["first_completed_at"],
                include=["first_visible_at", "assigned_agent", "solution_type", "warehouse"],
                name="rma_case_first_completed",
            ),
            models.Index(fields=["first_cancelled_at"], name="rma_case_first_cancelled"),
            # The open cases are a small share of all: the queue counts read only them, from
            # the index alone (every column a queue's condition names is in it).
            models.Index(
                fields=["status", "due_at", "assigned_agent"],
                include=["customer_wrote_at"],
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

    def items_value(self) -> Decimal | None:
        """The items' values added up (each unit's value times its quantity), if all are known."""
        items = list(self.items.all()) if self.pk else []
        if not items or any(item.unit_value is None for item in items):
            return None
        return sum((item.unit_value * item.quantity for item in items), Decimal("0"))

    @property
    def requires_info(self) -> bool:
        """Whether agreeing leads to ``awaiting_info`` rather than straight to processing: the
        solution needs one of the declared parts (``settings.RMA_REQUIRED_PARTS``)."""
        return any(model.is_needed(self) for model in declared_part_models())

    @property
    def is_solution_editable(self) -> bool:
        return status_facts(self.status).editable

    @property
    def is_closed(self) -> bool:
        """Completed or cancelled: nothing more happens on the case, messages included."""
        return status_facts(self.status).final

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
                [str(value) for value in values] for values in self.items.values_list(*OFFERED_ITEM_FIELDS)
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

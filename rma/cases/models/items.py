"""The items a case is about, and the warranty facts each one reads."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rma.cases.models.case import Case
from rma.cases.models.products import Product, Registration
from rma.cases.warranty import Channel, Condition, Verdict, verdict


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

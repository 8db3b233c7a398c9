"""The product catalogue and the units customers registered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rma.cases.warranty import Condition


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

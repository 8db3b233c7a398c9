"""The warehouses customers send returned items to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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

"""The shipping address the replacement goes to, in the case's country."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Action, Case
from rma.required.models.part import RequiredPart
from rma_portal.formats import country_name, postal_address_lines


class ShippingAddress(RequiredPart):
    """Where a replacement or resend goes; the country is the case's and never changes here."""

    key = "address"
    title = _("Shipping address")
    case_accessor = "shipping_address"
    step_url_name = "rma:case_address"
    binding = "rma.required.bindings.AddressBinding"
    submit_action = Action.ADDRESS_CONFIRM
    step_title = _("Confirm the address")
    help_anchor = "address"
    submitted_sentence = _("Your shipping address was received.")
    FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "phone")

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="shipping_address", verbose_name=_("case")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2, editable=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("shipping address")
        verbose_name_plural = _("shipping addresses")
        indexes = [
            # The shared-address risk check compares street and postal code whatever their case.
            models.Index(Upper("postal_code"), Upper("line1"), name="rma_address_street"),
            # The address list filtered by country, in its order (newest first), and its count.
            models.Index(fields=["country", "-id"], name="rma_address_country"),
        ]

    def __str__(self) -> str:
        return ", ".join(self.lines)

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        return case.requires_shipping_address

    @classmethod
    def ask(cls, case: Case, *, after_shipment: bool = False, sent_back: tuple[str, ...] = ()) -> str:
        return gettext("Confirm the address we ship to (the country stays %(country)s).") % {
            "country": country_name(case.country)
        }

    @property
    def lines(self) -> list[str]:
        return postal_address_lines(
            name=self.full_name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
            phone=self.phone,
        )

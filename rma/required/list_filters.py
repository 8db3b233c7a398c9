"""
The filters of the part lists whose choices come from constants, not from the rows.

The admin's own filter on a plain column lists its values with a ``SELECT DISTINCT`` over
the whole table; at a million cases that is a full read per page view. The carriers,
currencies and countries a part can hold are known in advance (``rma.required.carriers``,
``rma_portal.currencies``, the warehouses), so the choices are read from there.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from rma.cases.models import Warehouse
from rma.required.carriers import CARRIERS_BY_COUNTRY, INTERNATIONAL_CARRIERS
from rma_portal.currencies import PAYPAL_CURRENCIES


class ConstantChoicesFilter(admin.SimpleListFilter):
    """Rows whose ``field`` equals the value chosen, among ``values()``."""

    field: str

    def values(self) -> list[str]:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(value, value) for value in self.values()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class CarrierFilter(ConstantChoicesFilter):
    title = gettext_lazy("carrier")
    parameter_name = field = "carrier"

    def values(self) -> list[str]:
        names = {name for names in CARRIERS_BY_COUNTRY.values() for name in names}
        return sorted(names | set(INTERNATIONAL_CARRIERS), key=str.lower)


class CurrencyFilter(ConstantChoicesFilter):
    title = gettext_lazy("currency")
    parameter_name = "currency__exact"
    field = "currency"

    def values(self) -> list[str]:
        return list(PAYPAL_CURRENCIES)


class CountryFilter(ConstantChoicesFilter):
    title = gettext_lazy("country")
    parameter_name = field = "country"

    def values(self) -> list[str]:
        warehouses = Warehouse.objects.values_list("country", flat=True).distinct()
        return sorted(set(CARRIERS_BY_COUNTRY) | {country.upper() for country in warehouses})

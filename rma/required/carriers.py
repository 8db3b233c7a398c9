"""
The carriers a customer picks from on the return page, by the return warehouse's country.

The list names the common parcel services of each country the team has a warehouse in;
"Other" (``OTHER``) lets the customer type any carrier the list lacks. What is stored is
always a carrier's name, whichever way it was given.
"""

from __future__ import annotations

# The value of the "Other" choice; never a carrier's name.
OTHER = "other"

CARRIERS_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "US": ("USPS", "UPS", "FedEx", "DHL"),
    "CA": ("Canada Post", "Purolator", "UPS", "FedEx"),
    "GB": ("Royal Mail", "Parcelforce", "Evri", "DPD", "UPS", "DHL"),
    "NL": ("PostNL", "DHL", "DPD", "UPS", "GLS"),
    "BE": ("bpost", "PostNL", "DPD", "GLS", "UPS", "DHL"),
    "DE": ("DHL", "Hermes", "DPD", "GLS", "UPS"),
    "FR": ("La Poste Colissimo", "Chronopost", "DPD", "GLS", "UPS", "DHL"),
    "ES": ("Correos", "SEUR", "MRW", "GLS", "UPS", "DHL"),
    "IT": ("Poste Italiane", "BRT", "GLS", "SDA", "UPS", "DHL"),
    "JP": ("Japan Post", "Yamato Transport", "Sagawa Express", "DHL"),
    "AU": ("Australia Post", "StarTrack", "DHL", "UPS"),
}
# For a country the table does not list: the carriers that ship from almost anywhere.
INTERNATIONAL_CARRIERS: tuple[str, ...] = ("DHL", "UPS", "FedEx")


def carriers_for(country: str) -> tuple[str, ...]:
    """The common carriers for sending a parcel to a warehouse in ``country`` (ISO code)."""
    return CARRIERS_BY_COUNTRY.get((country or "").upper(), INTERNATIONAL_CARRIERS)

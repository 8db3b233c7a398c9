"""
The currencies PayPal accepts for orders and authorizations (its REST API's currency codes),
as the choices of every field that names the currency of money held or paid through PayPal.
"""

from __future__ import annotations

# PayPal's REST API currency codes (developer.paypal.com, "Currency codes"), without those it
# accepts only for domestic payments in one country (INR, RUB as of writing).
PAYPAL_CURRENCIES: tuple[str, ...] = (
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CNY",
    "CZK",
    "DKK",
    "EUR",
    "GBP",
    "HKD",
    "HUF",
    "ILS",
    "JPY",
    "MXN",
    "MYR",
    "NOK",
    "NZD",
    "PHP",
    "PLN",
    "SEK",
    "SGD",
    "THB",
    "TWD",
    "USD",
)
CURRENCY_CHOICES: list[tuple[str, str]] = [(code, code) for code in PAYPAL_CURRENCIES]
DEFAULT_CURRENCY = "USD"

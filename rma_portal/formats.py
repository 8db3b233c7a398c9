"""
Money, country names and postal addresses written the way the reader's locale writes them.

Dates and plain numbers come from Django's locale formats (``USE_I18N``, the ``date`` filter
with ``DATE_FORMAT``); money needs the currency's own rules (decimals, symbol, where the
symbol goes), which CLDR holds: Babel reads them.
"""

from __future__ import annotations

from decimal import Decimal

from babel.lists import format_list
from babel.numbers import (
    UnknownCurrencyError,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
)
from django.utils.translation import get_language, to_locale
from django_countries import countries

# Symbols that name several currencies: the ISO code is written instead, after the amount.
AMBIGUOUS_SYMBOLS = frozenset({"$", "kr", "Fr.", "¥", "￥"})


def format_money(amount: Decimal | int | float | None, currency: str, language: str | None = None) -> str:
    """``amount`` in ``currency`` as written in ``language`` (the active one by default):
    ``45,00 €`` in German, ``45.00 USD`` in English, ``￥4,500`` in Japanese.

    A symbol that could mean another currency (``$``: US, Canadian, Australian...) gives way
    to the ISO code, except for the reader's own yen in Japanese.
    """
    if amount is None or amount == "":
        return ""
    language = language or get_language() or "en"
    locale = to_locale(language)
    currency = (currency or "").upper()
    try:
        value = Decimal(str(amount))
        symbol = get_currency_symbol(currency, locale=locale)
        if symbol in AMBIGUOUS_SYMBOLS and not (currency == "JPY" and language.startswith("ja")):
            digits = get_currency_precision(currency)
            number = format_decimal(
                value, format="#,##0." + "0" * digits if digits else "#,##0", locale=locale
            )
            return f"{number} {currency}"
        return format_currency(value, currency, locale=locale)
    except (UnknownCurrencyError, ValueError, ArithmeticError):
        return f"{amount} {currency}".strip()


def format_count(number: int, language: str | None = None) -> str:
    """A whole number as ``language`` (the active one by default) groups its digits:
    ``231,000`` in English, ``231.000`` in German, ``231 000`` in French."""
    return format_decimal(number, locale=to_locale(language or get_language() or "en"))


def join_list(items, language: str | None = None, style: str = "standard") -> str:
    """``items`` as one list in ``language`` (the active one by default), CLDR's way:
    "A, B, and C" in English, "A, B und C" in German, "A、B、C" in Japanese.

    Every list a reader sees is joined here, never with ``", ".join``: the separators and
    the last "and" are the language's own.
    """
    words = [str(item) for item in items]
    if not words:
        return ""
    return format_list(words, style=style, locale=to_locale(language or get_language() or "en"))


def country_name(code: str) -> str:
    """The country's name in the active language (the code itself if it is not a country)."""
    return str(countries.name(code)) or code if code else ""


# The order of the lines, per country, of the places the warehouses serve. "place" is the
# postal code, city and region on one line, written in the country's order.
_PLACE_LINE = {
    "US": "{city}, {region} {postal_code}",
    "CA": "{city} {region} {postal_code}",
    "GB": "{city}\n{postal_code}",
    "DE": "{postal_code} {city}",
    "FR": "{postal_code} {city}",
    "IT": "{postal_code} {city} {region}",
    "ES": "{postal_code} {city} {region}",
    "JP": "{postal_mark}{postal_code} {region}{city}",
}
_DEFAULT_PLACE_LINE = "{postal_code} {city} {region}"


def postal_address_lines(
    *,
    name: str,
    line1: str,
    line2: str,
    city: str,
    region: str,
    postal_code: str,
    country: str,
    phone: str = "",
) -> list[str]:
    """One line per entry, empty ones left out, laid out the way ``country`` writes addresses.

    Japan writes from the largest place to the person: postal code and prefecture first,
    the name last.
    """
    code = (country or "").upper()
    place = _PLACE_LINE.get(code, _DEFAULT_PLACE_LINE).format(
        city=city, region=region, postal_code=postal_code, postal_mark="〒" if postal_code else ""
    )
    place_lines = [" ".join(line.split()).strip(", ") for line in place.split("\n")]
    if code == "JP":
        lines = [*place_lines, line1, line2, name, country_name(code), phone]
    else:
        lines = [name, line1, line2, *place_lines, country_name(code), phone]
    return [line for line in lines if line]

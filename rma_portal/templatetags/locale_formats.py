"""``{% load locale_formats %}``: money and country names in the reader's language."""

from django import template

from rma_portal.formats import country_name, format_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """``{{ case.payment_amount|money:case.payment_currency }}`` → ``45,00 €`` in German."""
    return format_money(amount, currency)


@register.filter(name="country_name")
def country_name_filter(code: str) -> str:
    """``{{ case.country|country_name }}`` → ``Deutschland`` in German."""
    return country_name(code)

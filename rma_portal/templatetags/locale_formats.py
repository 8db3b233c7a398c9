"""``{% load locale_formats %}``: money, country names and lists in the reader's language."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from rma_portal.formats import country_name, format_count, format_money, join_list

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """``{{ case.payment_amount|money:case.payment_currency }}`` → ``45,00 €`` in German."""
    return format_money(amount, currency)


@register.filter
def count(number) -> str:
    """``{{ paginator.estimated_total|count }}`` → ``231.000`` in German."""
    return format_count(number)


@register.filter(name="country_name")
def country_name_filter(code: str) -> str:
    """``{{ case.country|country_name }}`` → ``Deutschland`` in German."""
    return country_name(code)


@register.filter(needs_autoescape=True)
def nowrap(value, autoescape: bool = True) -> str:
    """``{{ case.number|nowrap }}``: kept on one line (a case number, a date) inside a sentence."""
    escape = conditional_escape if autoescape else str
    return mark_safe(f'<span class="nowrap">{escape(value)}</span>')  # noqa: S308 - the value is escaped


@register.filter(name="join_list", needs_autoescape=True)
def join_list_filter(items, autoescape: bool = True) -> str:
    """``{{ products|join_list }}`` → ``A, B und C`` in German, ``A、B、C`` in Japanese."""
    escape = conditional_escape if autoescape else str
    return mark_safe(join_list(escape(item) for item in items))  # noqa: S308 - each item is escaped

"""``{% help_url "return" %}``: a link to one answer of the help page, checked to exist."""

from django import template
from django.conf import settings

from rma.help import help_url as build_help_url

register = template.Library()


@register.simple_tag
def help_url(anchor: str = "") -> str:
    """The URL of the help page's section ``anchor`` (a typo fails loudly, not silently)."""
    return build_help_url(anchor)


@register.simple_tag
def absolute_help_url(anchor: str = "") -> str:
    """The same link with the portal's public address, for emails."""
    return settings.SITE_URL + build_help_url(anchor)

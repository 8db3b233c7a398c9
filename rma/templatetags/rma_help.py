"""``{% help_url "return" %}``: a link to one answer of the help page, checked to exist."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from rma.support.help import HELP_SECTIONS
from rma.support.help import help_url as build_help_url

register = template.Library()
SECTIONS_BY_ANCHOR = {section.anchor: section for section in HELP_SECTIONS}


@register.simple_tag
def help_url(anchor: str = "") -> str:
    """The URL of the help page's section ``anchor`` (a typo fails loudly, not silently)."""
    return build_help_url(anchor)


@register.simple_tag
def absolute_help_url(anchor: str = "") -> str:
    """The same link with the portal's public address, for emails."""
    return settings.SITE_URL + build_help_url(anchor)


@register.inclusion_tag("help/_links.html", takes_context=True)
def help_links(context, *anchors: str) -> dict:
    """A "Questions?" box: links to the help answers ``anchors`` and to the contact form.

    On a case's pages the contact link names the case, so the team knows which one it is.
    """
    case = context.get("case")
    support = reverse("support")
    if case is not None and getattr(case, "number", ""):
        support += "?" + urlencode({"case": case.number})
    return {
        "links": [(build_help_url(anchor), SECTIONS_BY_ANCHOR[anchor].question) for anchor in anchors],
        "support_url": support,
    }


@register.inclusion_tag("help/_links.html", takes_context=True)
def help_links_for(context, anchors) -> dict:
    """The same box for the answers ``anchors`` that ``rma.portal.display`` chose for the case."""
    return help_links(context, *anchors)

"""
The public help page (``/help/``): the customer's questions answered in our own words.

Each answer sits under a stable anchor listed in ``HELP_SECTIONS`` so the other pages and
the emails can link straight to it (``{% help_url "return" %}`` in a template, or
``help_url("return")`` in Python). Anchors are part of the public contract: add new ones,
never rename or remove one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rma.cases.models import all_status_facts


@dataclass(frozen=True)
class HelpSection:
    """One answer of the help page: its anchor and the question it answers."""

    anchor: str
    question: str | Promise


HELP_SECTIONS: tuple[HelpSection, ...] = (
    HelpSection("what-is-rma", _("What is an RMA solution?")),
    HelpSection("sign-in", _("How do I open my RMA solution?")),
    HelpSection("statuses", _("What does the status of my RMA solution mean?")),
    HelpSection("serial-number", _("Where do I find the S/N or the UID?")),
    HelpSection("respond", _("How do I agree or disagree with a solution?")),
    HelpSection("return", _("How do I send the items back?")),
    HelpSection("payment", _("How do I pay a supplementary amount?")),
    HelpSection("transaction-number", _("Where do I find the PayPal transaction number?")),
    HelpSection("images", _("Which photos and screenshots can I upload?")),
    HelpSection("address", _("Where will the replacement be sent?")),
    HelpSection("method", _("Can I get my replacement before I send the item back?")),
    HelpSection("trouble", _("Something went wrong while I was sending my information")),
    HelpSection("contact", _("How do I reach the warranty team?")),
)
HELP_ANCHORS = frozenset(section.anchor for section in HELP_SECTIONS)


def status_meanings() -> list[tuple[str, str | Promise, str | Promise]]:
    """Each status the customer sees, its name and what it means to them, in the order a case
    usually goes through them (each row's ``label`` and ``meaning`` in the status table).
    Drafts and solutions waiting for a supervisor are never shown to the customer."""
    return [(row.status, row.label, row.meaning) for row in all_status_facts() if not row.hidden]


def help_url(anchor: str = "") -> str:
    """The help page, or one answer on it. An unknown anchor is a programming error."""
    if anchor and anchor not in HELP_ANCHORS:
        raise ValueError(f"/help/ has no section #{anchor}")
    url = reverse("help")
    return f"{url}#{anchor}" if anchor else url

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

from rma.cases.models import Case


@dataclass(frozen=True)
class HelpSection:
    """One answer of the help page: its anchor and the question it answers."""

    anchor: str
    question: str | Promise


HELP_SECTIONS: tuple[HelpSection, ...] = (
    HelpSection("what-is-rma", _("What is an RMA solution?")),
    HelpSection("sign-in", _("How do I open my RMA solution?")),
    HelpSection("statuses", _("What does the status of my RMA solution mean?")),
    HelpSection("claim", _("How do I start a warranty claim?")),
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

# What each status means to the customer, in the order a case usually goes through them.
# Drafts and solutions waiting for a supervisor are never shown to the customer.
STATUS_MEANINGS: tuple[tuple[str, str | Promise], ...] = (
    (
        Case.Status.REQUESTED,
        _(
            "You sent a warranty claim and the warranty team is looking at it. It answers with a "
            "solution, asks you a question by message, or tells you why it cannot accept the claim."
        ),
    ),
    (
        Case.Status.PENDING_CONFIRM,
        _(
            "The warranty team has offered you a solution. Read it, then agree to it or tell us "
            "why it does not suit you."
        ),
    ),
    (
        Case.Status.DISAGREED,
        _("You turned the solution down. The team reads your comment and comes back with a revised one."),
    ),
    (
        Case.Status.AWAITING_INFO,
        _(
            "You agreed. Now we need something from you, such as the return shipment details, "
            "a payment proof or the address to ship to. The case page lists exactly what."
        ),
    ),
    (
        Case.Status.UNDER_REVIEW,
        _("Everything we asked for has arrived and the team is checking it."),
    ),
    (
        Case.Status.PROCESSING,
        _("The checks are done: the team is sending your refund or shipping your items."),
    ),
    (
        Case.Status.AWAITING_RETURN,
        _(
            "Advance replacement: your replacement is on its way, and PayPal holds its value on "
            "your account. Send the original item back by the date on the case page."
        ),
    ),
    (
        Case.Status.COMPLETED,
        _(
            "Finished: the refund went out or the items were shipped. The case page shows the "
            "reference or the tracking number."
        ),
    ),
    (
        Case.Status.CANCELLED,
        _("The case was closed without a solution being carried out."),
    ),
)


def help_url(anchor: str = "") -> str:
    """The help page, or one answer on it. An unknown anchor is a programming error."""
    if anchor and anchor not in HELP_ANCHORS:
        raise ValueError(f"/help/ has no section #{anchor}")
    url = reverse("help")
    return f"{url}#{anchor}" if anchor else url

"""The solution panel: what the customer gets, what each part asks, what follows."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from rma.cases.models import Case, ReplacementMethod
from rma.required.parts import Part
from rma_portal.formats import format_money

Solution = Case.SolutionType


def solution_sentences(case: Case) -> list[str]:
    """What the customer gets, in one or two plain sentences (nothing yet for a claim: the
    solution the team is writing or a supervisor is reviewing is not offered yet)."""
    if not case.solution_type or case.customer_status == Case.Status.REQUESTED:
        return []
    if case.solution_type == Solution.REFUND:
        if case.refund_amount is not None:
            amount = format_money(case.refund_amount, case.refund_currency)
            sentences = [_("We refund you %(amount)s.") % {"amount": amount}]
        else:
            sentences = [_("We refund you for the items below.")]
    elif case.solution_type == Solution.REPLACEMENT:
        sentences = [_("We send you a replacement for the items below.")]
    else:
        sentences = [_("We send you the items below again.")]
    if case.solution_note:
        sentences.append(case.solution_note)
    return sentences


def part_request(case: Case, part: Part) -> str:
    """What one part asks of the customer, in a sentence short enough to read before deciding
    (declared by the part: ``RequiredPart.ask``)."""
    return part.ask(case)


def what_follows(case: Case, parts: Sequence[Part]) -> str:
    """What the team does once the customer's part is done, before it is done."""
    keys = {part.key for part in parts}
    if case.solution_type == Solution.REFUND:
        if not parts:
            return _("Nothing to send back and nothing to pay: once you agree, we send the refund.")
        if "return" in keys:
            return _("We send the refund once your return has reached us and we have checked what you sent.")
        return _("We send the refund once we have checked what you sent.")
    if case.solution_type == Solution.REPLACEMENT:
        if case.ships_ahead:
            return _(
                "We ship the replacement once we have checked what you sent. You then send the item "
                "back within 25 days, and we release the PayPal hold when it arrives."
            )
        if "method" in keys and case.replacement_method != ReplacementMethod.STANDARD:
            return _(
                "With the standard way, we ship the replacement once your return has reached us; with "
                "advance replacement, we ship it first and you send the item back afterwards."
            )
        if "return" in keys:
            return _(
                "We ship the replacement once your return has reached us and we have checked what you sent."
            )
        return _("We ship the replacement once we have checked what you sent.")
    if "return" in keys:
        return _("We ship the items again once your return has reached us and we have checked what you sent.")
    return _("We ship the items again once we have checked what you sent.")

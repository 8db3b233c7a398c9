"""
Advance replacement: the replacement ships first, against a PayPal hold released when the
return arrives. The choices, the windows, and what a case knows about its hold.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReplacementMethod(models.TextChoices):
    """How a replacement that needs a return goes: the item first, or the replacement first."""

    STANDARD = "standard", _("Standard: send the item first")
    ADVANCE = "advance", _("Advance replacement: the replacement first, against a PayPal hold")


class HoldSettlement(models.TextChoices):
    """What the team decided about the hold of a replacement shipped ahead; the case completes
    once PayPal confirms it (``Action.HOLD_VOID`` or ``Action.HOLD_CAPTURED``)."""

    NONE = "", _("Not decided yet")
    RELEASE = "release", _("Return received: the hold is being released")
    CAPTURE = "capture", _("Return not received: the hold is being captured")


# Advance replacement: the return is due this long after the replacement ships. PayPal keeps
# an authorization 29 days from the hold; the portal settles it (captures or releases it) by
# day 28 at the latest, so a late shipment gets a shorter window (``Case.return_due_from``).
ADVANCE_RETURN_WINDOW = datetime.timedelta(days=25)
HOLD_SETTLE_BY = datetime.timedelta(days=28)
# The return is due at the latest this long before the portal settles the hold itself, so a
# supervisor still has a day to capture it or extend the date.
HOLD_DECISION_MARGIN = datetime.timedelta(days=1)


class AdvanceReplacement:
    """What a case knows about its advance replacement and its hold (mixed into ``Case``)."""

    @property
    def offers_advance_replacement(self) -> bool:
        """Whether the customer chooses between the standard way and advance replacement."""
        return (
            self.advance_replacement
            and self.solution_type == self.SolutionType.REPLACEMENT
            and self.return_required
        )

    @property
    def ships_ahead(self) -> bool:
        """Whether the replacement ships before the return, against a hold already placed."""
        return self.replacement_method == ReplacementMethod.ADVANCE and self.hold_placed_at is not None

    def hold_settle_by(self) -> datetime.datetime | None:
        """The last moment to capture or release the hold before PayPal lets it expire."""
        return self.hold_placed_at + HOLD_SETTLE_BY if self.hold_placed_at else None

    def latest_return_due(self) -> datetime.datetime | None:
        """The latest the return may be due: a day before the portal settles the hold itself."""
        settle_by = self.hold_settle_by()
        return settle_by - HOLD_DECISION_MARGIN if settle_by else None

    def return_due_from(self, shipped_at: datetime.datetime) -> datetime.datetime:
        """When the return of a replacement shipped at ``shipped_at`` is due: 25 days on, but
        never past the hold's life at PayPal (a late shipment gets a shorter window)."""
        due = shipped_at + ADVANCE_RETURN_WINDOW
        latest = self.latest_return_due()
        return min(due, latest) if latest else due

    @property
    def settling_hold(self) -> bool:
        """Whether the hold's fate is decided and the case waits for PayPal to confirm it."""
        return bool(self.hold_settlement)

    @property
    def awaiting_return_due_at(self) -> datetime.datetime | None:
        """The due time of ``awaiting_return``: the return date, or once the hold's fate is
        decided, the last moment to settle it."""
        return self.hold_settle_by() if self.settling_hold else self.return_due_at

    def prefill_hold_amount(self) -> None:
        """An advance replacement's hold amount, left empty, is the items' values added up."""
        if self.advance_replacement and self.hold_amount is None:
            self.hold_amount = self.items_value()

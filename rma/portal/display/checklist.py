"""The checklist: each part the solution needs, in words."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from rma.cases.models import Case
from rma.portal.display.tracker import hold_captured
from rma.required.parts import Part


@dataclass(frozen=True)
class ChecklistLine:
    """One part of the case page's checklist: its state in words, whether it still asks
    something of the customer (``tone``: action, done or none) and whether it is sent later."""

    part: Part
    label: str
    tone: str = ""
    later: bool = False
    note: str = ""


def checklist_line(case: Case, part: Part) -> ChecklistLine:
    """A part as the checklist says it: a return that can no longer be sent says so, instead
    of asking for it."""
    if part.after_shipment and not part.is_in and (case.settling_hold or case.is_closed):
        if hold_captured(case):
            note = _("The return did not reach us in time, so the held amount is charged.")
            return ChecklistLine(part, _("Not received"), note=note)
        return ChecklistLine(part, _("Received"), tone="done")
    tone = {"to_do": "action", "sent_back": "action", "accepted": "done", "waived": "done"}.get(
        part.state, ""
    )
    later = part.after_shipment and part.state == "to_do" and not part.takes_now
    return ChecklistLine(part, part.state_label, tone=tone, later=later)

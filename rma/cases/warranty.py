"""
The maker's warranty policy, as data, and the verdict it gives on an item.

``RULES`` lists the policy's versions, each with the date it applies from (the purchase date
decides which one covers an item). The verdict says whether the item was in warranty on the
day the case was opened, until when, and why, in sentences an agent and a customer can read;
and whether a refund is possible. The facts come from the item: its purchase date and channel,
its product's condition and the unit's registration (``CaseItem.warranty_condition``,
``CaseItem.warranty_registered_on``), and for a replacement unit the item it replaced. An
agent may override the end date with a reason, which the verdict then names.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Condition(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    REFURBISHED = "refurbished", gettext_lazy("Certified refurbished")


class Channel(models.TextChoices):
    OFFICIAL_STORE = "official_store", gettext_lazy("The maker's official store")
    RESELLER = "reseller", gettext_lazy("Another shop")
    UNKNOWN = "unknown", gettext_lazy("Not known")


@dataclass(frozen=True)
class WarrantyRule:
    """One version of the policy, for purchases from ``applies_from`` on."""

    applies_from: datetime.date
    new_months: int = 24
    refurbished_months: int = 12
    registration_bonus_months: int = 6
    replacement_floor_days: int = 90
    refund_days: int = 30
    refund_channels: frozenset[str] = frozenset({Channel.OFFICIAL_STORE})


RULES: tuple[WarrantyRule, ...] = (WarrantyRule(applies_from=datetime.date(2000, 1, 1)),)


@dataclass
class Verdict:
    """What the policy says about one item."""

    in_warranty: bool
    ends_on: datetime.date
    reasons: list[str] = field(default_factory=list)
    refund_possible: bool = False
    refund_reason: str = ""


def rule_for(purchase_date: datetime.date, rules: Sequence[WarrantyRule] = RULES) -> WarrantyRule:
    """The version of the policy that covers a purchase made on ``purchase_date``."""
    applicable = [rule for rule in rules if rule.applies_from <= purchase_date]
    return max(applicable, key=lambda rule: rule.applies_from) if applicable else rules[0]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months``, on the month's last day when the day does not exist (31 Jan + 1)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _condition(item: Any) -> str:
    """New or refurbished: the product's, for an item linked to one (``CaseItem.warranty_condition``)."""
    return getattr(item, "warranty_condition", item.condition)


def _registered_on(item: Any) -> datetime.date | None:
    """The day the unit was registered: its registration's, when one is on record."""
    return getattr(item, "warranty_registered_on", item.registered_on)


def warranty_end(item: Any, *, depth: int = 0) -> tuple[datetime.date, list[str]]:
    """The last day of the item's warranty under the policy, with the reasons for it."""
    rule = rule_for(item.purchase_date)
    if item.replaces_id and depth < 10:
        original = item.replaces
        original_end, _reasons = warranty_end(original, depth=depth + 1)
        floor = item.purchase_date + datetime.timedelta(days=rule.replacement_floor_days)
        ends = max(original_end, floor)
        return ends, [
            _(
                "Replacement unit for an item of %(case)s: the rest of that unit's warranty "
                "(until %(original)s) or %(days)s days from %(start)s, whichever is longer."
            )
            % {
                "case": original.case.number,
                "original": _day(original_end),
                "days": rule.replacement_floor_days,
                "start": _day(item.purchase_date),
            }
        ]
    if _condition(item) == Condition.REFURBISHED:
        months, reasons = (
            rule.refurbished_months,
            [
                _("Certified refurbished: %(months)s months from the purchase date.")
                % {"months": rule.refurbished_months}
            ],
        )
    else:
        months, reasons = (
            rule.new_months,
            [_("New product: %(months)s months from the purchase date.") % {"months": rule.new_months}],
        )
    ends = add_months(item.purchase_date, months)
    registered_on = _registered_on(item)
    if registered_on and registered_on <= ends:
        ends = add_months(ends, rule.registration_bonus_months)
        reasons.append(
            _("%(months)s more months: registered on %(date)s, within the warranty.")
            % {"months": rule.registration_bonus_months, "date": _day(registered_on)}
        )
    elif registered_on:
        reasons.append(
            _("No extra months: registered on %(date)s, after the warranty had ended.")
            % {"date": _day(registered_on)}
        )
    return ends, reasons


def verdict(item: Any, *, on: datetime.date) -> Verdict:
    """The policy's verdict on ``item`` for a case opened on ``on``."""
    ends, reasons = warranty_end(item)
    if item.warranty_override_until:
        ends = item.warranty_override_until
        reasons.append(
            _("Set by the warranty team to %(date)s: %(reason)s")
            % {"date": _day(ends), "reason": item.warranty_override_reason}
        )
    rule = rule_for(item.purchase_date)
    days_since = (on - item.purchase_date).days
    if item.purchase_channel not in rule.refund_channels:
        refund_possible, refund_reason = False, _("No refund: not bought from the official store.")
    elif days_since > rule.refund_days:
        refund_possible = False
        refund_reason = _("No refund: bought %(days)s days ago, more than %(limit)s.") % {
            "days": days_since,
            "limit": rule.refund_days,
        }
    else:
        refund_possible = True
        refund_reason = _("Refund possible: bought from the official store %(days)s days ago.") % {
            "days": days_since
        }
    return Verdict(
        in_warranty=on <= ends,
        ends_on=ends,
        reasons=reasons,
        refund_possible=refund_possible,
        refund_reason=refund_reason,
    )


def refund_refusals(case: Any, items: Iterable[Any] | None = None) -> list[tuple[str, str]]:
    """The items of ``case`` the policy refuses a refund for, each with the reason; ``items``:
    the case's items with their warranty facts, when the caller has read them already."""
    if items is None:
        items = case.items.with_warranty_facts().order_by("id")
    return [(str(item), item.warranty.refund_reason) for item in items if not item.warranty.refund_possible]


def policy_breaches(case: Any) -> list[tuple[str, str]]:
    """The items of ``case`` its solution goes against the policy for, each with the reason:
    an item out of warranty on the day the case was opened, and for a refund, an item the
    refund rule refuses (``refund_refusals``)."""
    breaches = []
    for item in case.items.with_warranty_facts().order_by("id"):
        found = item.warranty
        if not found.in_warranty:
            breaches.append(
                (str(item), _("Out of warranty: it ended on %(date)s.") % {"date": _day(found.ends_on)})
            )
        if case.solution_type == "refund" and not found.refund_possible:
            breaches.append((str(item), found.refund_reason))
    return breaches

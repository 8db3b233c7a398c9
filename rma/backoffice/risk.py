"""
Repeat and abuse signals for the agent looking at a case.

Each signal says why it fired and points at the other cases behind it; none blocks anything.
They fire on what a normal history does not show: the same S/N, UID, return tracking number
or PayPal transaction number on two cases, another customer shipping to the same street
address, or more solutions already given to one customer in a year than a household's
cameras usually need (``RMA_RISK_COMPLETED_PER_CUSTOMER``). Several cases over the years,
or several open at once, are normal and raise nothing. The checks run one query each, on
indexed columns, and only on a case's own page, never per row of the list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rma.cases.models import Case, CaseItem
from rma.required.models import ShippingAddress
from rma.required.parts import part_models, part_of
from rma.required.selectors import cases_sharing_identifier
from rma_portal.formats import join_list

# How many related cases a signal lists at most (the count says how many there are).
LISTED_CASES = 10


@dataclass(frozen=True)
class RelatedCase:
    """Another case behind a signal, and what it shares with the one being looked at."""

    pk: int
    number: str
    status: str
    created_at: datetime.datetime
    shared: str

    @property
    def status_label(self) -> str:
        return str(Case.Status(self.status).label)


@dataclass(frozen=True)
class RiskSignal:
    """One signal: what it is, why it fired on this case, and the cases behind it."""

    kind: str
    title: str | Promise
    related: list[RelatedCase] = field(default_factory=list)
    count: int = 0
    reason: str = ""


def _variants(values: set[str]) -> set[str]:
    """The values as typed and in upper and lower case: S/Ns are typed either way."""
    return {variant for value in values if value for variant in (value, value.upper(), value.lower())}


def _other_cases(count: int) -> str:
    return ngettext("%(count)s other case", "%(count)s other cases", count) % {"count": count}


def repeated_identifiers(case: Case) -> RiskSignal | None:
    """Other cases with an item of the same S/N or UID."""
    # The case page's items when it read them already (``CasePageMixin.render_change_form``).
    items = getattr(case, "page_items", None)
    if items is None:
        items = list(case.items.all())
    serials = _variants({item.serial_number.strip() for item in items})
    uids = _variants({item.uid.strip() for item in items})
    if not serials and not uids:
        return None
    matches = (
        CaseItem.objects.filter(Q(serial_number__in=serials) | Q(uid__in=uids))
        .exclude(case_id=case.pk)
        .order_by("case__created_at", "case_id")
        .values_list("case_id", "case__number", "case__status", "case__created_at", "serial_number", "uid")
    )
    related: dict[int, RelatedCase] = {}
    for case_id, number, status, created_at, serial, uid in matches:
        shared = serial if serial and serial in serials else uid
        if case_id not in related:
            related[case_id] = RelatedCase(case_id, number, status, created_at, shared)
    if not related:
        return None
    shared = join_list(sorted({row.shared for row in related.values()}))
    return RiskSignal(
        "repeated_identifier",
        gettext_lazy("The same S/N or UID is on other cases"),
        list(related.values())[:LISTED_CASES],
        len(related),
        _(
            "%(identifiers)s is also on %(cases)s: the same unit is back, or its number was "
            "copied from another unit. Check the photos and the purchase proof."
        )
        % {"identifiers": shared, "cases": _other_cases(len(related))},
    )


def _same_value_elsewhere(case: Case, model, field_name: str, kind: str, title: Promise) -> RiskSignal | None:
    """Other cases whose row of ``model`` (one per case) carries the same ``field_name``
    (read once per case, ``cases_sharing_identifier``)."""
    rows = cases_sharing_identifier(case, model)
    if not rows:
        return None
    related = [RelatedCase(*row) for row in rows]
    return RiskSignal(
        kind,
        title,
        related[:LISTED_CASES],
        len(related),
        _("%(value)s was also sent for %(cases)s: one parcel or one payment counts for one case only.")
        % {"value": related[0].shared, "cases": _other_cases(len(related))},
    )


def many_solutions_for_customer(case: Case, *, now: datetime.datetime | None = None) -> RiskSignal | None:
    """The customer already had ``RMA_RISK_COMPLETED_PER_CUSTOMER`` or more solutions completed
    (a refund, a replacement, a resend) in the last ``RMA_RISK_WINDOW_DAYS`` days. Cases still
    open, cancelled or older do not count: having several is a normal history."""
    threshold = settings.RMA_RISK_COMPLETED_PER_CUSTOMER
    days = settings.RMA_RISK_WINDOW_DAYS
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    rows = list(
        Case.objects.filter(customer_id=case.customer_id, first_completed_at__gte=since)
        .exclude(pk=case.pk)
        .order_by("first_completed_at", "id")
        .values_list("id", "number", "status", "created_at")
    )
    if len(rows) < threshold:
        return None
    email = case.customer.email
    related = [RelatedCase(*row, shared=email) for row in rows]
    return RiskSignal(
        "many_solutions_for_customer",
        gettext_lazy("Many solutions already given to this customer"),
        related[:LISTED_CASES],
        len(related),
        _(
            "%(email)s received %(count)s completed solutions in the last %(days)s days; "
            "the signal starts at %(threshold)s."
        )
        % {"email": email, "count": len(related), "days": days, "threshold": threshold},
    )


def repeated_part_identifiers(case: Case) -> list[RiskSignal]:
    """Other cases whose part carries the same identifier (a tracking number, a PayPal
    transaction number): one signal per kind of part that has one, in checklist order."""
    signals = []
    for model in part_models():
        if model.identifier_field:
            kind, title = model.identifier_risk
            signal = _same_value_elsewhere(case, model, model.identifier_field, kind, title)
            if signal is not None:
                signals.append(signal)
    return signals


def shared_shipping_address(case: Case) -> RiskSignal | None:
    """Other customers' cases shipping to the same street address and postal code."""
    address = part_of(case, ShippingAddress)
    if address is None or not address.line1.strip():
        return None
    rows = list(
        ShippingAddress.objects.filter(
            country=address.country,
            postal_code__iexact=address.postal_code.strip(),
            line1__iexact=address.line1.strip(),
        )
        .exclude(case__customer_id=case.customer_id)
        .order_by("case__created_at", "case_id")
        .values_list("case_id", "case__number", "case__status", "case__created_at")
    )
    if not rows:
        return None
    shared = f"{address.line1}, {address.postal_code}"
    related = [RelatedCase(*row, shared=shared) for row in rows]
    return RiskSignal(
        "shared_shipping_address",
        gettext_lazy("Other customers ship to the same address"),
        related[:LISTED_CASES],
        len(related),
        _("Other customers have items shipped to %(address)s too (%(cases)s).")
        % {"address": shared, "cases": _other_cases(len(related))},
    )


CHECKS = (repeated_identifiers, many_solutions_for_customer, shared_shipping_address)


def signals_for_case(case: Case) -> list[RiskSignal]:
    """Every signal that applies to ``case``, in a fixed order."""
    first, *rest = (check(case) for check in CHECKS)
    return [signal for signal in (first, *repeated_part_identifiers(case), *rest) if signal is not None]

"""
The team's side of warranty claims: the "New claims" queue, each claim with the policy's
verdict and its risk signals (the same S/N or UID on another open case; many claims from one
customer), and the claim's own panel on the case page (the customer's words and photos).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from rma.cases.models import OPEN_STATUSES, Case, CaseItem
from rma.claims.models import Claim

# How many claims the queue shows on one page, oldest first.
QUEUE_PAGE = 100


@dataclass
class QueuedClaim:
    case: Case
    claim: Claim
    item: CaseItem | None
    risks: list[str] = field(default_factory=list)


def claims_sent_in_window(customer_ids: set[int], *, now: datetime.datetime | None = None) -> Counter:
    """How many claims each customer sent in the last ``RMA_RISK_WINDOW_DAYS`` days (one query)."""
    since = (now or timezone.now()) - datetime.timedelta(days=settings.RMA_RISK_WINDOW_DAYS)
    rows = (
        Claim.objects.filter(case__customer_id__in=customer_ids, created_at__gte=since)
        .values("case__customer_id")
        .annotate(count=Count("pk"))
        .values_list("case__customer_id", "count")
    )
    return Counter(dict(rows))


def claim_risks(cases: list[Case], items: dict[int, CaseItem]) -> dict[int, list[str]]:
    """The risk signals of each claim, in words: two queries for the whole page."""
    identifiers = {item.serial_number.upper() for item in items.values() if item.serial_number}
    identifiers |= {item.uid.upper() for item in items.values() if item.uid}
    elsewhere: dict[str, set[str]] = defaultdict(set)
    if identifiers:
        variants = identifiers | {value.lower() for value in identifiers}
        rows = (
            CaseItem.objects.filter(Q(serial_number__in=variants) | Q(uid__in=variants))
            .filter(case__status__in=OPEN_STATUSES)
            .values_list("serial_number", "uid", "case__number")
        )
        for serial, uid, number in rows:
            for value in (serial, uid):
                if value:
                    elsewhere[value.upper()].add(number)
    counts = claims_sent_in_window({case.customer_id for case in cases})
    threshold = settings.RMA_RISK_CLAIMS_PER_CUSTOMER
    risks: dict[int, list[str]] = {}
    for case in cases:
        found = []
        item = items.get(case.pk)
        if item is not None:
            others = sorted(elsewhere.get(item.identifier.upper(), set()) - {case.number})
            if others:
                found.append(
                    _("The same S/N or UID is on another open case: %(cases)s.")
                    % {"cases": ", ".join(others)}
                )
        if counts[case.customer_id] >= threshold:
            found.append(
                _("%(count)s claims from this customer in the last %(days)s days.")
                % {"count": counts[case.customer_id], "days": settings.RMA_RISK_WINDOW_DAYS}
            )
        risks[case.pk] = found
    return risks


def new_claims() -> list[QueuedClaim]:
    """The claims waiting for the team's answer, oldest first, with verdict and risk signals."""
    cases = list(
        Case.objects.filter(status=Case.Status.REQUESTED)
        .select_related("claim", "customer", "assigned_agent")
        .order_by("created_at", "id")[:QUEUE_PAGE]
    )
    items: dict[int, CaseItem] = {}
    for item in CaseItem.objects.filter(case__in=cases).order_by("id"):
        items.setdefault(item.case_id, item)
    risks = claim_risks(cases, items)
    return [
        QueuedClaim(case=case, claim=case.claim, item=items.get(case.pk), risks=risks[case.pk])
        for case in cases
        if hasattr(case, "claim")
    ]


def new_claims_view(request: HttpRequest) -> HttpResponse:
    """``/admin/rma/case/new-claims/``: the team's queue of warranty claims."""
    if not request.user.has_perm("rma.view_case"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("New claims"),
        "opts": Case._meta,
        "claims": new_claims(),
    }
    return TemplateResponse(request, "admin/rma/new_claims.html", context)


def claim_panel(case: Case) -> Claim | None:
    """The claim behind ``case``, with its photos, for the case page; None for other cases."""
    claim = Claim.objects.filter(case=case).prefetch_related("photos").first()
    return claim


def urls():
    """The admin-side URLs of the claims queue, for ``rma_portal.urls`` (before the admin's own)."""
    return [
        path("admin/rma/case/new-claims/", admin.site.admin_view(new_claims_view), name="rma_new_claims"),
    ]

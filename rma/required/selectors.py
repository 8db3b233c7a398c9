"""Reads about the required information that the pages and the review need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rma.cases.models import Case
from rma.required.models import PartState, ReturnShipment, ShippingAddress
from rma.required.parts import missing_parts, part_models, part_of


def duplicate_tracking_cases(*, tracking_number: str, exclude_case_id: int | None = None) -> list[str]:
    """Numbers of other cases whose return carries the same tracking number."""
    if not tracking_number:
        return []
    others = ReturnShipment.objects.filter(tracking_number=tracking_number).exclude(case_id=exclude_case_id)
    return sorted(others.values_list("case__number", flat=True))


def cases_sharing_identifier(case: Case, model) -> list[tuple]:
    """(case id, number, status, created, value) of the other cases whose part of ``model``
    carries the same identifier as this case's, oldest first: read once per case object
    (the case page's review and its risk signals both show them)."""
    memo = case.__dict__.setdefault("_cases_sharing_identifier", {})
    if model not in memo:
        part = part_of(case, model)
        value = getattr(part, model.identifier_field, "") if part is not None else ""
        memo[model] = (
            list(
                model.objects.filter(**{model.identifier_field: value})
                .exclude(case_id=case.pk)
                .order_by("case__created_at", "case_id")
                .values_list(
                    "case_id", "case__number", "case__status", "case__created_at", model.identifier_field
                )
            )
            if value
            else []
        )
    return memo[model]


def address_on_file(case: Case) -> dict[str, str]:
    """What the address form starts from: the case's address, else the customer's last one."""
    address = ShippingAddress.objects.filter(case=case).first()
    if address is None:
        address = (
            ShippingAddress.objects.filter(case__customer_id=case.customer_id, country=case.country)
            .exclude(state=PartState.TO_DO)
            .order_by("-submitted_at")
            .first()
        )
    if address is None:
        return {}
    return {name: getattr(address, name) for name in ShippingAddress.FIELDS}


def cases_missing_parts(
    *, statuses: Iterable[str] = (Case.Status.UNDER_REVIEW,)
) -> Iterator[tuple[Case, list[str]]]:
    """Cases in ``statuses`` with a needed part neither in nor waived, each with the titles of
    what is missing: what an earlier "mark complete" let through."""
    accessors = [model.case_accessor for model in part_models()]
    cases = (
        Case.objects.filter(status__in=list(statuses)).select_related("customer", *accessors).order_by("pk")
    )
    for case in cases.iterator(chunk_size=500):
        missing = [str(model.title) for model in missing_parts(case)]
        if missing:
            yield case, missing

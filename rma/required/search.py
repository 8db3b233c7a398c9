"""
One search box for the back office: what was typed says where to look.

A case number (or its beginning), a customer's address, an S/N or UID, a return tracking
number, a PayPal transaction number, each matched exactly or by its beginning on an index;
a customer's name (words without digits) or part of an address (typed with its ``@``)
through PostgreSQL's trigram indexes (the cases
of the first ``MAX_CUSTOMERS`` customers found: a term that fits more is too vague). The places
that fit the term are asked in one subquery, ``id IN (... UNION ...)``, which PostgreSQL
reads as a handful of index look-ups joined to the cases: no join of cases with their items
and no ``DISTINCT`` over the result. The case list, the return list and the payment list
all search through it.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from rma.cases.models import Case, CaseItem
from rma.required.models import normalise_identifier
from rma.required.parts import part_models

# Anything shorter matches too much to be worth a look-up by its beginning.
PREFIX_MIN_LENGTH = 4
# Trigram indexes need three characters.
CONTAINS_MIN_LENGTH = 3
# A name or part of an address that fits more customers than this is too vague to list
# them all: the search shows the cases of this many of them.
MAX_CUSTOMERS = 500
SINGLE_TOKEN = re.compile(r"^\S+$")
FULL_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HAS_DIGIT = re.compile(r"\d")


def _variants(term: str) -> list[str]:
    """The term as typed and in upper and lower case: S/Ns are typed either way."""
    return sorted({term, term.upper(), term.lower()})


def _customers(term: str) -> QuerySet | None:
    """Customers by address (whole, or a part typed with its ``@``) or by name (words
    without digits); a term with digits and no ``@`` is an identifier, not a person."""
    users = get_user_model().objects
    if FULL_EMAIL.match(term):
        return users.with_email(term)
    if len(term) < CONTAINS_MIN_LENGTH:
        return None
    if "@" in term:
        condition = Q(email__icontains=term)
    elif not HAS_DIGIT.search(term):
        condition = Q(full_name__icontains=term)
        if SINGLE_TOKEN.match(term):
            condition |= Q(email__icontains=term)
    else:
        return None
    # In id order: a rare term is looked up in the trigram indexes and sorted, a common one
    # walks the users until it has found enough.
    return users.filter(condition).order_by("pk")[:MAX_CUSTOMERS]


def _identifiers(term: str) -> list[QuerySet]:
    """Case ids by number and item identifier (one token), and by part identifier (as the
    parts store it: spaces and dashes dropped, upper case)."""
    if "@" in term:
        return []
    found = []
    if SINGLE_TOKEN.match(term):
        upper = term.upper()
        by_number = Q(number=upper)
        item = Q(serial_number__in=_variants(term)) | Q(uid__in=_variants(term))
        if len(term) >= PREFIX_MIN_LENGTH:
            by_number |= Q(number__startswith=upper)
            item |= Q(serial_number__startswith=upper) | Q(uid__startswith=upper)
        found += [
            Case.objects.filter(by_number).values_list("pk"),
            CaseItem.objects.filter(item).values_list("case_id"),
        ]
    identifier = normalise_identifier(term)
    for model in part_models():
        if model.identifier_field and identifier:
            field = model.identifier_field
            condition = Q(**{field: identifier})
            if len(identifier) >= PREFIX_MIN_LENGTH:
                condition |= Q(**{f"{field}__startswith": identifier})
            found.append(model.objects.filter(condition).values_list("case_id"))
    return found


def matching_case_ids(term: str) -> QuerySet:
    """The ids of the cases ``term`` points at, as one subquery (empty for a blank term)."""
    term = term.strip()
    if not term:
        return Case.objects.none().values_list("pk")
    found = _identifiers(term)
    customers = _customers(term)
    if customers is not None:
        found.append(Case.objects.filter(customer__in=customers.values("pk")).values_list("pk"))
    if not found:
        return Case.objects.none().values_list("pk")
    first, *rest = found
    return first.order_by().union(*(query.order_by() for query in rest)) if rest else first

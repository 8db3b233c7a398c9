"""
The kinds of required part, as the case core sees them.

``settings.RMA_REQUIRED_PARTS`` names every kind of part by its model label, in the order the
customer usually does them; each is a ``rma.required.models.RequiredPart`` declaring itself
(when a case needs it, its case accessor, its words, its form binding). The core reads only
what it needs of them (``is_needed`` and ``case_accessor``) through Django's app registry, so
it imports none of the apps that declare parts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings


def declared_part_labels() -> tuple[str, ...]:
    """The model labels of the required parts, in checklist order."""
    return tuple(settings.RMA_REQUIRED_PARTS)


def declared_part_models() -> tuple[Any, ...]:
    """The part models of ``settings.RMA_REQUIRED_PARTS``, in order."""
    return _models(declared_part_labels())


@cache
def _models(labels: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(apps.get_model(label) for label in labels)


def part_accessors() -> tuple[str, ...]:
    """The case's reverse accessors of every kind of part: a page that shows the checklist
    joins them in its query (``select_related``)."""
    return tuple(model.case_accessor for model in declared_part_models())

"""
``{% case_card case group %}``: one case of the customer's list.

A card is a pure function of a few values (number, status, solution, product models, the
day it was opened, its group, the day it is due, its steps and their states, the language),
so each distinct card is rendered once per process and then reused: the list page, the
portal's busiest, spends its time on the data rather than on re-rendering identical markup.
Any change to one of those values is a new key, so a card is never stale; the cache is bounded.
A template edited under ``runserver`` (which reloads templates without restarting) empties it.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from rma.cases.deadlines import case_due_at
from rma.cases.models import Case, status_facts
from rma.cases.selectors import CustomerGroup
from rma.portal.display import tracker
from rma.required.parts import required_parts

# Groups in which the next move is the customer's: their cards say by when.
CUSTOMER_MOVE_GROUPS = frozenset({"pending_confirmation", "action_required"})

register = template.Library()


@lru_cache(maxsize=8192)
def render_card(
    *,
    number: str,
    status: str,
    solution_type: str,
    products: tuple[str, ...],
    opened: datetime.date,
    group_key: str,
    language: str,
    due: datetime.date | None = None,
    steps: tuple[tuple[str, str, str, str], ...] = (),
    late: bool = False,
) -> SafeString:
    with translation.override(language):
        html = render_to_string(
            "rma/_case_card.html",
            {
                "number": number,
                "url": reverse("rma:case_detail", kwargs={"number": number}),
                "status": status,
                "status_label": status_facts(status).label,
                # A claim has no solution yet: the team is looking at it.
                "solution_label": Case.SolutionType(solution_type).label
                if solution_type
                else gettext("Warranty claim"),
                "products": products,
                "opened": opened,
                "group_key": group_key,
                "due": due,
                "late": late,
                "steps": [
                    {"key": key, "title": title, "state": state, "state_label": label}
                    for key, title, state, label in steps
                ],
                "current": next(
                    (
                        {"position": position, "title": title}
                        for position, (_key, title, state, _label) in enumerate(steps, 1)
                        if state == "current"
                    ),
                    None,
                ),
            },
        )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


def forget_cards(sender=None, file_path=None, **kwargs) -> None:
    """A file changed under the development server: the cards rendered so far are forgotten
    (a template is reloaded without restarting the process, a card would keep the old one)."""
    render_card.cache_clear()


file_changed.connect(forget_cards, dispatch_uid="rma_cards_forget")


@register.simple_tag
def case_card(case: Case, group: CustomerGroup) -> SafeString:
    """The card of ``case`` (its items prefetched, its parts joined) under ``group``."""
    due = case_due_at(case) if group.key in CUSTOMER_MOVE_GROUPS else None
    steps = tracker(case, required_parts(case))
    return render_card(
        number=case.number,
        status=case.customer_status,
        solution_type=case.solution_type,
        products=tuple(item.product_model for item in case.items.all()),
        opened=timezone.localdate(case.created_at),
        group_key=group.key,
        language=translation.get_language() or "en",
        due=timezone.localdate(due) if due else None,
        steps=tuple((step.key, step.title, step.state, step.state_label) for step in steps),
        late=due is not None and timezone.now() > due,
    )

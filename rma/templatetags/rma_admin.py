"""Admin template tags: the queue tabs above the case list, the risk signals on a case."""

from django import template

from rma.backoffice.inlines import frozen_item_facts, warranty_verdict_html
from rma.backoffice.queues import QUEUES, queue_counts
from rma.backoffice.risk import signals_for_case

register = template.Library()


@register.inclusion_tag("admin/rma/case/queue_tabs.html", takes_context=True)
def queue_tabs(context, changelist) -> dict:
    """One tab per queue with its count, keeping the other filters of the list."""
    request = context["request"]
    counts = queue_counts(changelist.model_admin.get_queryset(request), user=request.user)
    current = changelist.params.get("queue")
    current = current[-1] if isinstance(current, list) else current
    tabs = [
        {
            "key": queue.key,
            "title": queue.title,
            "count": counts[queue.key],
            "selected": current == queue.key,
            "query_string": changelist.get_query_string({"queue": queue.key}, remove=["p"]),
        }
        for queue in QUEUES
    ]
    return {"tabs": tabs}


@register.simple_tag
def item_facts(item) -> list[tuple[str, str]]:
    """``{% item_facts item as facts %}``: what a frozen item shows (``frozen_item_facts``)."""
    return frozen_item_facts(item)


@register.simple_tag
def item_verdict(item) -> str:
    """``{% item_verdict item %}``: the warranty policy's verdict on the item."""
    return warranty_verdict_html(item)


@register.inclusion_tag("admin/rma/case/risk_signals.html")
def risk_signals(case) -> dict:
    """Repeat and abuse signals of ``case`` for the agent."""
    return {"signals": signals_for_case(case) if case is not None and case.pk else []}


@register.inclusion_tag("admin/rma/case/filter_bar.html")
def filter_bar(changelist) -> dict:
    """The list's filters as a row of menus above it, each naming its current choice, so the
    table keeps the page's whole width."""
    menus = []
    for spec in changelist.filter_specs:
        choices = list(spec.choices(changelist))
        # The first choice of every filter is "All" (or "Any date"): anything else is a filter.
        chosen = next((choice for choice in choices[1:] if choice["selected"]), None)
        menus.append({"title": spec.title, "choices": choices, "chosen": chosen})
    return {"cl": changelist, "menus": menus}


@register.filter
def entries(data) -> list[tuple]:
    """A dict's (key, value) pairs, also when one of its keys is "items" (which ``.items`` would read)."""
    return list(data.items()) if isinstance(data, dict) else []

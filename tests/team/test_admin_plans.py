"""On 200,000 cases, no query of the case list, its search by number, address or
identifier, or the case page reads a big table from end to end: PostgreSQL's own plans say
so. (The search by a customer's name or part of an address uses the trigram indexes at a
million cases; on the 40,000 customers of this test PostgreSQL finds reading them all as
cheap as the index, so it is measured by the benchmark, not checked here.)"""

import pytest
from django.core.management import call_command

from bench.plans import QueryLog, big_seq_scans, explain
from rma.cases.models import Case, Warehouse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LIST = "/admin/rma/case/"


def pages(agent) -> list[str]:
    """Every view of the case list an agent takes, and a case page."""
    case = Case.objects.filter(return_shipment__isnull=False, items__uid__gt="").order_by("-pk").first()
    item = case.items.exclude(uid="").first()
    warehouse = Warehouse.objects.filter(name__startswith="Scale Centre").first()
    views = [LIST, f"{LIST}?p=150", f"{LIST}{case.pk}/change/"]
    queues = ("mine", "unassigned", "waiting_on_us", "overdue", "disagreed")
    views += [f"{LIST}?queue={key}" for key in queues]
    views += [
        f"{LIST}?status__exact=processing",
        f"{LIST}?solution_type__exact=refund",
        f"{LIST}?warehouse__id__exact={warehouse.pk}",
        f"{LIST}?assigned_agent__id__exact={agent.pk}",
        f"{LIST}?needs_approval__exact=1",
        f"{LIST}?created_at__gte=2020-01-01",
    ]
    views += [f"{LIST}?o={column}" for column in ("1", "-3", "4", "5", "6", "8")]
    terms = (
        case.number,
        case.customer.email,
        item.serial_number.lower(),
        item.uid,
        case.return_shipment.tracking_number,
    )
    views += [f"{LIST}?q={term}" for term in terms]
    return views


def test_no_page_of_the_case_list_scans_a_big_table(agent, agent_client):
    call_command("seed_scale", cases=200_000, quiet=True)
    scans = {}
    for path in pages(agent):
        with QueryLog() as log:
            response = agent_client.get(path)
        assert response.status_code == 200, path
        for sql, _ms, params in log.queries:
            if sql.lstrip().upper().startswith("SELECT"):
                found = big_seq_scans(explain(sql, params))
                if found:
                    scans.setdefault(path, []).append((found, sql[:300]))
    assert scans == {}

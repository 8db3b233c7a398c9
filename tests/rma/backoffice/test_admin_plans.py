"""On 200,000 cases of ``seed_scale``, no query of the case list (its filters, every sort,
page 200), its search by number, address or identifier, the return, payment and address
lists, the case page, or the reports reads a big table from end to end: PostgreSQL's own
plans say so (the plan's shape, not its timing). The CSV export reads the cases once,
through one query that PostgreSQL writes out (COPY), whose items come from their index.
(The search by a customer's name or part of an address uses the trigram indexes at a
million cases; on the 70,000 customers of this test PostgreSQL finds reading them all as
cheap as the index, so it is measured by the benchmark, not checked here.)"""

import datetime

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from bench.plans import QueryLog, big_seq_scans, explain, nodes
from rma.backoffice.export_sql import export_select
from rma.backoffice.views import filtered_cases
from rma.cases.models import Case, Warehouse
from rma_portal.permissions import WARRANTY_GROUPS

# Seeded and committed, then vacuumed as a live database is (its pages marked all-visible, so
# an index can be read alone); the tables are emptied afterwards, as after every test that
# commits (the fixture below puts back the migrations' rows the pages need).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUPERVISORS_ONLY = ("approve_case", "view_reports")


@pytest.fixture(autouse=True)
def warranty_groups():
    """The warranty groups and what they may do: the migrations make them, but an earlier test
    that committed emptied the tables after it (the permissions themselves are made again),
    and the staff of this test join the groups by name."""
    from django.contrib.auth.models import Group, Permission

    team = Permission.objects.filter(
        content_type__app_label__in=("rma", "payments")
    ) | Permission.objects.filter(content_type__app_label="accounts", codename="view_customer")
    agents_name, supervisors_name = WARRANTY_GROUPS
    agents, _ = Group.objects.get_or_create(name=agents_name)
    agents.permissions.add(*team.exclude(codename__in=SUPERVISORS_ONLY))
    supervisors, _ = Group.objects.get_or_create(name=supervisors_name)
    supervisors.permissions.add(*team)


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
    views += [f"{LIST}?o={column}" for column in ("1", "-3", "4", "-4", "5", "6", "8", "5.1")]
    views += [f"{LIST}?p=200"]
    for path, query in (
        ("/admin/rma/returnshipment/", "carrier=DHL"),
        ("/admin/payments/supplementarypayment/", "currency__exact=EUR"),
        ("/admin/rma/shippingaddress/", "country=DE"),
    ):
        views += [path, f"{path}?{query}"]
    # Page 200 of a part list is 10,000 rows in; of this test's 23,000 payments that is
    # nearly half, which PostgreSQL rightly reads whole (at a million cases it does not).
    views += ["/admin/rma/returnshipment/?p=200", "/admin/rma/shippingaddress/?p=200"]
    terms = (
        case.number,
        case.customer.email,
        item.serial_number.lower(),
        item.uid,
        case.return_shipment.tracking_number,
    )
    views += [f"{LIST}?q={term}" for term in terms]
    return views


def scans_of(client, paths: list[str]) -> dict:
    scans = {}
    for path in paths:
        with QueryLog() as log:
            response = client.get(path)
        assert response.status_code == 200, path
        for sql, _ms, params in log.queries:
            if sql.lstrip().upper().startswith("SELECT"):
                # (The reports' figures are read whole by design: bench.plans.FIGURE_TABLES.)
                found = big_seq_scans(explain(sql, params))
                if found:
                    scans.setdefault(path, []).append((found, sql[:300]))
    return scans


def test_no_page_of_the_back_office_scans_a_big_table(agent, agent_client, supervisor, supervisor_client):
    call_command("seed_scale", cases=200_000, quiet=True)
    scans = scans_of(agent_client, pages(agent))
    assert sorted(scans) == [], scans
    # The supervisor's views: the case page (approval tools too) and the reports.
    case = Case.objects.filter(return_shipment__isnull=False).order_by("-pk").first()
    today = timezone.localdate()
    two_years = today - datetime.timedelta(days=2 * 365)
    reports = ["/admin/rma/reports/", f"/admin/rma/reports/?start={two_years}&end={today}"]
    scans = scans_of(supervisor_client, [f"{LIST}{case.pk}/change/", *reports])
    assert sorted(scans) == [], scans
    # The export: PostgreSQL writes the lines from one query (a COPY, which no query log
    # sees), the one the view builds from the same filters, its items read from their index.
    with QueryLog() as log:
        response = supervisor_client.get(f"{LIST}export.csv?status__exact=processing")
        lines = b"".join(response.streaming_content).count(b"\n")
    assert lines > 1000
    assert not [sql for sql, _ms, _params in log.queries if "rma_caseitem" in sql]  # no row read in Python
    request = RequestFactory().get(f"{LIST}export.csv", {"status__exact": "processing"})
    request.user = supervisor
    select = export_select(filtered_cases(request))
    items = [node for node in nodes(explain(*select)) if node.get("Relation Name") == "rma_caseitem"]
    assert items and all(node["Node Type"] != "Seq Scan" for node in items)

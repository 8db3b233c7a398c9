"""The supervisors' reports page and the CSV export of the filtered case list."""

import csv
import io

import pytest

from rma.cases.models import Case
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

REPORTS = "/admin/rma/reports/"
EXPORT = "/admin/rma/case/export.csv"


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_a_supervisor_sees_the_figures_of_the_period(supervisor_client, fixture_cases):
    response = supervisor_client.get(REPORTS, {"start": "2026-11-02", "end": "2026-11-15"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="opened">5<' in html
    assert 'data-figure="completed">3<' in html
    assert 'data-figure="cancelled">1<' in html
    assert 'data-figure="median">7.0<' in html
    assert (
        '<tr data-week="2026-11-09"><th scope="row">Nov. 9, 2026</th><td>2</td><td>2</td><td>1</td></tr>'
        in html
    )
    assert "<title>Cases opened and completed per week</title>" in html
    assert "Alice Agent" in html


def test_the_reports_can_be_narrowed_to_one_solution_type(supervisor_client, fixture_cases):
    html = supervisor_client.get(
        REPORTS, {"start": "2026-11-02", "end": "2026-11-15", "solution_type": "refund"}
    ).content.decode()
    assert 'data-figure="opened">2<' in html
    assert 'data-figure="completed">1<' in html


def test_an_agent_is_refused_the_reports_and_their_export_alike(agent_client):
    CaseFactory()
    assert agent_client.get(REPORTS).status_code == 403
    assert agent_client.get(EXPORT).status_code == 403
    case_list = agent_client.get("/admin/rma/case/").content.decode()
    assert 'class="rma-export"' not in case_list
    assert 'class="rma-reports"' not in case_list


def test_a_supervisor_gets_the_reports_and_their_export_alike(supervisor_client):
    CaseFactory()
    assert supervisor_client.get(REPORTS).status_code == 200
    assert supervisor_client.get(EXPORT).status_code == 200
    case_list = supervisor_client.get("/admin/rma/case/").content.decode()
    assert 'class="rma-export"' in case_list
    assert 'class="rma-reports"' in case_list


def test_an_agent_given_the_reports_permission_gets_both(agent):
    from django.contrib.auth.models import Permission

    from tests.staff import staff_client_for

    agent.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = staff_client_for(agent)
    assert client.get(REPORTS).status_code == 200
    assert client.get(EXPORT).status_code == 200


def test_a_visitor_is_sent_to_the_admin_sign_in(client):
    response = client.get(REPORTS)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_customer_is_sent_to_the_admin_sign_in(customer_client):
    assert customer_client.get(REPORTS).status_code == 302
    assert customer_client.get(EXPORT).status_code == 302


def test_a_period_that_ends_before_it_starts_is_explained(supervisor_client):
    response = supervisor_client.get(REPORTS, {"start": "2026-11-15", "end": "2026-11-02"})
    assert response.status_code == 200
    assert "The period must start on or before the day it ends." in response.content.decode()
    assert response.context["report"] is None


def test_the_reports_page_costs_a_fixed_number_of_queries(
    supervisor_client, fixture_cases, django_assert_max_num_queries
):
    for _index in range(30):
        CaseFactory(status=Case.Status.AWAITING_INFO, assigned_agent=fixture_cases["bob"])
    # Opened, completed and cancelled per day, the medians (one query, two on PostgreSQL:
    # overall and per agent), by status, open per agent, the agents, and the page's own.
    with django_assert_max_num_queries(17):
        response = supervisor_client.get(REPORTS, {"start": "2026-11-02", "end": "2026-11-15"})
    assert response.status_code == 200


def test_the_export_follows_the_case_list_filters(supervisor_client):
    warehouse = WarehouseFactory(name="Reno")
    kept = CaseFactory(
        status=Case.Status.AWAITING_INFO, warehouse=warehouse, customer=CustomerFactory(email="a@example.com")
    )
    CaseFactory(status=Case.Status.PENDING_CONFIRM)
    rows = exported(supervisor_client.get(EXPORT, {"status__exact": "awaiting_info"}))
    assert rows[0][:3] == ["RMA number", "Customer", "Status"]
    assert [row[0] for row in rows[1:]] == [kept.number]
    assert rows[1][1] == "a@example.com"
    assert rows[1][2] == "Awaiting information"
    assert rows[1][5] == "Reno"


def test_the_export_follows_the_case_list_search(supervisor_client):
    wanted = CaseFactory(item=None)
    CaseItemFactory(case=wanted, serial_number="FINDME123", product_model="E1 Zoom", quantity=2)
    CaseFactory()
    response = supervisor_client.get(EXPORT, {"q": "FINDME123"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="rma-cases-')
    rows = exported(response)
    assert [row[0] for row in rows[1:]] == [wanted.number]
    assert rows[1][9] == "E1 Zoom FINDME123 x2"


def test_the_export_keeps_a_formula_as_text(supervisor_client):
    case = CaseFactory(item=None)
    CaseItemFactory(case=case, product_model='=HYPERLINK("http://evil")', serial_number="S1")
    rows = exported(supervisor_client.get(EXPORT))
    assert rows[1][9].startswith("'=HYPERLINK")


def test_an_invalid_filter_is_a_bad_request(supervisor_client):
    assert supervisor_client.get(EXPORT, {"nonsense__field": "1"}).status_code == 400


def test_staff_without_the_view_permission_cannot_export(db):
    from tests.factories import StaffFactory
    from tests.staff import staff_client_for

    assert staff_client_for(StaffFactory()).get(EXPORT).status_code == 403


def test_the_export_costs_the_same_queries_for_3_and_for_60_cases(
    supervisor_client, django_assert_max_num_queries
):
    # Session, user, device, permissions, the list's filter choices and counts, the
    # warehouses, and one query for the cases with their people, items and claims (on
    # PostgreSQL a COPY, which the count does not see): at most 18, however many cases.
    for total in (3, 60):
        CaseFactory.create_batch(total - Case.objects.count())
        with django_assert_max_num_queries(18):
            rows = exported(supervisor_client.get(EXPORT))
        assert len(rows) == total + 1

"""The case list stays the same price on a million cases: capped pages, staff-only agent
choices, a fixed number of queries on the case page."""

import pytest
from django.contrib.messages import get_messages

from rma.backoffice.admin import CaseAdmin
from rma_portal.paging import CappedPaginator
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/rma/case/"


@pytest.fixture
def short_pages(monkeypatch):
    """One case a page, two pages offered."""
    monkeypatch.setattr(CaseAdmin, "list_per_page", 1)
    monkeypatch.setattr(CappedPaginator, "max_pages", 2)
    # The words of a list without PostgreSQL's estimate (SQLite gives none).
    monkeypatch.setattr(CappedPaginator, "estimated_total", None)


def test_a_list_longer_than_its_pages_says_how_to_find_the_rest(agent_client, short_pages):
    CaseFactory.create_batch(3)
    html = agent_client.get(LIST).content.decode()
    assert "More than 2 RMA cases: narrow the list with the search box or the filters" in html


def test_a_list_within_its_pages_gives_its_count(agent_client, short_pages):
    CaseFactory.create_batch(2)
    html = agent_client.get(LIST).content.decode()
    assert "More than" not in html
    assert "2 RMA cases" in html


def test_a_page_past_those_offered_leads_to_the_last_one_with_a_message(agent_client, short_pages):
    CaseFactory.create_batch(3)
    response = agent_client.get(LIST, {"p": "5000", "status__exact": "pending_confirm"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?p=2&status__exact=pending_confirm"
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert messages == [
        "The list shows its first 2 pages. "
        "Narrow it with the search box or the filters to find the cases further down."
    ]


def test_a_page_past_the_end_of_a_short_list_shows_its_last_page(agent_client, short_pages, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "max_pages", 3)
    first, _second = CaseFactory.create_batch(2)  # two pages of one: page 3 is past the end
    response = agent_client.get(LIST, {"p": "2000"}, follow=True)
    assert response.status_code == 200
    assert first.number in response.content.decode()


def test_the_agent_filter_offers_staff_only(agent, agent_client):
    customer = CustomerFactory(email="not-an-agent@example.com")
    CaseFactory(customer=customer, assigned_agent=agent)
    html = agent_client.get(LIST).content.decode()
    filter_block = html.split('id="filter-bar-title"')[1].split("</nav>")[0]
    assert "Agnes Agent" in filter_block or agent.email in filter_block
    assert "not-an-agent@example.com" not in filter_block


def test_the_list_has_no_date_hierarchy_over_all_cases(agent_client):
    CaseFactory()
    html = agent_client.get(LIST).content.decode()
    assert "xfull" not in html and 'class="xfull"' not in html
    assert "created_at__year" not in html


@pytest.mark.parametrize("items", [1, 6])
def test_the_case_page_costs_the_same_whatever_the_case_holds(
    agent_client, django_assert_max_num_queries, items
):
    case = CaseFactory(item=None)
    CaseItemFactory.create_batch(items, case=case)
    agent_client.get(f"{LIST}{case.pk}/change/")  # warms the session and permission caches
    # The customer's other cases and how many there are in one query, the timeline and the
    # conversation a page each; one more for the team's list in the assigned-agent field, one for the
    # customer's claim behind the case, if any.
    # (With Redis, two fewer: the permissions come from the cache, accounts.permission_cache.)
    with django_assert_max_num_queries(15):
        response = agent_client.get(f"{LIST}{case.pk}/change/")
    assert response.status_code == 200


@pytest.fixture
def lookahead(monkeypatch):
    """One case a page, fifty pages offered, two counted past the page asked for."""
    monkeypatch.setattr(CaseAdmin, "list_per_page", 1)
    monkeypatch.setattr(CappedPaginator, "max_pages", 50)
    monkeypatch.setattr(CappedPaginator, "lookahead_pages", 2)


@pytest.fixture
def no_estimate(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "estimated_total", None)


def count_limits(queries) -> list[str]:
    return [query["sql"] for query in queries if "COUNT(*)" in query["sql"] and "rma_case" in query["sql"]]


def test_a_page_counts_only_a_few_pages_past_itself(
    agent_client, lookahead, no_estimate, django_assert_max_num_queries
):
    CaseFactory.create_batch(10)
    with django_assert_max_num_queries(30) as context:
        html = agent_client.get(LIST).content.decode()
    # Page 1 counts three pages and one row more, whatever the list holds.
    [count] = count_limits(context.captured_queries)
    assert "LIMIT 4" in count
    assert "More than 3 RMA cases: narrow the list" in html
    # A page further on is offered, and counts from there.
    with django_assert_max_num_queries(30) as context:
        response = agent_client.get(LIST, {"p": "5"})
    assert response.status_code == 200
    assert response.context["cl"].page_num == 5
    [count] = count_limits(context.captured_queries)
    assert "LIMIT 8" in count


def test_near_its_end_a_list_is_counted_whole(agent_client, lookahead):
    CaseFactory.create_batch(10)
    html = agent_client.get(LIST, {"p": "9"}).content.decode()
    assert "More than" not in html and "About" not in html
    assert "10 RMA cases" in html


@pytest.mark.postgres
def test_a_list_longer_than_counted_gives_postgresqls_estimate(agent_client, lookahead):
    from django.db import connection

    CaseFactory.create_batch(40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE rma_case")
    response = agent_client.get(LIST)
    html = response.content.decode()
    # The planner's figure for the list, never an exact count of it.
    estimate = response.context["cl"].paginator.estimated_total
    assert estimate is not None and estimate > 3
    assert f"About {estimate} RMA cases: narrow the list" in html

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


def test_a_list_longer_than_its_pages_says_how_to_find_the_rest(agent_client, short_pages):
    CaseFactory.create_batch(3)
    html = agent_client.get(LIST).content.decode()
    assert "More than 2 cases: narrow the list with the search box or the filters" in html


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

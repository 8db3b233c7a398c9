"""The customer's pages: /rma/, /rma/<number>/ and the actions posted from it."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from rma.cases.models import Action, Case, CaseEvent, CaseMessage, Role
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    CaseItemFactory,
    CaseMessageFactory,
    CustomerFactory,
)

pytestmark = pytest.mark.django_db

S = Case.Status
VISIBLE = [s for s in S if s not in (S.DRAFT, S.PENDING_APPROVAL)]


def _case_numbers(response) -> list[str]:
    import re

    return re.findall(r'data-rma="([^"]+)"', response.content.decode())


# --- /rma/ ------------------------------------------------------------------------------------


def test_list_requires_sign_in(client):
    response = client.get("/rma/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_list_groups_the_visible_cases_and_marks_each_with_number_and_status(customer, customer_client):
    cases = {status: CaseFactory(customer=customer, status=status) for status in S}
    response = customer_client.get("/rma/")
    html = response.content.decode()
    for status in VISIBLE:
        assert f'data-rma="{cases[status].number}" data-status="{status}"' in html
    for hidden in (S.DRAFT, S.PENDING_APPROVAL):
        assert cases[hidden].number not in html
    headings = ["Pending confirmation", "Action required", "In progress", "Closed"]
    positions = [html.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    # Each case sits under its group's heading.
    assert positions[0] < html.index(cases[S.PENDING_CONFIRM].number) < positions[1]
    assert positions[1] < html.index(cases[S.AWAITING_INFO].number) < positions[2]
    assert positions[2] < html.index(cases[S.PROCESSING].number) < positions[3]
    assert positions[3] < html.index(cases[S.CANCELLED].number)


def test_list_shows_newest_first_within_a_group(customer, customer_client):
    now = timezone.now()
    older = CaseFactory(customer=customer, created_at=now - datetime.timedelta(days=3))
    newer = CaseFactory(customer=customer, created_at=now)
    assert _case_numbers(customer_client.get("/rma/")) == [newer.number, older.number]


def test_list_never_shows_another_customers_cases(customer_client):
    someone_else = CaseFactory()
    response = customer_client.get("/rma/")
    assert someone_else.number not in response.content.decode()


def test_list_filters_by_status_and_by_group(customer, customer_client):
    pending = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    awaiting = CaseFactory(customer=customer, status=S.AWAITING_INFO)
    done = CaseFactory(customer=customer, status=S.COMPLETED)
    assert _case_numbers(customer_client.get("/rma/?status=awaiting_info")) == [awaiting.number]
    assert _case_numbers(customer_client.get("/rma/?status=pending_confirmation")) == [pending.number]
    assert _case_numbers(customer_client.get("/rma/?status=completed")) == [done.number]
    assert _case_numbers(customer_client.get("/rma/?status=draft")) == []
    assert _case_numbers(customer_client.get("/rma/?status=nonsense")) == []


def test_list_is_paginated(customer, customer_client):
    CaseFactory.create_batch(25, customer=customer)
    first = customer_client.get("/rma/")
    second = customer_client.get("/rma/?page=2")
    assert len(_case_numbers(first)) == 20
    assert len(_case_numbers(second)) == 5
    assert not set(_case_numbers(first)) & set(_case_numbers(second))
    assert 'rel="next"' in first.content.decode()


def _session_reads(settings) -> int:
    """Queries that load the session: none when it is read through the cache (with Redis)."""
    return 0 if settings.SESSION_ENGINE == "accounts.sessions" else 1


def test_list_issues_as_many_queries_for_60_cases_as_for_3(
    customer, customer_client, settings, django_assert_num_queries
):
    few = CustomerFactory()
    few_client = Client()
    few_client.force_login(few)
    for _ in range(3):
        CaseItemFactory.create_batch(2, case=CaseFactory(customer=few))
    for _ in range(60):
        CaseItemFactory.create_batch(2, case=CaseFactory(customer=customer))
    # session (unless read from the cache), user, count, page of cases, their items; the
    # session's save (in a savepoint)
    queries = 7 + _session_reads(settings)
    with django_assert_num_queries(queries):
        response = few_client.get("/rma/")
    assert len(_case_numbers(response)) == 3
    with django_assert_num_queries(queries):
        response = customer_client.get("/rma/")
    assert len(_case_numbers(response)) == 20


# --- /rma/<number>/ ------------------------------------------------------------------------------


def test_detail_root_carries_number_and_status(customer, customer_client):
    case = CaseFactory(customer=customer)
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert f'<article class="case-page" data-rma="{case.number}" data-status="pending_confirm">' in html


def test_detail_shows_items_solution_return_address_and_amount_due(customer, customer_client):
    case = CaseFactory(customer=customer, payment_due=True, item=None)
    CaseItemFactory(case=case, product_model="Duo 2 WiFi", serial_number="", uid="95270000ABCDEFGH")
    CaseItemFactory(
        case=case,
        product_model="RLK8 Kit",
        serial_number="SNKIT000001",
        kit_scope="whole_kit",
        purchase_date=datetime.date(2020, 1, 1),
    )
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert "Duo 2 WiFi" in html and "UID 95270000ABCDEFGH" in html
    assert "RLK8 Kit" in html and "S/N SNKIT000001" in html and "The whole kit" in html
    assert "We send you a replacement" in html
    assert case.warehouse.line1 in html and "Return address" in html
    assert "12.50 USD" in html
    # The first item is in warranty, the kit from 2020 is not.
    assert html.count('data-warranty="in"') == 1 and html.count('data-warranty="out"') == 1
    assert html.count("In warranty: covered until") == 1
    assert "Out of warranty: the warranty ended on Jan. 1, 2022." in html
    assert "New product: 24 months from the purchase date." in html


def test_detail_without_return_shows_no_warehouse(customer, customer_client):
    case = CaseFactory(customer=customer, nothing_required=True)
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert "Return address" not in html
    assert "Amount due" not in html
    assert "We refund you 59.99 USD." in html


def test_detail_next_step_says_whose_move_it_is(customer, customer_client):
    yours = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    ours = CaseFactory(customer=customer, status=S.UNDER_REVIEW)
    assert "Your move" in customer_client.get(f"/rma/{yours.number}/").content.decode()
    assert "Our move" in customer_client.get(f"/rma/{ours.number}/").content.decode()


def test_detail_hides_agent_notes(customer, customer_client):
    case = CaseFactory(customer=customer, agent_notes="Customer was rude on the phone")
    assert "rude" not in customer_client.get(f"/rma/{case.number}/").content.decode()


def test_timeline_shows_customer_events_and_marks_those_done_on_their_behalf(
    customer, customer_client, agent
):
    case = CaseFactory(customer=customer, status=S.AWAITING_INFO)
    CaseEventFactory(case=case, action=Action.CREATE, actor=agent, actor_role=Role.AGENT, comment="internal")
    CaseEventFactory(case=case, action=Action.PUBLISH, actor=agent, actor_role=Role.AGENT)
    CaseEventFactory(
        case=case,
        action=Action.AGREE,
        actor=agent,
        actor_role=Role.AGENT,
        on_behalf=True,
        from_status=S.PENDING_CONFIRM,
        to_status=S.AWAITING_INFO,
        comment="Customer confirmed by phone",
    )
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert "The warranty team offered this solution." in html
    assert "The solution was confirmed." in html
    assert html.count("Done by the warranty team on your behalf.") == 1
    assert "internal" not in html and "Customer confirmed by phone" not in html


def test_comments_and_messages_with_html_are_shown_as_text(customer, customer_client):
    case = CaseFactory(customer=customer, status=S.DISAGREED)
    CaseEventFactory(
        case=case,
        action=Action.DISAGREE,
        actor=customer,
        actor_role=Role.CUSTOMER,
        comment="<script>alert(1)</script>",
    )
    CaseMessageFactory(case=case, body="<b>bold</b> <img src=x onerror=alert(2)>")
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_detail_shows_the_message_thread(customer, customer_client, agent):
    case = CaseFactory(customer=customer)
    CaseMessageFactory(case=case, body="Where is my parcel?")
    CaseMessageFactory(case=case, author=agent, sender=CaseMessage.Sender.TEAM, body="It left today.")
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert html.index("Where is my parcel?") < html.index("It left today.")
    assert 'name="body"' in html


def test_detail_queries_do_not_grow_with_items_events_and_messages(
    customer, customer_client, settings, django_assert_num_queries
):
    small = CaseFactory(customer=customer)
    big = CaseFactory(customer=customer)
    CaseItemFactory.create_batch(5, case=big)
    CaseEventFactory.create_batch(10, case=big)
    CaseMessageFactory.create_batch(10, case=big)
    customer_client.get("/rma/")  # renews the fresh session; the pages below don't write it
    # session (unless read from the cache), user, case, items, events, messages
    queries = 5 + _session_reads(settings)
    with django_assert_num_queries(queries):
        assert customer_client.get(f"/rma/{small.number}/").status_code == 200
    with django_assert_num_queries(queries):
        assert customer_client.get(f"/rma/{big.number}/").status_code == 200


# --- Not yours, hidden, wrong method ----------------------------------------------------------------

URLS = ["/rma/{n}/", "/rma/{n}/agree/", "/rma/{n}/disagree/", "/rma/{n}/messages/"]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", URLS)
def test_another_customers_case_is_a_404_everywhere(customer_client, url, method):
    case = CaseFactory()
    response = getattr(customer_client, method)(url.format(n=case.number), {"comment": "x", "body": "x"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM
    assert not CaseEvent.objects.exists() and not CaseMessage.objects.exists()


@pytest.mark.parametrize("status", [S.DRAFT, S.PENDING_APPROVAL])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", URLS)
def test_a_hidden_case_is_a_404_everywhere(customer, customer_client, url, method, status):
    case = CaseFactory(customer=customer, status=status)
    response = getattr(customer_client, method)(url.format(n=case.number), {"comment": "x", "body": "x"})
    assert response.status_code == 404
    assert not CaseEvent.objects.exists() and not CaseMessage.objects.exists()


def test_an_unknown_number_is_a_404(customer_client):
    assert customer_client.get("/rma/RMA-2026-999999/").status_code == 404


@pytest.mark.parametrize("url", URLS[1:])
def test_get_on_an_action_url_is_a_405(customer, customer_client, url):
    case = CaseFactory(customer=customer)
    assert customer_client.get(url.format(n=case.number)).status_code == 405


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    case = CaseFactory()
    response = client.post(url.format(n=case.number), {"comment": "x", "body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not CaseEvent.objects.exists()


# --- Agree, disagree, write ------------------------------------------------------------------------


def test_agree_moves_the_case_and_says_so(customer, customer_client):
    case = CaseFactory(customer=customer)
    response = customer_client.post(f"/rma/{case.number}/agree/", follow=True)
    case.refresh_from_db()
    assert case.status == S.AWAITING_INFO
    assert "you confirmed the solution" in response.content.decode()
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.actor, event.on_behalf) == (Action.AGREE, customer, False)
    assert event.ip == "127.0.0.1"


def test_agree_to_a_refund_with_nothing_to_send_goes_straight_to_processing(customer, customer_client):
    case = CaseFactory(customer=customer, nothing_required=True)
    customer_client.post(f"/rma/{case.number}/agree/")
    case.refresh_from_db()
    assert case.status == S.PROCESSING


def test_a_second_agree_is_refused_with_a_message_and_changes_nothing(customer, customer_client):
    case = CaseFactory(customer=customer)
    customer_client.post(f"/rma/{case.number}/agree/")
    response = customer_client.post(f"/rma/{case.number}/agree/", follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("status", [s for s in VISIBLE if s != S.PENDING_CONFIRM])
def test_agree_or_disagree_in_the_wrong_status_changes_nothing(customer, customer_client, status):
    case = CaseFactory(customer=customer, status=status)
    for action, data in (("agree", {}), ("disagree", {"comment": "I want a refund"}), ("disagree", {})):
        response = customer_client.post(f"/rma/{case.number}/{action}/", data, follow=True)
        assert response.status_code == 200
        assert "Nothing was changed" in response.content.decode()
    case.refresh_from_db()
    assert case.status == status
    assert not CaseEvent.objects.exists()


def test_disagree_requires_a_comment(customer, customer_client):
    case = CaseFactory(customer=customer)
    response = customer_client.post(f"/rma/{case.number}/disagree/", {"comment": "   "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please tell us what is wrong" in html
    assert 'aria-invalid="true"' in html
    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM
    assert not CaseEvent.objects.exists()


def test_disagree_with_a_comment_records_it_and_shows_it_on_the_timeline(customer, customer_client):
    case = CaseFactory(customer=customer)
    response = customer_client.post(
        f"/rma/{case.number}/disagree/", {"comment": "Scratched lens, I want a replacement"}, follow=True
    )
    case.refresh_from_db()
    assert case.status == S.DISAGREED
    event = CaseEvent.objects.get(case=case)
    assert event.comment == "Scratched lens, I want a replacement"
    html = response.content.decode()
    assert "The solution was rejected." in html
    assert "Scratched lens, I want a replacement" in html


def test_posting_a_message_stores_it_and_shows_it(customer, customer_client):
    case = CaseFactory(customer=customer, status=S.PROCESSING)
    response = customer_client.post(f"/rma/{case.number}/messages/", {"body": "Any news?"}, follow=True)
    message = CaseMessage.objects.get(case=case)
    assert (message.author, message.sender, message.body) == (customer, "customer", "Any news?")
    assert "Any news?" in response.content.decode()
    assert CaseEvent.objects.filter(case=case, action=Action.MESSAGE).count() == 1


def test_an_empty_message_is_refused_with_a_message(customer, customer_client):
    case = CaseFactory(customer=customer)
    response = customer_client.post(f"/rma/{case.number}/messages/", {"body": ""})
    assert "Please write your message first." in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_pages_carry_no_inline_scripts_or_styles(customer, customer_client):
    case = CaseFactory(customer=customer)
    for url in ("/rma/", f"/rma/{case.number}/"):
        html = customer_client.get(url).content.decode()
        assert "style=" not in html
        assert "<script>" not in html and "<style" not in html


def test_a_case_card_follows_every_change_of_the_case(customer, customer_client):
    case = CaseFactory(customer=customer, item=None)
    CaseItemFactory(case=case, product_model="Argus 3")
    assert "Argus 3" in customer_client.get("/rma/").content.decode()
    case.status = S.PROCESSING
    case.save()
    CaseItemFactory(case=case, product_model="Solar Panel")
    html = customer_client.get("/rma/").content.decode()
    assert f'data-rma="{case.number}" data-status="processing"' in html
    assert "Argus 3 and Solar Panel" in html
    assert "Review and respond" not in html and "See details" in html


def test_a_case_card_shows_product_names_as_text(customer, customer_client):
    case = CaseFactory(customer=customer, item=None)
    CaseItemFactory(case=case, product_model="<img src=x onerror=alert(1)>")
    html = customer_client.get("/rma/").content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_cards_waiting_on_the_customer_say_by_when(customer_client, customer):
    due = timezone.now() + datetime.timedelta(days=9)
    waiting = CaseFactory(customer=customer, status=S.PENDING_CONFIRM, due_at=due)
    theirs = CaseFactory(customer=customer, status=S.UNDER_REVIEW, due_at=due)

    page = customer_client.get("/rma/").content.decode()

    card = page.split(f'data-rma="{waiting.number}"')[1].split("\n</li>")[0]
    other = page.split(f'data-rma="{theirs.number}"')[1].split("\n</li>")[0]
    assert f"Your move, by {date_format(timezone.localdate(due))}" in card
    assert "Your move" not in other


def test_a_card_past_the_customers_date_says_it_was_due_not_by_when(customer_client, customer):
    due = timezone.now() - datetime.timedelta(days=2)
    waiting = CaseFactory(customer=customer, status=S.AWAITING_INFO, due_at=due)

    page = customer_client.get("/rma/").content.decode()

    card = page.split(f'data-rma="{waiting.number}"')[1].split("\n</li>")[0]
    assert f"Your move: it was due on {date_format(timezone.localdate(due))}" in card
    assert "Your move, by" not in card


def test_the_case_page_shows_each_items_warranty_verdict_and_why(customer, customer_client):
    case = CaseFactory(customer=customer, item=None)
    opened = timezone.localdate(case.created_at)
    CaseItemFactory(
        case=case,
        product_model="Refurb Cam",
        condition="refurbished",
        purchase_date=opened - datetime.timedelta(days=400),
    )
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    row = html.split('data-warranty="out"')[1].split("</tr>")[0]
    assert "Out of warranty: the warranty ended on" in row
    assert "Certified refurbished: 12 months from the purchase date." in row


def test_the_list_pages_long_lists_and_keeps_the_groups(customer, customer_client):
    for _ in range(23):
        CaseFactory(customer=customer, status=S.COMPLETED)
    CaseFactory(customer=customer, status=S.CANCELLED)
    first = customer_client.get("/rma/").content.decode()
    second = customer_client.get("/rma/?page=2").content.decode()
    assert first.count('class="case-card card"') == 20 and "Page 1 of 2" in first
    assert second.count('class="case-card card"') == 4 and ">Closed</h2>" in second
    assert 'data-status="cancelled"' in first + second
    closed_only = customer_client.get("/rma/?status=closed").content.decode()
    assert closed_only.count('class="case-card card"') == 20

"""The case page as the agent's workspace: the next step and its deadline, the customer and
their other cases, the required information, the conversation and the history; one date
format across the case list and the case page."""

import datetime
import re

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from django.utils.formats import date_format

from rma.backoffice.workspace import next_step_sentence, part_sections
from rma.cases.models import Action, Case, Role
from tests.factories import CaseEventFactory, CaseFactory, CaseItemFactory, CaseMessageFactory, every_part_in
from tests.staff import AGENT_PERMISSIONS

pytestmark = pytest.mark.django_db

S = Case.Status
LIST = "/admin/rma/case/"


def change_page(client, case) -> str:
    response = client.get(f"{LIST}{case.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("status", "traits", "expected"),
    [
        (S.DRAFT, {}, "publishes it to the customer"),
        (S.DRAFT, {"needs_approval": True}, "submits it for a supervisor's approval"),
        (S.PENDING_APPROVAL, {}, "A supervisor approves the solution"),
        (S.PENDING_CONFIRM, {}, "The customer agrees to the solution or disagrees"),
        (S.DISAGREED, {}, "revises the solution or cancels the case"),
        (S.AWAITING_INFO, {}, "still missing: Return shipment and Shipping address."),
        (S.UNDER_REVIEW, {}, "reviews what the customer sent"),
        (S.PROCESSING, {"refund": True}, "sends the refund"),
        (S.PROCESSING, {}, "ships to the customer"),
        (
            S.PROCESSING,
            {
                "replacement_method": "advance",
                "hold_placed_at": datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
            },
            "ships the replacement ahead of the return",
        ),
        (S.AWAITING_RETURN, {}, "mark the return received to release the PayPal hold"),
        (S.COMPLETED, {}, "Nothing: the case is completed."),
        (S.CANCELLED, {}, "Nothing: the case is cancelled."),
    ],
)
def test_every_status_names_its_next_step(status, traits, expected):
    case = CaseFactory(status=status, **traits)
    assert expected in next_step_sentence(case)


def test_the_missing_parts_are_listed_the_way_each_language_lists_them():
    case = CaseFactory(status=S.AWAITING_INFO, payment_due=True)

    with translation.override("ja"):
        japanese = next_step_sentence(case)
    with translation.override("de"):
        german = next_step_sentence(case)

    # CLDR's list patterns (join_list), not ", ": the admin read "返送, 支払いの証明, 配送先住所".
    assert "返送、支払いの証明、配送先住所" in japanese
    assert "Rücksendung, Zahlungsnachweis und Lieferadresse" in german


def test_the_next_step_is_at_the_top_with_its_deadline(agent_client):
    due = timezone.now() - datetime.timedelta(hours=3)
    case = CaseFactory(status=S.AWAITING_INFO, due_at=due)
    html = change_page(agent_client, case)
    top = html.split("data-next-step")[1].split("</section>")[0]
    assert "The customer sends what is still missing: Return shipment and Shipping address." in top
    assert f"Overdue since {date_format(timezone.localtime(due), 'DATETIME_FORMAT')}" in top
    # Above the case's own fields.
    assert html.index("data-next-step") < html.index("field-number")


def test_the_customer_panel_names_their_language_and_their_other_cases(agent_client):
    case = CaseFactory(status=S.DISAGREED)
    case.customer.full_name = "Dana Demo"
    case.customer.language = "ja"
    case.customer.save()
    others = [CaseFactory(customer=case.customer, status=S.COMPLETED) for _ in range(7)]
    CaseFactory(status=S.COMPLETED)  # someone else's
    html = change_page(agent_client, case)
    panel = html.split("data-customer")[1].split("</section>")[0]
    assert "Dana Demo" in panel and case.customer.email in panel
    assert "日本語: write the note to the customer in it" in panel
    assert "7 other cases" in text_of(panel)
    shown = re.findall(r'data-rma="([^"]+)"', panel)
    assert shown == [other.number for other in reversed(others)][:5]
    assert f"?q={case.customer.email.replace('@', '%40')}" in panel


def test_the_required_information_shows_what_was_sent_with_its_pictures(agent_client):
    case = every_part_in(CaseFactory(status=S.UNDER_REVIEW))
    html = change_page(agent_client, case)
    parts = html.split('id="case-parts-title"')[1].split("</section>")[0]
    assert 'data-part="return"' in parts and 'data-part="address"' in parts
    assert "1Z999AA10123456784" in parts
    assert parts.count('class="rma-thumbnail"') == 2
    assert "/return/files/label_photo/image/" in parts
    assert "/return/files/label_photo/thumbnail/" in parts


def test_a_part_not_sent_yet_is_its_title_and_state_only():
    case = CaseFactory(status=S.AWAITING_INFO)
    sections = part_sections(site, case)
    assert [(part.key, part.state) for part, _review in sections] == [
        ("return", "to_do"),
        ("address", "to_do"),
    ]
    assert all(not review.details and not review.images for _part, review in sections)


def test_the_history_says_who_on_whose_behalf_what_and_when(agent_client, agent):
    case = CaseFactory(status=S.PROCESSING)
    when = timezone.now() - datetime.timedelta(days=1)
    CaseEventFactory(
        case=case,
        actor=agent,
        actor_role=Role.AGENT,
        on_behalf=True,
        action=Action.AGREE,
        from_status=S.PENDING_CONFIRM,
        to_status=S.PROCESSING,
        comment="The customer agreed on the phone.",
        data={"channel": "phone"},
        ip="203.0.113.7",
        created_at=when,
    )
    html = change_page(agent_client, case)
    history = html.split('class="inline-group case-timeline"')[1]
    event = text_of(history.split('data-action="agree"')[1].split("</li>")[0])
    assert "Agree" in event and "Pending confirmation → Processing" in event
    assert f"Agnes Agent (Warranty agent) on behalf of {case.customer.email}" in event
    assert date_format(timezone.localtime(when), "DATETIME_FORMAT") in event
    assert "The customer agreed on the phone." in event
    # The data the event carried, folded away.
    details = history.split('data-action="agree"')[1].split("</details>")[0]
    assert "<details" in details and "channel" in details and "203.0.113.7" in details
    assert "<table" not in history.split("</section>")[0]


def test_the_reply_box_follows_the_conversation(agent_client):
    case = CaseFactory(status=S.PENDING_CONFIRM)
    CaseMessageFactory(case=case, body="Is there any news?")
    html = change_page(agent_client, case)
    assert html.index("Is there any news?") < html.index('id="id_reply_to_customer"')
    assert html.index('id="id_reply_to_customer"') < html.index('class="inline-group case-timeline"')


def test_the_new_case_page_asks_for_the_case_and_its_items_only(agent_client):
    html = agent_client.get(f"{LIST}add/").content.decode()
    assert 'id="items-group"' in html
    assert "case-timeline" not in html and "case-messages" not in html


def test_the_list_and_the_case_page_write_dates_the_admins_one_way(agent_client, settings):
    settings.TIME_ZONE = "UTC"
    due = datetime.datetime(2026, 12, 14, 15, 30, tzinfo=datetime.UTC)
    created = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    case = CaseFactory(status=S.PENDING_CONFIRM, due_at=due, created_at=created)
    listing = agent_client.get(LIST).content.decode()
    assert "Dec. 14, 2026, 3:30 p.m." in listing  # due
    assert "Dec. 1, 2026, 9 a.m." in listing  # created
    assert "12/14/2026" not in listing
    page = change_page(agent_client, case)
    assert "Dec. 14, 2026, 3:30 p.m." in page and "12/14/2026" not in page


def test_the_case_page_with_every_part_in_costs_a_fixed_number_of_queries(
    agent_client, django_assert_max_num_queries
):
    case = every_part_in(CaseFactory(status=S.UNDER_REVIEW, payment_due=True, item=None))
    CaseItemFactory.create_batch(3, case=case)
    CaseMessageFactory.create_batch(3, case=case)
    for _ in range(3):
        CaseEventFactory(
            case=case, actor=case.customer, actor_role=Role.CUSTOMER, action=Action.RETURN_SUBMIT
        )
    change_page(agent_client, case)  # warms the session and permission caches
    # The page without parts (test_admin_list_scale) plus what the review of each part reads:
    # the same whatever the number of items, messages and events; one more for the team's
    # list in the assigned-agent field. Each part is read with the case, and an identifier used
    # on another case is looked up once for the review and the risk signals; one more for the
    # customer's claim behind the case, if any.
    with django_assert_max_num_queries(21):
        change_page(agent_client, case)


def test_the_browser_tests_agent_has_the_permissions_the_migrations_give_agents():
    granted = set(
        Group.objects.get(name="Warranty agents").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert set(AGENT_PERMISSIONS) <= granted

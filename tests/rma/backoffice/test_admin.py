"""The warranty team's admin: creating cases, finding them, and one button per transition."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from rma.cases.models import Action, Case, CaseEvent, CaseMessage, Role
from tests.factories import CaseFactory, CaseItemFactory, CustomerFactory, StaffFactory, WarehouseFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db

S = Case.Status


def _form_defaults(html: str) -> dict:
    """The hidden inputs of an admin form (inline management forms), as a browser sends them."""
    data = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and kind and kind.group(1) == "hidden":
            data[name.group(1)] = value.group(1) if value else ""
    return data


def _change_url(case) -> str:
    return f"/admin/rma/case/{case.pk}/change/"


def _action_url(case, action) -> str:
    return f"/admin/rma/case/{case.pk}/action/{action}/"


# --- Creating a case ---------------------------------------------------------------------------


def _resend_case_data(agent_client, email: str) -> dict:
    data = _form_defaults(agent_client.get("/admin/rma/case/add/").content.decode())
    data.update(
        {
            "customer_email": email,
            "solution_type": "resend",
            "country": "US",
            "items-TOTAL_FORMS": "1",
            "items-0-product_model": "Lumus",
            "items-0-serial_number": "SN9",
            "items-0-quantity": "1",
            "items-0-kit_scope": "single_unit",
            "items-0-purchase_date": "2025-06-01",
            "items-0-condition": "new",
            "items-0-purchase_channel": "official_store",
        }
    )
    return data


def test_an_agent_creates_a_case_for_a_new_customer_by_email_with_items(agent, agent_client):
    warehouse = WarehouseFactory()
    page = agent_client.get("/admin/rma/case/add/")
    assert page.status_code == 200
    data = _form_defaults(page.content.decode())
    data.update(
        {
            "customer_email": "Brand.New@Example.com",
            "new_customer": "on",
            "solution_type": "replacement",
            "return_required": "on",
            "warehouse": warehouse.pk,
            "country": "fr",
            "items-TOTAL_FORMS": "2",
            "items-0-product_model": "Argus 4",
            "items-0-serial_number": "SN0001",
            "items-0-quantity": "1",
            "items-0-kit_scope": "single_unit",
            "items-0-purchase_date": "2025-06-01",
            "items-0-condition": "new",
            "items-0-purchase_channel": "official_store",
            "items-1-product_model": "NVR RLN8",
            "items-1-uid": "UID0002",
            "items-1-quantity": "1",
            "items-1-kit_scope": "whole_kit",
            "items-1-purchase_date": "2025-06-01",
            "items-1-condition": "new",
            "items-1-purchase_channel": "official_store",
        }
    )
    response = agent_client.post("/admin/rma/case/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.customer.email == "Brand.New@example.com"  # the domain is normalised
    assert not case.customer.has_usable_password() and not case.customer.is_staff
    assert case.status == S.DRAFT and case.country == "FR"
    assert re.fullmatch(r"RMA-\d{4}-000001", case.number)
    assert sorted(case.items.values_list("product_model", flat=True)) == ["Argus 4", "NVR RLN8"]
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.actor, event.ip) == (Action.CREATE, agent, "127.0.0.1")


def test_an_existing_customer_is_reused_whatever_the_case_of_the_address(agent_client):
    customer = CustomerFactory(email="known@example.com")
    data = _resend_case_data(agent_client, "KNOWN@example.com")
    assert agent_client.post("/admin/rma/case/add/", data).status_code == 302
    assert Case.objects.get().customer == customer


def test_an_unknown_address_asks_the_agent_to_confirm_a_new_customer_and_names_similar_ones(agent_client):
    CustomerFactory(email="john.smith@gmail.com")
    CustomerFactory(email="jane.doe@gmail.com")
    data = _resend_case_data(agent_client, "john.smith@gmial.com")

    response = agent_client.post("/admin/rma/case/add/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "No customer has this address yet." in html
    assert "john.smith@gmail.com" in html
    assert "jane.doe@gmail.com" not in html
    assert not Case.objects.exists()
    assert not User.objects.filter(email__iexact="john.smith@gmial.com").exists()
    # What the agent typed is kept, and ticking the box creates the customer.
    assert 'value="john.smith@gmial.com"' in html
    data["new_customer"] = "on"
    assert agent_client.post("/admin/rma/case/add/", data).status_code == 302
    assert Case.objects.get().customer.email == "john.smith@gmial.com"


def test_similar_addresses_are_customers_only_and_never_the_address_itself(agent_client):
    CustomerFactory(email="sam@shop.example")
    CustomerFactory(email="sam@other.example")
    StaffFactory(email="sam@staff.example")

    alike = list(User.objects.customers_like("SAM@shop.example").values_list("email", flat=True))
    assert alike == ["sam@other.example"]
    assert list(User.objects.customers_like("not-an-address")) == []


def test_an_item_needs_a_serial_or_uid_in_the_admin_form(agent_client):
    data = _resend_case_data(agent_client, "x@example.com")
    del data["items-0-serial_number"]
    response = agent_client.post("/admin/rma/case/add/", data)
    assert response.status_code == 200
    assert "Give the S/N or the UID" in response.content.decode()
    assert not Case.objects.exists()


# --- Finding cases -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["number", "email", "serial", "uid"])
def test_the_case_list_searches_by_number_email_serial_and_uid(agent_client, field):
    wanted = CaseFactory(item=None, customer=CustomerFactory(email="findme@example.com"))
    CaseItemFactory(case=wanted, serial_number="SNFIND42", uid="UIDFIND42")
    other = CaseFactory()
    query = {
        "number": wanted.number,
        "email": "findme@",
        "serial": "SNFIND42",
        "uid": "UIDFIND42",
    }[field]
    html = agent_client.get("/admin/rma/case/", {"q": query}).content.decode()
    assert wanted.number in html
    assert other.number not in html


def test_the_case_list_filters_and_keeps_its_query_count(agent_client, django_assert_max_num_queries):
    agent_user = StaffFactory(groups=["Warranty agents"])
    for _ in range(30):
        CaseFactory(assigned_agent=agent_user)
    refund = CaseFactory(refund=True, status=S.PROCESSING)
    html = agent_client.get(
        "/admin/rma/case/", {"status__exact": "processing", "solution_type__exact": "refund"}
    ).content.decode()
    assert refund.number in html
    assert html.count('class="field-number"') == 1
    with django_assert_max_num_queries(20):
        response = agent_client.get("/admin/rma/case/")
    assert response.content.decode().count('class="field-number"') == 31


def test_the_case_list_offers_the_filters(agent_client):
    WarehouseFactory.create_batch(2)
    html = agent_client.get("/admin/rma/case/").content.decode()
    for parameter in ("status__exact", "solution_type__exact", "warehouse__id__exact"):
        assert parameter in html


# --- The change page -----------------------------------------------------------------------------


def test_the_events_are_shown_read_only(agent, agent_client):
    case = CaseFactory(status=S.PENDING_CONFIRM)
    CaseEvent.objects.create(
        case=case, actor=agent, actor_role=Role.AGENT, action=Action.PUBLISH, comment="hi"
    )
    html = agent_client.get(_change_url(case)).content.decode()
    assert "Publish to the customer" in html
    assert 'name="events-0-comment"' not in html
    assert 'name="events-0-DELETE"' not in html


def test_the_solution_is_read_only_once_the_customer_sees_it(agent_client):
    draft = CaseFactory(status=S.DRAFT)
    published = CaseFactory(status=S.PENDING_CONFIRM)
    assert 'name="solution_type"' in agent_client.get(_change_url(draft)).content.decode()
    html = agent_client.get(_change_url(published)).content.decode()
    assert 'name="solution_type"' not in html
    assert 'name="agent_notes"' in html


def test_an_agent_replies_to_the_customer_from_the_change_page(agent, agent_client):
    case = CaseFactory(status=S.PROCESSING)
    data = _form_defaults(agent_client.get(_change_url(case)).content.decode())
    data.update({"agent_notes": "", "reply_to_customer": "We shipped it this morning."})
    response = agent_client.post(_change_url(case), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    message = CaseMessage.objects.get(case=case)
    assert (message.author, message.sender, message.body) == (agent, "team", "We shipped it this morning.")


def test_cases_cannot_be_deleted(agent_client, supervisor_client):
    case = CaseFactory()
    assert agent_client.post(f"/admin/rma/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert supervisor_client.post(f"/admin/rma/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


# --- One button per transition ------------------------------------------------------------------

# (status, action, who, form data, status reached, on the customer's behalf)
ADMIN_ACTIONS = [
    (S.DRAFT, Action.SUBMIT_FOR_APPROVAL, "agent", {}, S.PENDING_APPROVAL, False),
    (S.DRAFT, Action.PUBLISH, "agent", {}, S.PENDING_CONFIRM, False),
    (S.PENDING_APPROVAL, Action.APPROVE, "supervisor", {}, S.PENDING_CONFIRM, False),
    (S.PENDING_APPROVAL, Action.SEND_BACK, "supervisor", {"comment": "Wrong warehouse"}, S.DRAFT, False),
    (S.PENDING_CONFIRM, Action.AGREE, "agent", {"comment": "Confirmed by email"}, S.AWAITING_INFO, True),
    (S.PENDING_CONFIRM, Action.DISAGREE, "agent", {"comment": "Wants a refund"}, S.DISAGREED, True),
    (S.DISAGREED, Action.REVISE, "agent", {}, S.PENDING_CONFIRM, False),
    (S.DISAGREED, Action.CANCEL, "agent", {"comment": "Customer withdrew"}, S.CANCELLED, False),
    (S.UNDER_REVIEW, Action.ACCEPT, "agent", {}, S.PROCESSING, False),
    (S.UNDER_REVIEW, Action.REQUEST_INFO, "agent", {"comment": "Blurred label"}, S.AWAITING_INFO, False),
    (
        S.PROCESSING,
        Action.COMPLETE,
        "agent",
        {"outbound_carrier": "UPS", "outbound_tracking_number": "1Z12345"},
        S.COMPLETED,
        False,
    ),
]


@pytest.mark.parametrize(("status", "action", "who", "data", "target", "on_behalf"), ADMIN_ACTIONS)
def test_each_transition_button_calls_its_service(
    request, status, action, who, data, target, on_behalf, django_capture_on_commit_callbacks
):
    staff_client = request.getfixturevalue(f"{who}_client")
    staff = request.getfixturevalue(who)
    case = CaseFactory(status=status)
    change_page = staff_client.get(_change_url(case)).content.decode()
    assert f'data-action="{action}"' in change_page
    confirm_page = staff_client.get(_action_url(case, action))
    assert confirm_page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_action_url(case, action), data)
    assert response.status_code == 302
    assert response["Location"] == _change_url(case)
    case.refresh_from_db()
    assert case.status == target
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.actor, event.on_behalf) == (action, staff, on_behalf)
    assert event.comment == data.get("comment", "")


def test_there_is_no_button_to_mark_the_information_complete_and_posting_it_changes_nothing(
    agent_client, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=S.AWAITING_INFO)  # a return is needed and nothing was sent
    assert 'data-action="mark_info_complete"' not in agent_client.get(_change_url(case)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(_action_url(case, Action.MARK_INFO_COMPLETE), {})
    case.refresh_from_db()
    assert case.status == S.AWAITING_INFO
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize("action", [Action.APPROVE, Action.SEND_BACK])
def test_only_supervisors_approve_or_send_back(agent_client, action):
    case = CaseFactory(status=S.PENDING_APPROVAL)
    assert f'data-action="{action}"' not in agent_client.get(_change_url(case)).content.decode()
    assert agent_client.get(_action_url(case, action)).status_code == 403
    assert agent_client.post(_action_url(case, action), {"comment": "ok"}).status_code == 403
    case.refresh_from_db()
    assert case.status == S.PENDING_APPROVAL
    assert not CaseEvent.objects.exists()


def test_staff_outside_the_warranty_groups_cannot_take_any_step():
    outsider = StaffFactory()
    client = staff_client_for(outsider)
    case = CaseFactory(status=S.DRAFT)
    assert client.post(_action_url(case, Action.PUBLISH)).status_code == 403
    case.refresh_from_db()
    assert case.status == S.DRAFT


def test_a_button_for_another_status_changes_nothing_and_says_why(agent_client):
    case = CaseFactory(status=S.PROCESSING)
    response = agent_client.post(_action_url(case, Action.PUBLISH), follow=True)
    assert "Nothing was changed" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.PROCESSING
    assert not CaseEvent.objects.exists()


def test_an_unknown_action_is_a_404(agent_client):
    case = CaseFactory()
    assert agent_client.get(_action_url(case, "explode")).status_code == 404


def test_disagreeing_on_behalf_needs_a_comment(agent_client):
    case = CaseFactory(status=S.PENDING_CONFIRM)
    response = agent_client.post(_action_url(case, Action.DISAGREE), {"comment": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM


def test_a_step_taken_on_behalf_shows_on_the_customers_timeline(agent_client, customer):
    from django.test import Client

    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)
    agent_client.post(_action_url(case, Action.AGREE), {"comment": "Customer confirmed by phone"})
    customer_client = Client()
    customer_client.force_login(customer)
    html = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert "The solution was confirmed." in html
    assert "Done by the warranty team on your behalf." in html


def test_a_stale_button_reports_the_refusal(agent_client):
    case = CaseFactory(status=S.DRAFT)
    agent_client.post(_action_url(case, Action.PUBLISH))
    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM
    # A second tab still showing the draft: refused with a message, nothing changes.
    response = agent_client.post(_action_url(case, Action.PUBLISH), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_agent_revises_a_disagreed_solution_and_the_customer_sees_it_again(agent_client, customer):
    from django.test import Client

    case = CaseFactory(customer=customer, status=S.DISAGREED)
    data = _form_defaults(agent_client.get(_change_url(case)).content.decode())
    data.update(
        {
            "solution_type": "refund",
            "refund_amount": "80.00",
            "refund_currency": "usd",
            "return_required": "on",
            "warehouse": case.warehouse_id,
            "country": "US",
            "agent_notes": "",
        }
    )
    for key in [k for k in data if k.startswith("items-0-")]:
        data.setdefault(key, "")
    item = case.items.get()
    data.update(
        {
            "items-0-id": item.pk,
            "items-0-case": case.pk,
            "items-0-product_model": item.product_model,
            "items-0-serial_number": item.serial_number,
            "items-0-quantity": "1",
            "items-0-kit_scope": "single_unit",
            # Bought within the refund rule's 30 days: the refund goes straight to the customer.
            "items-0-purchase_date": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
            "items-0-condition": "new",
            "items-0-purchase_channel": "official_store",
        }
    )
    assert agent_client.post(_change_url(case), data).status_code == 302
    agent_client.post(_action_url(case, Action.REVISE), {"comment": "A refund, as you asked"})
    case.refresh_from_db()
    assert (case.status, case.solution_type, case.revision) == (S.PENDING_CONFIRM, "refund", 1)
    customer_client = Client()
    customer_client.force_login(customer)
    response = customer_client.get("/rma/?status=pending_confirm")
    assert f'data-rma="{case.number}" data-status="pending_confirm"' in response.content.decode()
    detail = customer_client.get(f"/rma/{case.number}/").content.decode()
    assert "We refund you 80.00 USD." in detail
    assert "A refund, as you asked" in detail


def test_the_change_page_offers_no_link_to_the_customers_page(agent_client):
    case = CaseFactory()
    html = agent_client.get(_change_url(case)).content.decode()
    assert "viewsitelink" not in html


def test_a_case_an_agent_creates_is_assigned_to_them(agent):
    from rma.cases.editing import case_create

    template = CaseFactory()
    new = CaseFactory.build(customer=template.customer, warehouse=template.warehouse, number="")
    case = case_create(case=new, actor=agent)
    assert Case.objects.get(pk=case.pk).assigned_agent == agent


def test_publish_is_not_offered_on_a_draft_that_needs_approval(agent_client):
    draft = CaseFactory(status=S.DRAFT, needs_approval=True)
    page = agent_client.get(_change_url(draft)).content.decode()
    assert 'data-action="publish"' not in page
    assert 'data-action="submit_for_approval"' in page


def test_complete_with_parts_missing_names_them_and_says_what_to_do(agent_client):
    case = CaseFactory(status=S.AWAITING_INFO, payment_due=True)  # return, payment and address missing
    data = {"outbound_carrier": "UPS", "outbound_tracking_number": "1Z12345", "seen_status": S.AWAITING_INFO}

    for response in (
        agent_client.get(_action_url(case, Action.COMPLETE), follow=True),
        agent_client.post(_action_url(case, Action.COMPLETE), data, follow=True),
    ):
        page = response.content.decode()
        assert "still waits for: Return shipment, Payment proof, and Shipping address" in page
        assert "Enter what is missing for the customer or waive it" in page
        assert "no longer possible" not in page
    case.refresh_from_db()
    assert case.status == S.AWAITING_INFO
    assert not CaseEvent.objects.filter(case=case).exists()


def test_complete_on_a_case_someone_moved_since_the_page_opened_says_it_was_moved(agent_client):
    case = CaseFactory(status=S.PROCESSING)
    confirm = agent_client.get(_action_url(case, Action.COMPLETE)).content.decode()
    assert 'name="seen_status" value="processing"' in confirm
    Case.objects.filter(pk=case.pk).update(status=S.COMPLETED)

    response = agent_client.post(
        _action_url(case, Action.COMPLETE),
        {"outbound_carrier": "UPS", "outbound_tracking_number": "1Z12345", "seen_status": S.PROCESSING},
        follow=True,
    )

    page = response.content.decode()
    assert "was moved to “Completed” after you opened it" in page
    assert not CaseEvent.objects.filter(case=case).exists()


def test_the_service_tells_a_concurrent_change_from_an_action_not_open_in_the_status(agent):
    from rma.cases.services import case_complete
    from rma.cases.workflow import CaseStatusError

    seen = CaseFactory(status=S.PROCESSING)
    Case.objects.filter(pk=seen.pk).update(status=S.COMPLETED)
    with pytest.raises(CaseStatusError, match="after you opened it") as moved:
        case_complete(case=seen, actor=agent, outbound_carrier="UPS", outbound_tracking_number="1Z1")
    assert moved.value.moved

    waiting = CaseFactory(status=S.AWAITING_INFO)
    with pytest.raises(CaseStatusError, match="is not possible while") as not_open:
        case_complete(case=waiting, actor=agent, outbound_carrier="UPS", outbound_tracking_number="1Z1")
    assert not not_open.value.moved

"""The warranty in the case's admin: products and registrations behind the verdict, the
team's override as an event, and the refund rule shown when a refund is chosen."""

import datetime

import pytest
from django.utils import timezone

from rma.cases.editing import case_items_save
from rma.cases.models import Action, Case, CaseEvent, CaseItem, Product, Registration
from tests.factories import CaseFactory, CaseItemFactory
from tests.rma.backoffice.admin_forms import change_form_values

pytestmark = pytest.mark.django_db
D = datetime.date


def change_url(case) -> str:
    return f"/admin/rma/case/{case.pk}/change/"


def draft_with_item(**item_fields):
    case = CaseFactory(status=Case.Status.DRAFT, item=None)
    item = CaseItemFactory(case=case, purchase_date=D(2025, 3, 10), **item_fields)
    return case, item


def submit(client, case, **changes):
    data = change_form_values(client.get(change_url(case)).content.decode())
    data.update({key: str(value) for key, value in changes.items()})
    return client.post(change_url(case), data)


# --- The override, as an event -------------------------------------------------------------


def test_an_override_writes_an_event_with_the_warranty_before_and_after(agent, agent_client):
    case, item = draft_with_item()

    response = submit(
        agent_client,
        case,
        **{"items-0-warranty_override_until": "2028-01-31", "items-0-warranty_override_reason": "Goodwill"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = CaseEvent.objects.get(case=case, action=Action.WARRANTY_OVERRIDE)
    assert (event.actor, event.comment) == (agent, "Goodwill")
    assert event.data["before"] == {"ends_on": "2027-03-10", "override_until": "", "reason": ""}
    assert event.data["after"] == {
        "ends_on": "2028-01-31",
        "override_until": "2028-01-31",
        "reason": "Goodwill",
    }
    assert event.from_status == event.to_status == Case.Status.DRAFT


def test_giving_the_warranty_back_to_the_policy_is_an_event_too(agent):
    case, item = draft_with_item(warranty_override_until=D(2028, 1, 31), warranty_override_reason="Goodwill")
    item.warranty_override_until, item.warranty_override_reason = None, ""

    case_items_save(case=case, actor=agent, saved=[item])

    event = CaseEvent.objects.get(case=case, action=Action.WARRANTY_OVERRIDE)
    assert event.data["before"]["override_until"] == "2028-01-31"
    assert event.data["after"] == {"ends_on": "2027-03-10", "override_until": "", "reason": ""}


def test_editing_an_item_without_touching_the_override_writes_no_override_event(agent):
    case, item = draft_with_item()
    item.quantity = 2
    case_items_save(case=case, actor=agent, saved=[item])
    assert not CaseEvent.objects.filter(case=case, action=Action.WARRANTY_OVERRIDE).exists()


def test_an_override_without_a_reason_is_refused_with_a_clear_message(agent_client):
    case, item = draft_with_item()

    response = submit(agent_client, case, **{"items-0-warranty_override_until": "2028-01-31"})

    assert response.status_code == 200
    assert "Say why the warranty is set by hand: it is shown with it." in response.content.decode()
    item.refresh_from_db()
    assert item.warranty_override_until is None
    assert not CaseEvent.objects.filter(case=case, action=Action.WARRANTY_OVERRIDE).exists()


def test_a_reason_without_a_date_is_refused_too(agent_client):
    case, _item = draft_with_item()
    response = submit(agent_client, case, **{"items-0-warranty_override_reason": "Goodwill"})
    assert response.status_code == 200
    assert "Give the last day of the warranty you set by hand" in response.content.decode()


# --- Products and registrations ------------------------------------------------------------


def test_an_item_linked_to_a_refurbished_product_takes_its_condition(agent_client):
    product = Product.objects.create(model_name="Argus 3 Pro", category="camera", condition="refurbished")
    case, item = draft_with_item(condition="new", product_model="typed")

    response = submit(agent_client, case, **{"items-0-product": product.pk})

    assert response.status_code == 302, response.content.decode()[:2000]
    item = CaseItem.objects.get(pk=item.pk)
    assert item.product_model == "Argus 3 Pro"
    assert item.warranty_ends == D(2026, 3, 10)
    assert "Certified refurbished" in agent_client.get(change_url(case)).content.decode()


def test_the_registration_is_found_by_the_serial_number(agent_client):
    product = Product.objects.create(model_name="E1 Zoom", category="camera")
    Registration.objects.create(
        product=product, serial_number="E1Z00000771", registered_on=D(2025, 4, 1), email="a@example.com"
    )
    case, item = draft_with_item(product=product, product_model="E1 Zoom", serial_number="e1z00000771")

    assert CaseItem.objects.with_warranty_facts().get(pk=item.pk).warranty_ends == D(2027, 9, 10)
    page = agent_client.get(change_url(case)).content.decode()
    assert "registered on" in page


def test_an_item_of_another_product_does_not_take_a_registration_of_the_same_number():
    lumus, argus = Product.objects.create(model_name="Lumus"), Product.objects.create(model_name="Argus")
    Registration.objects.create(
        product=lumus, serial_number="SN1", registered_on=D(2025, 4, 1), email="a@b.c"
    )
    _case, item = draft_with_item(product=argus, serial_number="SN1")
    assert CaseItem.objects.with_warranty_facts().get(pk=item.pk).warranty_ends == D(2027, 3, 10)


def test_an_item_without_a_product_keeps_its_own_condition_and_registration_date():
    _case, item = draft_with_item(condition="refurbished", registered_on=D(2025, 4, 1))
    assert CaseItem.objects.get(pk=item.pk).warranty_ends == D(2026, 9, 10)


def test_the_registrations_of_a_case_page_are_read_in_one_query(django_assert_num_queries):
    product = Product.objects.create(model_name="Go Plus")
    case = CaseFactory(item=None)
    for index in range(5):
        serial = f"GP{index}"
        CaseItemFactory(case=case, product=product, serial_number=serial, purchase_date=D(2025, 3, 10))
        Registration.objects.create(
            product=product, serial_number=serial, registered_on=D(2025, 4, 1), email="x@y.z"
        )
    with django_assert_num_queries(2):  # the items with their products, their registrations
        items = list(case.items.with_warranty_facts())
        ends = {item.warranty_ends for item in items}
    assert ends == {D(2027, 9, 10)}


def test_the_team_manages_products_and_registrations_in_the_admin(supervisor_client, agent_client):
    response = supervisor_client.post(
        "/admin/rma/product/add/", {"model_name": "Argus 4 Pro", "category": "camera", "condition": "new"}
    )
    assert response.status_code == 302
    product = Product.objects.get()
    response = agent_client.post(
        "/admin/rma/registration/add/",
        {
            "product": product.pk,
            "serial_number": " arg4p0000301 ",
            "registered_on": "2025-05-01",
            "email": "owner@example.com",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration = Registration.objects.get()
    assert registration.serial_number == "ARG4P0000301"
    assert registration.customer is None  # the address is nobody's account
    assert agent_client.get("/admin/rma/product/add/").status_code == 403


# --- Refund eligibility, shown when a refund is chosen ----------------------------------------


def test_the_case_page_says_which_items_cannot_be_refunded(agent_client):
    case = CaseFactory(status=Case.Status.DRAFT, item=None, refund=True)
    today = timezone.localdate()
    CaseItemFactory(
        case=case,
        product_model="Late",
        purchase_date=today - datetime.timedelta(days=45),
        purchase_channel="official_store",
    )
    CaseItemFactory(
        case=case,
        product_model="Shop",
        purchase_date=today - datetime.timedelta(days=5),
        purchase_channel="reseller",
    )
    CaseItemFactory(
        case=case,
        product_model="Fine",
        purchase_date=today - datetime.timedelta(days=5),
        purchase_channel="official_store",
    )

    page = agent_client.get(change_url(case)).content.decode()

    assert 'data-refund="no"' in page
    assert "No refund: bought 45 days ago, more than 30." in page
    assert "No refund: not bought from the official store." in page
    assert "Fine (" not in page.split('data-refund="no"')[1].split("</ul>")[0]


def test_choosing_a_refund_for_an_item_outside_the_rule_warns_the_agent(agent_client):
    case, _item = draft_with_item(purchase_channel="reseller")

    response = submit(
        agent_client, case, solution_type="refund", refund_amount="59.99", refund_currency="USD"
    )

    assert response.status_code == 302
    page = agent_client.get(response["Location"]).content.decode()
    assert "This solution goes against the warranty policy" in page
    assert "not bought from the official store" in page
    assert "Give the exception reason" in page
    # Saved as a draft; it reaches the customer only with a reason, through a supervisor.
    assert Case.objects.get(pk=case.pk).solution_type == "refund"


def test_a_refund_within_the_rule_says_so(agent_client):
    case = CaseFactory(status=Case.Status.DRAFT, item=None, refund=True)
    CaseItemFactory(case=case, purchase_date=timezone.localdate(), purchase_channel="official_store")
    page = agent_client.get(change_url(case)).content.decode()
    assert 'data-refund="yes"' in page


def test_a_registration_is_tied_to_the_customer_with_its_address(agent_client):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(email="owner@example.com")
    product = Product.objects.create(model_name="Duo 2 WiFi")
    response = agent_client.post(
        "/admin/rma/registration/add/",
        {
            "product": product.pk,
            "serial_number": "DUO2",
            "registered_on": "2025-05-01",
            "email": "OWNER@example.com",
        },
    )
    assert response.status_code == 302
    assert Registration.objects.get().customer == customer


def test_the_refund_rule_is_not_shown_for_a_replacement(agent_client):
    case, _item = draft_with_item(purchase_channel="reseller")
    assert "data-refund=" not in agent_client.get(change_url(case)).content.decode()

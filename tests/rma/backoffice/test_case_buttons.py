"""The buttons on a case's admin page: each is shown only to someone allowed to use it in the
case's state, and each one shown leads to a page that lets them use it."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from payments.models import PartState, SupplementaryPayment
from rma.cases.models import Case
from tests.factories import CaseFactory, StaffFactory
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db
S = Case.Status


def buttons(client, case) -> set[str]:
    """The object tools of the case page, by their kind."""
    html = client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    found = set()
    for marker, name in (
        ("rma-send-invoice", "invoice"),
        ("rma-review-link", "review"),
        ("rma-waive", "waive"),
        ("rma-part-entry", "enter part"),
    ):
        if f'class="{marker}"' in html:
            found.add(name)
    for action in (
        "submit_for_approval",
        "publish",
        "approve",
        "send_back",
        "agree",
        "disagree",
        "revise",
        "cancel",
        "accept",
        "request_info",
        "complete",
        "mark_info_complete",
    ):
        if f'data-action="{action}"' in html:
            found.add(action)
    return found


@pytest.fixture
def viewer():
    """Staff who may read cases but change nothing."""
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_case"))
    return staff_client_for(user)


def awaiting_payment():
    return CaseFactory(status=S.AWAITING_INFO, payment_due=True, return_required=False, warehouse=None)


# (what, how the case is made, buttons the agent sees, buttons the supervisor sees)
CASES = [
    ("draft", lambda: CaseFactory(status=S.DRAFT), {"submit_for_approval", "publish"},
     {"submit_for_approval", "publish"}),
    (
        "draft that needs approval",
        lambda: CaseFactory(status=S.DRAFT, needs_approval=True),
        {"submit_for_approval"},
        {"submit_for_approval"},
    ),
    ("pending approval", lambda: CaseFactory(status=S.PENDING_APPROVAL), set(), {"approve", "send_back"}),
    ("pending confirmation", lambda: CaseFactory(status=S.PENDING_CONFIRM), {"agree", "disagree"},
     {"agree", "disagree"}),
    ("disagreed", lambda: CaseFactory(status=S.DISAGREED), {"revise", "cancel"}, {"revise", "cancel"}),
    (
        "awaiting the payment proof",
        awaiting_payment,
        {"invoice", "enter part", "waive"},
        {"invoice", "enter part", "waive"},
    ),
    ("under review", lambda: CaseFactory(status=S.UNDER_REVIEW), {"review", "accept", "request_info"},
     {"review", "accept", "request_info"}),
    ("processing", lambda: CaseFactory(status=S.PROCESSING), {"complete"}, {"complete"}),
    ("completed", lambda: CaseFactory(status=S.COMPLETED), set(), set()),
    ("cancelled", lambda: CaseFactory(status=S.CANCELLED), set(), set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "make", "for_agent", "for_supervisor"), CASES, ids=[row[0] for row in CASES]
)
def test_each_role_sees_the_buttons_it_may_use_in_the_state(
    what, make, for_agent, for_supervisor, agent_client, supervisor_client, viewer
):
    case = make()
    assert buttons(agent_client, case) == for_agent
    assert buttons(supervisor_client, case) == for_supervisor
    assert buttons(viewer, case) == set()


def test_no_invoice_button_once_the_payment_proof_is_in(agent_client):
    case = CaseFactory(status=S.AWAITING_INFO, payment_due=True)  # a return is still awaited
    SupplementaryPayment.objects.create(
        case=case,
        amount=case.payment_amount,
        currency="USD",
        receiving_account="payments@example.com",
        state=PartState.SUBMITTED,
        transaction_number="5TY05013RG002845M",
    )
    assert buttons(agent_client, case) == {"enter part", "waive"}


@pytest.mark.parametrize(
    ("make", "url_name", "extra"),
    [
        (lambda: CaseFactory(status=S.PENDING_APPROVAL), "admin:rma_case_transition", ["approve"]),
        (awaiting_payment, "admin:payments_send_invoice", []),
        (lambda: CaseFactory(status=S.UNDER_REVIEW), "admin:rma_case_review", []),
    ],
)
def test_a_hidden_button_is_refused_when_its_address_is_typed(make, url_name, extra, viewer):
    case = make()
    assert viewer.get(reverse(url_name, args=[case.pk, *extra])).status_code == 403


def test_an_agent_typing_the_approve_address_is_refused(agent_client):
    case = CaseFactory(status=S.PENDING_APPROVAL)
    assert (
        agent_client.get(reverse("admin:rma_case_transition", args=[case.pk, "approve"])).status_code == 403
    )


@pytest.mark.parametrize("role", ["agent_client", "supervisor_client"])
def test_waive_a_part_opens_for_agent_and_supervisor(role, request):
    """The "Waive a part" button leads to its form, with the parts still missing to choose from."""
    client = request.getfixturevalue(role)
    case = awaiting_payment()

    response = client.get(reverse("admin:rma_case_waive", args=[case.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page
    assert 'value="payment"' in page
    assert "Waive the part" in page


def test_an_agent_can_choose_the_assigned_agent_from_the_team(agent_client, agent):
    """The assigned-agent field lists the active staff itself: agents may not read user
    accounts, so an autocomplete answered them 403 and offered nobody."""
    case = CaseFactory(status=S.AWAITING_INFO)
    colleague = StaffFactory(email="colleague@example.com")
    StaffFactory(email="former@example.com", is_active=False)

    page = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()

    field = page.split('name="assigned_agent"', 1)[1].split("</select>", 1)[0]
    assert f'value="{agent.pk}"' in field
    assert f'value="{colleague.pk}"' in field
    assert "former@example.com" not in field


def test_an_agent_opens_the_customer_account_a_case_links_to_but_no_staff_account(agent_client, agent):
    """Registrations, addresses and parts link their customer to the account page: the team
    may read a customer's account, never a colleague's, and changes neither."""
    case = CaseFactory(status=S.AWAITING_INFO)
    customer_page = agent_client.get(f"/admin/accounts/user/{case.customer.pk}/change/")
    colleague = StaffFactory(email="colleague@example.com")

    assert customer_page.status_code == 200
    assert case.customer.email in customer_page.content.decode()
    assert 'name="is_staff"' not in customer_page.content.decode()
    assert agent_client.get(f"/admin/accounts/user/{colleague.pk}/change/").status_code in (302, 403, 404)
    assert (
        agent_client.post(
            f"/admin/accounts/user/{case.customer.pk}/change/", {"email": "new@example.com"}
        ).status_code
        == 403
    )
    listed = agent_client.get("/admin/accounts/user/").content.decode()
    assert case.customer.email in listed
    assert "colleague@example.com" not in listed

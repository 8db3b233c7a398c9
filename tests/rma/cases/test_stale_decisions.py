"""A decision carries the revision of the solution it was made on; any other is refused."""

import pytest

from rma.cases.models import Action, Case, CaseEvent
from rma.cases.services import case_agree, case_revise
from rma.cases.workflow import CaseStaleError
from tests.factories import CaseFactory, StaffFactory
from tests.rma.cases.test_concurrency import _race

pytestmark = pytest.mark.django_db

S = Case.Status


def test_the_agree_and_disagree_forms_carry_the_revision_shown(customer_client, customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM, revision=3)

    page = customer_client.get(f"/rma/{case.number}/").content.decode()

    assert page.count('<input type="hidden" name="revision" value="3">') == 2


def test_an_agree_from_a_page_of_an_earlier_revision_is_refused_and_the_current_one_shown(
    customer_client, customer
):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM, revision=2)

    response = customer_client.post(f"/rma/{case.number}/agree/", {"revision": "1"}, follow=True)

    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM
    assert not CaseEvent.objects.filter(case=case).exists()
    assert "the solution was updated after you opened this page" in response.content.decode()
    assert '<input type="hidden" name="revision" value="2">' in response.content.decode()


def test_a_disagreement_with_an_earlier_revision_is_refused(customer_client, customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM, revision=2)

    customer_client.post(f"/rma/{case.number}/disagree/", {"revision": "1", "comment": "Not this one"})

    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM


def test_an_agree_on_the_revision_shown_is_applied(customer_client, customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM, revision=2)

    customer_client.post(f"/rma/{case.number}/agree/", {"revision": "2"})

    case.refresh_from_db()
    assert case.status == S.AWAITING_INFO


def test_a_revision_that_is_not_a_number_gets_a_message_not_an_error(customer_client, customer):
    case = CaseFactory(customer=customer, status=S.PENDING_CONFIRM)

    response = customer_client.post(f"/rma/{case.number}/agree/", {"revision": "abc"}, follow=True)

    case.refresh_from_db()
    assert response.status_code == 200
    assert case.status == S.PENDING_CONFIRM
    assert "the solution was updated after you opened this page" in response.content.decode()


def test_the_service_refuses_a_stale_revision():
    case = CaseFactory(status=S.PENDING_CONFIRM, revision=1)

    with pytest.raises(CaseStaleError):
        case_agree(case=case, actor=case.customer, revision=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_agree_from_the_old_page_racing_the_agents_revision_never_lands_on_the_new_one():
    # A superuser: the warranty groups made by migrations are gone once a transactional test ran.
    agent = StaffFactory(is_superuser=True)
    results = []
    for _ in range(50):
        # The customer saw revision 0, then disagreed; their old page still offers "Agree".
        case = CaseFactory(status=S.DISAGREED, revision=0)
        outcomes = _race(
            lambda case=case: case_agree(case=case, actor=case.customer, revision=0),
            lambda case=case: case_revise(case=case, actor=agent, comment="A better offer"),
        )
        case.refresh_from_db()
        actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
        results.append((tuple(outcomes), case.status, case.revision, tuple(actions)))

    assert set(results) == {(("refused", "applied"), S.PENDING_CONFIRM, 1, (Action.REVISE,))}

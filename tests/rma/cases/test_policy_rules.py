"""The warranty policy and the refund rule bind: a solution that breaks them goes to a
supervisor with the agent's reason; and a revision must change what is offered."""

import datetime

import pytest
from django.utils import timezone

from rma.cases.editing import case_update
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.services import case_agree, case_approve, case_disagree, case_publish, case_revise
from rma.cases.warranty import Channel
from rma.cases.workflow import CaseActionError
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

S = Case.Status


def _refund_draft(*, days_ago: int, channel: str = Channel.OFFICIAL_STORE, reason: str = "") -> Case:
    case = CaseFactory(status=S.DRAFT, refund=True, policy_exception_reason=reason)
    bought = timezone.localdate() - datetime.timedelta(days=days_ago)
    case.items.update(purchase_date=bought, purchase_channel=channel)
    return case


def test_a_refund_431_days_after_purchase_in_another_shop_is_not_published_without_a_reason(agent):
    case = _refund_draft(days_ago=431, channel=Channel.RESELLER)

    with pytest.raises(CaseActionError, match="goes against the warranty policy") as refused:
        case_publish(case=case, actor=agent)

    assert "not bought from the official store" in refused.value.message
    assert "exception reason" in refused.value.message
    case.refresh_from_db()
    assert case.status == S.DRAFT
    assert not CaseEvent.objects.filter(case=case).exists()


def test_publishing_a_refund_that_breaks_the_rule_with_a_reason_goes_to_a_supervisor(agent, supervisor):
    reason = "The customer asked on day 10; our answer came late."
    case = _refund_draft(days_ago=431, channel=Channel.RESELLER, reason=reason)

    published = case_publish(case=case, actor=agent)

    assert published.status == S.PENDING_APPROVAL
    event = CaseEvent.objects.get(case=case)
    assert event.action == Action.SUBMIT_FOR_APPROVAL
    assert event.data["exception_reason"] == reason
    approved = case_approve(case=case, actor=supervisor)
    assert approved.status == S.PENDING_CONFIRM


def test_a_replacement_for_an_item_out_of_warranty_goes_to_a_supervisor(agent):
    case = CaseFactory(status=S.DRAFT, policy_exception_reason="Goodwill for a long-standing customer.")
    case.items.update(purchase_date=timezone.localdate() - datetime.timedelta(days=1000))

    assert case_publish(case=case, actor=agent).status == S.PENDING_APPROVAL


def test_a_refund_within_the_rule_is_published_to_the_customer(agent):
    case = _refund_draft(days_ago=10)

    assert case_publish(case=case, actor=agent).status == S.PENDING_CONFIRM


def test_a_supervisor_approves_a_policy_exception_without_a_reason_only_with_a_comment(supervisor):
    case = CaseFactory(status=S.PENDING_APPROVAL, refund=True)  # bought 200 days ago

    with pytest.raises(CaseActionError, match="gives no reason for the exception"):
        case_approve(case=case, actor=supervisor)
    assert case_approve(case=case, actor=supervisor, comment="Known fault series").status == S.PENDING_CONFIRM


def test_the_approval_queue_and_the_approval_page_show_the_exception_reason(supervisor_client):
    reason = "Bought 45 days ago, fault reported on day 20."
    case = CaseFactory(status=S.PENDING_APPROVAL, refund=True, policy_exception_reason=reason)

    queue = supervisor_client.get("/admin/rma/case/?queue=awaiting_approval").content.decode()
    assert reason in queue
    page = supervisor_client.get(f"/admin/rma/case/{case.pk}/action/approve/").content.decode()
    assert reason in page
    assert "No refund: not bought from the official store." in page


# --- A revision changes something ---------------------------------------------------------


def _disagreed_after_publishing(agent) -> Case:
    case = CaseFactory(status=S.DRAFT, solution_note="A new unit of the same model.")
    case_publish(case=case, actor=agent)
    case_disagree(case=case, actor=case.customer, comment="I want a refund")
    return Case.objects.get(pk=case.pk)


def test_revise_republishes_an_unchanged_solution_refused(agent):
    case = _disagreed_after_publishing(agent)

    with pytest.raises(CaseActionError, match="the one the customer disagreed with"):
        case_revise(case=case, actor=agent, comment="Please look again")

    case.refresh_from_db()
    assert (case.status, case.revision) == (S.DISAGREED, 0)
    assert not CaseEvent.objects.filter(case=case, action=Action.REVISE).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda case: setattr(case, "solution_note", "A new unit of the newer model."),
        lambda case: setattr(case, "return_required", False) or setattr(case, "warehouse", None),
    ],
)
def test_revise_offers_a_changed_solution(agent, change):
    case = _disagreed_after_publishing(agent)
    change(case)
    case_update(case=case, actor=agent, changed_fields=["solution_note", "return_required", "warehouse"])

    revised = case_revise(case=case, actor=agent)

    assert (revised.status, revised.revision) == (S.PENDING_CONFIRM, 1)
    agreed = case_agree(case=revised, actor=revised.customer, revision=1)
    assert agreed.status == S.AWAITING_INFO


def test_revise_counts_a_changed_item(agent):
    case = _disagreed_after_publishing(agent)
    case.items.update(quantity=2)

    assert case_revise(case=case, actor=agent).status == S.PENDING_CONFIRM

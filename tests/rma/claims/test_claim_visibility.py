"""The customer keeps seeing their claim the whole time: while the team's solution waits for a
supervisor, or was sent back to the team, the claim stays on their list and page as a claim
being looked at (``requested``), never in the team's draft or approval state."""

import datetime
import re

import pytest
from django.utils import timezone

from rma.cases.editing import case_update
from rma.cases.models import Case
from rma.cases.services import case_answer_claim, case_approve, case_send_back
from tests.factories import CaseFactory, WarehouseFactory
from tests.rma.claims.conftest import claim_data

pytestmark = pytest.mark.django_db

CLAIM_WORDS = "the warranty team is looking at your claim"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    # The customer's pages are cached: each change below must retire them.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CUSTOMER_PAGE_CACHE_SECONDS = 300
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture
def answered_claim(signed_in, catalogue, agent):
    """A claim out of warranty, answered with a replacement: it goes to a supervisor."""
    bought = (timezone.localdate() - datetime.timedelta(days=3 * 365)).isoformat()
    signed_in.post("/rma/new/", claim_data(catalogue["camera"], purchase_date=bought))
    case = Case.objects.get()
    # Seen once as a fresh claim: the pages below would come from the cache if not retired.
    assert 'data-status="requested"' in signed_in.get("/rma/").content.decode()
    assert 'data-status="requested"' in signed_in.get(f"/rma/{case.number}/").content.decode()
    case.solution_type = Case.SolutionType.REPLACEMENT
    case.return_required = True
    case.warehouse = WarehouseFactory()
    case.country = "US"
    case.policy_exception_reason = "Long-standing customer; the fault is a known batch issue."
    case_update(
        case=case,
        actor=agent,
        changed_fields=[
            "solution_type",
            "return_required",
            "warehouse",
            "country",
            "policy_exception_reason",
        ],
    )
    case_answer_claim(case=case, actor=agent)
    case.refresh_from_db()
    assert case.status == Case.Status.PENDING_APPROVAL
    return case


def _card(page: str, number: str) -> str:
    match = re.search(rf'<li class="case-card[^"]*" data-rma="{number}"[^>]*>.*?</li>\s*$', page, re.S | re.M)
    assert match, f"{number} is not on the list"
    return match.group(0)


def _section_of(page: str, number: str) -> str:
    """The key of the list's group the case is filed under."""
    position = page.index(f'data-rma="{number}"')
    return re.findall(r'<section class="case-group" aria-labelledby="group-([a-z_]+)"', page[:position])[-1]


def _shown_as_claim(client, number: str) -> None:
    listing = client.get("/rma/").content.decode()
    card = _card(listing, number)
    assert 'data-status="requested"' in card
    assert "Claim received" in card
    assert _section_of(listing, number) == "in_progress"
    assert f'data-rma="{number}"' in client.get("/rma/?status=in_progress").content.decode()
    assert f'data-rma="{number}"' in client.get("/rma/?status=requested").content.decode()

    page = client.get(f"/rma/{number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(rf'<article class="case-page" data-rma="{number}" data-status="requested">', html)
    assert "Claim received" in html
    assert CLAIM_WORDS in html
    assert re.search(r'data-step="claim" data-step-state="current"', html)
    for internal in ("pending_approval", "Pending approval", "draft", "Draft"):
        assert internal not in html
    # The solution is not offered yet: neither its words nor a timeline entry saying so.
    assert "We send you a replacement" not in html
    assert "offered this solution" not in html
    assert f'action="/rma/{number}/agree/"' not in html


def test_a_claim_waiting_for_approval_stays_a_claim_for_its_customer_until_approved(
    answered_claim, signed_in, supervisor, django_capture_on_commit_callbacks
):
    number = answered_claim.number
    _shown_as_claim(signed_in, number)

    # The customer may write; agreeing and the solution's steps stay refused, as for a claim.
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in.post(f"/rma/{number}/messages/", {"body": "Any news?"}).status_code == 302
    assert answered_claim.messages.get().body == "Any news?"
    refused = signed_in.post(f"/rma/{number}/agree/", {"revision": answered_claim.revision}, follow=True)
    assert "Pending approval" not in refused.content.decode()
    assert signed_in.get(f"/rma/{number}/return/").status_code == 404
    answered_claim.refresh_from_db()
    assert answered_claim.status == Case.Status.PENDING_APPROVAL
    contact = signed_in.get("/support/").content.decode()
    assert f"{number} (Claim received)" in contact

    case_approve(case=answered_claim, actor=supervisor)

    listing = signed_in.get("/rma/").content.decode()
    assert 'data-status="pending_confirm"' in _card(listing, number)
    assert _section_of(listing, number) == "pending_confirmation"
    html = signed_in.get(f"/rma/{number}/").content.decode()
    assert 'data-status="pending_confirm"' in html
    assert "We send you a replacement" in html
    assert html.count("offered this solution") == 1


def test_a_claim_sent_back_to_the_team_stays_a_claim_for_its_customer(answered_claim, signed_in, supervisor):
    case_send_back(case=answered_claim, actor=supervisor, comment="Check the batch number first.")
    answered_claim.refresh_from_db()
    assert answered_claim.status == Case.Status.DRAFT

    _shown_as_claim(signed_in, answered_claim.number)
    page = signed_in.get(f"/rma/{answered_claim.number}/").content.decode()
    assert "Check the batch number first." not in page


def test_only_a_claim_stays_shown_in_a_hidden_status(answered_claim, signed_in, customer):
    prepared = CaseFactory(customer=customer, status=Case.Status.PENDING_APPROVAL)

    listing = signed_in.get("/rma/").content.decode()
    assert f'data-rma="{answered_claim.number}"' in listing
    assert f'data-rma="{prepared.number}"' not in listing
    assert signed_in.get(f"/rma/{prepared.number}/").status_code == 404
    assert signed_in.post(f"/rma/{prepared.number}/messages/", {"body": "Hello?"}).status_code == 404
    assert signed_in.get(f"/rma/{answered_claim.number}/").status_code == 200


def test_a_claim_without_a_published_solution_shows_no_empty_solution_card(customer_client, customer):
    from tests.factories import CaseFactory

    claim = CaseFactory(customer=customer, status="requested")

    page = customer_client.get(f"/rma/{claim.number}/").content.decode()

    assert 'id="solution-title"' not in page

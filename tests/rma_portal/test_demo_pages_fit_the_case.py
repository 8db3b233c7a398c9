"""
No customer page contradicts its case: every seeded demo case's page is read as its customer
and checked against what the case holds (no return address on a case that needs no return,
no "once you agree" after agreement, no payment words without a payment, no date in the
past given as a target).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rma.cases.deadlines import case_due_at
from rma.cases.models import Case
from rma.required.parts import required_parts

pytestmark = pytest.mark.django_db
S = Case.Status
STILL_TO_SEND = {S.PENDING_CONFIRM, S.AWAITING_INFO, S.AWAITING_RETURN}
DISAGREE_EXAMPLE = "i would rather have a replacement than a refund."


@pytest.fixture
def demo_cases(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    return list(
        Case.objects.filter(customer__email__in=["demo@example.com", "other@example.com"])
        .exclude(status__in=Case.HIDDEN_STATUSES)
        .select_related("customer", "warehouse")
    )


def _article(html: str) -> str:
    return html.split('<article class="case-page"', 1)[1].split("</article>", 1)[0]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_demo_case_page_contradicts_its_case(demo_cases):
    assert {case.status for case in demo_cases} >= {
        S.PENDING_CONFIRM,
        S.DISAGREED,
        S.AWAITING_INFO,
        S.UNDER_REVIEW,
        S.PROCESSING,
        S.COMPLETED,
        S.CANCELLED,
    }
    clients = {}
    for case in demo_cases:
        client = clients.setdefault(case.customer_id, Client())
        client.force_login(case.customer)
        html = client.get(f"/rma/{case.number}/").content.decode()
        article = _article(html)
        text = _text(article)
        parts = {part.key: part for part in required_parts(case)}
        # An advance replacement's return is sent once the replacement shipped ahead.
        return_open = "return" in parts and (
            case.status == S.PENDING_CONFIRM
            or case.status in (S.AWAITING_INFO, S.AWAITING_RETURN)
            and parts["return"].takes_now
            and not parts["return"].is_in
        )
        payment_open = "payment" in parts and (
            case.status == S.PENDING_CONFIRM or case.status == S.AWAITING_INFO and not parts["payment"].is_in
        )
        where = f"{case.number} ({case.status}, {case.solution_type})"

        assert ("Return address" in text) is return_open, where
        if case.warehouse is not None and not return_open:
            assert case.warehouse.line1 not in text, where
        asks_for_return = "Send the items back" in text or "send the item back to our warehouse" in text
        assert asks_for_return is return_open, where
        assert ("How do I send the items back?" in text) is (
            return_open and case.status in (S.AWAITING_INFO, S.AWAITING_RETURN)
        ), where
        assert ("once you agree" in text.lower()) is (case.status == S.PENDING_CONFIRM), where
        assert ("Amount due" in text) is payment_open, where
        if "payment" not in parts and "method" not in parts:
            # Only a payment, or the hold of an advance replacement, brings PayPal in.
            assert "PayPal" not in text and "How do I pay" not in text, where
        if case.solution_type != Case.SolutionType.REFUND:
            # The disagree box's example is a customer asking for something else.
            assert "refund" not in text.lower().replace(DISAGREE_EXAMPLE, ""), where
        if case.status not in STILL_TO_SEND:
            assert "What we still need from you" not in text, where
            assert "What agreeing commits you to" not in text, where
        due = case_due_at(case)
        if due is not None and due < timezone.now():
            assert "We aim to finish by" not in text and "Please do it by" not in text, where
        # The tracker: an ordered list, at most one step announced as the current one.
        assert article.count('aria-current="step"') <= 1, where
        assert '<ol class="tracker">' in article, where
        if case.status in (S.COMPLETED, S.CANCELLED):
            assert 'data-step-state="to_come"' not in article and 'aria-current="step"' not in article, where


def test_the_demo_list_files_cancelled_cases_under_closed_with_their_badge(demo_cases):
    client = Client()
    demo = next(case.customer for case in demo_cases if case.customer.email == "demo@example.com")
    client.force_login(demo)
    html = client.get("/rma/").content.decode()
    closed = html.split('id="group-closed"', 1)[1].split("</section>", 1)[0]
    for case in demo_cases:
        if case.customer_id != demo.pk:
            continue
        if case.status in (S.COMPLETED, S.CANCELLED):
            card = closed.split(f'data-rma="{case.number}"', 1)[1].split("\n</li>", 1)[0]
            badge = "badge--done" if case.status == S.COMPLETED else "badge--stop"
            assert badge in card and case.get_status_display() in card
        else:
            assert f'data-rma="{case.number}"' not in closed
    assert ">Closed</h2>" in html and ">Completed</h2>" not in html

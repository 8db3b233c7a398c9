"""The team's admin pages in Chromium: queue tabs, reports chart, no CSP or console problems."""

import datetime

import pytest
from django.utils import timezone

from rma.cases.models import Case
from tests.factories import CaseFactory, StaffFactory
from tests.staff import session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(page, live_server):
    """``page`` signed in to the admin as a superuser with a verified authenticator."""
    # Transactional tests flush the groups the migrations made: a superuser needs none.
    user = StaffFactory(is_superuser=True, full_name="Sue Supervisor")
    page.context.add_cookies([session_cookie(live_server, staff_client_for(user))])
    page.user = user
    return page


def test_the_queue_tabs_filter_the_case_list(staff_page):
    late = CaseFactory(status=Case.Status.AWAITING_INFO, due_at=timezone.now() - datetime.timedelta(hours=2))
    fresh = CaseFactory(
        status=Case.Status.PENDING_CONFIRM, due_at=timezone.now() + datetime.timedelta(days=5)
    )
    staff_page.goto("/admin/rma/case/")
    queues = staff_page.get_by_role("navigation", name="Queues")
    assert queues.get_by_role("link", name="Overdue 1").is_visible()
    queues.get_by_role("link", name="Overdue 1").click()
    staff_page.wait_for_url("**/admin/rma/case/?queue=overdue")
    assert staff_page.get_by_role("link", name=late.number).is_visible()
    assert staff_page.get_by_role("link", name=fresh.number).count() == 0
    assert staff_page.problems == []


def test_the_reports_page_draws_its_charts(staff_page):
    CaseFactory.create_batch(3, status=Case.Status.COMPLETED)
    staff_page.goto("/admin/rma/reports/")
    assert staff_page.get_by_role("heading", name="Per week").is_visible()
    chart = staff_page.get_by_role("img", name="Cases by status now")
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 100
    assert staff_page.problems == []

"""In Chromium: an agent sends an invoice link made on PayPal's site, and reads the refund rule
and the risk signals on a case; no CSP or console problems."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from payments.models import InvoiceState, SupplementaryPayment
from rma.cases.models import Case
from tests.factories import CaseFactory, CaseItemFactory, StaffFactory
from tests.staff import session_cookie, staff_client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


@pytest.fixture
def staff_page(page, live_server):
    user = StaffFactory(is_superuser=True, full_name="Sue Supervisor")
    page.context.add_cookies([session_cookie(live_server, staff_client_for(user))])
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_agent_sends_an_invoice_link_without_paypal_credentials(staff_page, paypal_off):
    case = CaseFactory(status=Case.Status.AWAITING_INFO, payment_due=True)
    staff_page.goto(f"/admin/rma/case/{case.pk}/change/")
    staff_page.get_by_role("link", name="Send a PayPal invoice").click()
    staff_page.get_by_label("Invoice link").fill("http://paypal.com/invoice")
    staff_page.get_by_role("button", name="Send the link to the customer").click()
    assert staff_page.get_by_text("The link must start with https://").is_visible()
    shoot(staff_page, "invoice-link-refused")
    staff_page.get_by_label("Invoice link").fill("https://www.paypal.com/invoice/p/#INV2-TEST")
    staff_page.get_by_role("button", name="Send the link to the customer").click()
    staff_page.wait_for_url(f"**/admin/rma/case/{case.pk}/change/")
    assert staff_page.get_by_text("The invoice link was sent to the customer").is_visible()
    payment = SupplementaryPayment.objects.get(case=case)
    assert payment.invoice_state == InvoiceState.SENT
    assert staff_page.problems == []


def test_the_case_page_shows_the_refund_rule_and_why_a_signal_fired(staff_page):
    earlier = CaseFactory(item=None)
    CaseItemFactory(case=earlier, serial_number="E1Z00000771")
    case = CaseFactory(status=Case.Status.DRAFT, item=None, refund=True)
    today = timezone.localdate()
    CaseItemFactory(
        case=case,
        serial_number="E1Z00000771",
        product_model="E1 Zoom",
        purchase_date=today - datetime.timedelta(days=45),
        purchase_channel="official_store",
    )
    staff_page.goto(f"/admin/rma/case/{case.pk}/change/")
    assert staff_page.get_by_text("E1Z00000771 is also on 1 other case").is_visible()
    assert staff_page.get_by_text("No refund: bought 45 days ago, more than 30.").first.is_visible()
    shoot(staff_page, "case-refund-rule-and-signal")
    assert staff_page.problems == []

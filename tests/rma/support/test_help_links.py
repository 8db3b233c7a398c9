"""Every step where a question comes up links to its answer on /help/ and to support."""

import pytest
from django.test import Client
from django.urls import reverse

from rma.cases.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def page_for(case, url_name):
    client = Client()
    client.force_login(case.customer)
    response = client.get(reverse(url_name, kwargs={"number": case.number}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_return_page_links_to_shipping_and_photo_help():
    case = CaseFactory(status=Case.Status.AWAITING_INFO, refund=True)
    html = page_for(case, "rma:case_return")
    assert 'href="/help/#return"' in html
    assert 'href="/help/#images"' in html
    assert f'href="/support/?case={case.number}"' in html


def test_the_payment_page_links_to_payment_and_transaction_number_help():
    case = CaseFactory(status=Case.Status.AWAITING_INFO, nothing_required=True, payment_due=True)
    html = page_for(case, "payments:payment")
    assert 'href="/help/#payment"' in html
    assert 'href="/help/#transaction-number"' in html
    assert 'href="/help/#images"' in html


def test_the_address_page_links_to_address_help():
    case = CaseFactory(status=Case.Status.AWAITING_INFO)
    html = page_for(case, "rma:case_address")
    assert 'href="/help/#address"' in html
    assert 'href="/help/#trouble"' in html


def test_an_unknown_help_anchor_in_a_template_fails_loudly():
    from django.template import Context, Template

    with pytest.raises(ValueError):
        Template('{% load rma_help %}{% help_links "nowhere" %}').render(Context())


def test_the_sign_in_page_links_to_sign_in_help_and_support(client):
    html = client.get("/login/").content.decode()
    assert 'href="/help/#sign-in"' in html
    assert 'href="/support/"' in html


def test_the_footer_of_every_page_offers_help_and_the_contact_form(client):
    html = client.get("/help/").content.decode()
    footer = html[html.index('<footer class="site-footer"') :]
    assert 'href="/help/"' in footer
    assert 'href="/support/"' in footer


@pytest.mark.parametrize(
    ("status", "anchors"),
    [
        (Case.Status.PENDING_CONFIRM, ["respond", "statuses", "serial-number"]),
        # A replacement that needs the items back and the address, no payment.
        (Case.Status.AWAITING_INFO, ["return", "address", "images", "trouble"]),
        (Case.Status.PROCESSING, ["statuses"]),
    ],
)
def test_the_case_page_links_to_the_answers_for_its_step(status, anchors):
    case = CaseFactory(status=status)
    html = page_for(case, "rma:case_detail")
    box = html[html.index('class="help-links"') :]
    box = box[: box.index("</aside>")]
    assert [anchor for anchor in anchors if f'href="/help/#{anchor}"' in box] == anchors
    assert box.count('href="/help/#') == len(anchors)  # nothing about steps this case does not have
    assert f'href="/support/?case={case.number}"' in box
    assert 'href="/help/#serial-number"' in html

"""The public help page: reachable signed out, every promised answer under its anchor."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from rma.support.help import HELP_ANCHORS, help_url

pytestmark = pytest.mark.django_db

CONTRACT_ANCHORS = {
    "serial-number",
    "return",
    "payment",
    "transaction-number",
    "images",
    "statuses",
    "sign-in",
    "trouble",
    "contact",
}


def test_help_is_public(client):
    response = client.get("/help/")
    assert response.status_code == 200
    assert reverse("help") == "/help/"


def test_help_has_a_section_for_every_contract_anchor(client):
    html = client.get("/help/").content.decode()
    ids = set(re.findall(r'<section[^>]* id="([a-z-]+)"', html))
    assert ids >= CONTRACT_ANCHORS
    assert ids == set(HELP_ANCHORS)


def test_help_table_of_contents_links_to_each_section(client):
    html = client.get("/help/").content.decode()
    for anchor in HELP_ANCHORS:
        assert f'href="#{anchor}"' in html


def test_help_states_the_upload_and_code_rules_from_settings(client, settings):
    settings.UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    settings.UPLOAD_MAX_RECEIPTS = 4
    settings.LOGIN_CODE_VALIDITY = 10 * 60
    html = client.get("/help/").content.decode()
    assert "up to 8 MB per file" in html
    assert "up to 4 images" in html
    assert "for 10 minutes" in html
    for image_format in ("JPG", "JPEG", "PNG", "WEBP"):
        assert image_format in html


def test_help_explains_every_status_a_customer_can_see(client):
    html = client.get("/help/").content.decode()
    for status in (
        "pending_confirm",
        "disagreed",
        "awaiting_info",
        "under_review",
        "processing",
        "completed",
        "cancelled",
    ):
        assert f'id="status-{status}"' in html
    assert 'id="status-draft"' not in html


def test_help_names_the_paypal_receiving_account(client, settings):
    settings.PAYPAL_RECEIVING_ACCOUNT = "pay-here@example.com"
    assert "pay-here@example.com" in client.get("/help/").content.decode()


def test_help_has_no_inline_script_or_style(client):
    html = client.get("/help/").content.decode()
    assert " style=" not in html
    assert "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_every_page_links_to_help(client):
    html = client.get("/login/").content.decode()
    assert 'href="/help/"' in html


def test_help_url_points_at_a_section():
    assert help_url("return") == "/help/#return"
    assert help_url() == "/help/"


def test_help_url_refuses_an_unknown_anchor():
    with pytest.raises(ValueError):
        help_url("retrun")


def test_help_url_template_tag():
    rendered = Template('{% load rma_help %}<a href="{% help_url "images" %}">').render(Context())
    assert rendered == '<a href="/help/#images">'


def test_help_url_template_tag_fails_on_a_typo():
    with pytest.raises((ValueError, TemplateSyntaxError)):
        Template('{% load rma_help %}{% help_url "imgs" %}').render(Context())

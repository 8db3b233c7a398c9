"""The one layout of customer emails, and the team's sender setting."""

import importlib
from email.utils import parseaddr

import pytest
from django.template import engines
from django.template.loader import render_to_string

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def render(template_name, source, context):
    template = engines["django"].from_string(source.replace("BASE", template_name))
    return template.render(context)


@pytest.fixture
def context(settings):
    settings.SITE_URL = "https://rma.example.com"
    case = CaseFactory(number="RMA-2026-000123")
    return {
        "case": case,
        "case_url": "https://rma.example.com/rma/RMA-2026-000123/",
        "portal_name": "Warranty Service",
        "support_email": "help@example.com",
    }


CHILD = '{% extends "BASE" %}{% block content %}<p>Your return arrived.</p>{% endblock %}'


def test_the_html_layout_links_to_the_exact_case_page_and_to_help(context):
    html = render("emails/base.html", CHILD, context)
    assert '<html lang="en">' in html
    assert 'role="article"' in html
    assert '<a class="mail__button" href="https://rma.example.com/rma/RMA-2026-000123/">' in html
    assert "Open RMA solution RMA-2026-000123" in html
    assert 'href="https://rma.example.com/help/"' in html
    assert 'href="mailto:help@example.com"' in html
    assert "<p>Your return arrived.</p>" in html
    assert "<img" not in html
    # Styles live in the head, so the layout passes filters that strip style attributes.
    assert "style=" not in html


def test_the_text_layout_carries_the_same_link(context):
    text = render("emails/base.txt", CHILD.replace("<p>", "").replace("</p>", ""), context)
    assert "https://rma.example.com/rma/RMA-2026-000123/" in text
    assert "Your return arrived." in text
    assert "https://rma.example.com/help/" in text
    assert "<" not in text


def test_a_mail_without_a_case_has_no_case_button(context):
    html = render_to_string("emails/base.html", {"portal_name": "Warranty Service"})
    assert "Open RMA solution" not in html


def test_the_sender_is_built_from_the_team_name_and_address(monkeypatch):
    from rma_portal import settings as portal_settings

    monkeypatch.setenv("WARRANTY_TEAM_SENDER_NAME", "Acme Warranty")
    monkeypatch.setenv("WARRANTY_TEAM_SENDER_ADDRESS", "rma@acme.example")
    monkeypatch.delenv("DEFAULT_FROM_EMAIL", raising=False)
    try:
        reloaded = importlib.reload(portal_settings)
        assert parseaddr(reloaded.DEFAULT_FROM_EMAIL) == ("Acme Warranty", "rma@acme.example")
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)


def test_the_text_part_is_not_html_escaped(context):
    context["portal_name"] = "Smith & Sons"
    text = render(
        "emails/base.txt", '{% extends "BASE" %}{% block content %}Tom & Jerry{% endblock %}', context
    )
    assert "Tom & Jerry" in text
    assert "The Smith & Sons team" in text
    assert "&amp;" not in text


CUSTOMER_TEMPLATES = [
    "emails/rma/solution_ready",
    "emails/rma/solution_revised",
    "emails/rma/info_requested",
    "emails/rma/completed",
    "emails/rma/customer_message",
    "emails/rma/reminder",
    "emails/payments/invoice_link",
]


@pytest.mark.parametrize("name", CUSTOMER_TEMPLATES)
def test_every_customer_email_uses_the_one_layout_and_links_the_case(name, context):
    from rma.backoffice.models import CaseReminder
    from rma.cases.models import CaseEvent, CaseMessage

    case = context["case"]
    context.update(
        event=CaseEvent(case=case, action="complete", comment="Sent back: the label is blurred.", data={}),
        message=CaseMessage(case=case, body="Hello from the team"),
        reminder=CaseReminder(case=case, kind="customer", status=case.status, due_at=case.created_at),
        invoice_link="https://www.paypal.com/invoice/p/#INV2-TEST",
    )
    html = render_to_string(f"{name}.html", context)
    text = render_to_string(f"{name}.txt", context)
    assert 'role="article"' in html
    assert 'href="https://rma.example.com/rma/RMA-2026-000123/"' in html
    assert "https://rma.example.com/rma/RMA-2026-000123/" in text
    assert "https://rma.example.com/help/" in text
    assert "&amp;" not in text and "&#x27;" not in text


@pytest.mark.parametrize("name", ["emails/accounts/login_code", "emails/accounts/unknown_address"])
def test_the_sign_in_emails_share_the_layout(name, settings):
    html = render_to_string(
        f"{name}.html",
        {
            "portal_name": "Warranty Service",
            "support_email": "help@example.com",
            "code": "123456",
            "validity_minutes": 15,
            "email": "someone@example.com",
            "login_url": "https://rma.example.com/login/",
        },
    )
    assert 'role="article"' in html
    assert 'href="https://rma.example.com/login/"' in html
    assert 'href="mailto:help@example.com"' in html
    assert "style=" not in html

"""Every email is written in its recipient's language, subject included."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from rma.backoffice.models import CaseReminder
from rma.backoffice.reminders import build_reminder_email
from rma.cases.emails import build_case_event_email
from rma.cases.models import Case, Role
from tests.factories import AgentFactory, CaseEventFactory, CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _ask_for_a_code(client, email, capture):
    with capture(execute=True):
        client.post("/login/", {"email": email})
    return mail.outbox[-1]


def test_the_code_email_is_in_the_language_chosen_on_the_sign_in_page(django_capture_on_commit_callbacks):
    customer = CustomerFactory(language="de")
    client = Client(headers={"accept-language": "en"})
    client.post("/i18n/setlang/", {"language": "ja", "next": "/login/"})

    message = _ask_for_a_code(client, customer.email, django_capture_on_commit_callbacks)

    # The portal's name is written in the language too (docs/glossary.md).
    assert message.subject == "保証サービスのサインインコード"
    assert "このコードは誰にも教えないでください。" in message.body
    assert "このコードは誰にも教えないでください。" in message.alternatives[0][0]


def test_without_a_choice_the_code_email_follows_the_browser(django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    client = Client(headers={"accept-language": "fr-FR,fr;q=0.9"})

    message = _ask_for_a_code(client, customer.email, django_capture_on_commit_callbacks)

    assert message.subject == "Votre code de connexion pour Service garantie"


def test_a_status_email_is_in_the_customer_language_whatever_the_active_one():
    case = CaseFactory(customer=CustomerFactory(language="de"), status=Case.Status.PENDING_CONFIRM)
    event = CaseEventFactory(case=case, action="publish")

    with translation.override("en"):
        message = build_case_event_email(event)

    assert message.subject == f"Ihre RMA-Lösung {case.number} ist bereit: Bitte prüfen Sie sie"
    assert "Das Garantie-Team hat eine RMA-Lösung für Sie vorbereitet" in message.body
    assert "Das Garantie-Team hat eine RMA-Lösung für Sie vorbereitet" in message.alternatives[0][0]


def test_a_customer_without_a_language_gets_english():
    case = CaseFactory(customer=CustomerFactory(language=""))
    event = CaseEventFactory(case=case, action="publish")

    with translation.override("it"):
        message = build_case_event_email(event)

    assert message.subject == f"Your RMA solution {case.number} is ready: please review it"


def test_the_team_email_is_in_the_assigned_agent_language():
    case = CaseFactory(assigned_agent=AgentFactory(language="fr"), customer=CustomerFactory(language="ja"))
    event = CaseEventFactory(
        case=case,
        action="agree",
        actor=case.customer,
        actor_role=Role.CUSTOMER,
        to_status=Case.Status.AWAITING_INFO,
    )

    message = build_case_event_email(event)

    assert message.to == [case.assigned_agent.email]
    assert message.subject == f"{case.number} : le client a accepté la solution"


def test_a_reminder_writes_its_subject_and_date_the_japanese_way():
    case = CaseFactory(customer=CustomerFactory(language="ja"), status=Case.Status.AWAITING_INFO)
    due = datetime.datetime(2031, 3, 3, 9, 30, tzinfo=datetime.UTC)
    reminder = CaseReminder.objects.create(
        case=case, kind=CaseReminder.Kind.CUSTOMER, status=case.status, due_at=due
    )

    message = build_reminder_email(reminder)

    assert message.subject == f"リマインド：{case.number} でお客様の対応をお待ちしています"
    assert "2031年3月3日" in message.body

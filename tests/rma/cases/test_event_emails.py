"""From a case's event to its emails: each app's table (``settings.RMA_EVENT_EMAILS``) is read
by the writer of events only, which queues each email by name; the task builds that email
and decides nothing again; an app's own table sends an email for any event, with no change
to the core."""

import pytest
from django.template.loader import get_template
from django.urls import reverse

from rma.cases.event_emails import CUSTOMER, TEAM, email_tables, event_emails
from rma.cases.models import Action, Case, CaseEvent, Role
from rma.cases.workflow import write_step_event
from rma_portal.models import OutboxMessage
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

EVENT_TASK = "rma.tasks.send_case_event_email"


def queued_emails() -> list[str]:
    return [row.kwargs.get("email", "") for row in OutboxMessage.objects.filter(task_name=EVENT_TASK)]


def test_every_email_of_every_table_has_its_templates_and_recipient():
    tables = email_tables()
    assert [table.app for table in tables] == ["rma", "payments"]
    for table in tables:
        for name, email in table.emails.items():
            assert email.to in (CUSTOMER, TEAM)
            for suffix in ("txt", "html"):
                get_template(f"emails/{table.app}/{name}.{suffix}")


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_a_table_chooses_only_its_own_emails(action, role):
    case = CaseFactory.build(revision=1)
    event = CaseEvent(
        case=case, action=action, actor_role=role, from_status="draft", to_status="pending_confirm"
    )
    for table in email_tables():
        assert set(table.choose(event)) <= set(table.emails), (table.app, action, role)


def test_a_payment_event_is_queued_by_the_writer_with_its_email_named(customer):
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO)
    write_step_event(case=case, action=Action.INVOICE_REQUEST, actor=customer, role=Role.CUSTOMER)
    write_step_event(case=case, action=Action.EDIT, actor=None, role=Role.SYSTEM)
    assert queued_emails() == ["payments/team_invoice_request"]
    assert not OutboxMessage.objects.filter(task_name="payments.tasks.send_payment_email").exists()


def test_the_task_sends_the_email_it_was_given_and_decides_nothing_again(customer, mailoutbox):
    from rma.cases.tasks import send_case_event_email

    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO)
    event = write_step_event(case=case, action=Action.EDIT, actor=None, role=Role.SYSTEM)
    assert event_emails(event) == []
    # Named when written, the email goes out whatever the event looks like now.
    assert send_case_event_email(event.pk, "payments/hold_placed") is True
    assert [mail.subject for mail in mailoutbox] == [f"{case.number}: the PayPal hold is placed"]
    assert mailoutbox[0].to == [customer.email]
    # A name no table has any more sends nothing (and raises nothing).
    assert send_case_event_email(event.pk, "payments/gone") is False


def test_a_task_queued_before_the_email_was_named_still_sends_it(customer, mailoutbox):
    from payments.tasks import send_payment_email
    from rma.cases.tasks import send_case_event_email

    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO)
    request = CaseEvent.objects.create(case=case, action=Action.INVOICE_REQUEST, actor_role=Role.CUSTOMER)
    published = CaseEvent.objects.create(
        case=case,
        action=Action.PUBLISH,
        actor_role=Role.AGENT,
        from_status="draft",
        to_status="pending_confirm",
    )
    assert send_payment_email(request.pk) is True
    assert send_case_event_email(published.pk) is True
    assert [mail.subject for mail in mailoutbox] == [
        f"{case.number}: the customer asks for a PayPal invoice link",
        f"Your RMA solution {case.number} is ready: please review it",
    ]


@pytest.mark.urls("tests.extra_part.urls")
def test_an_apps_own_table_sends_an_email_for_its_event(
    settings, customer, customer_client, mailoutbox, django_capture_on_commit_callbacks
):
    settings.RMA_REQUIRED_PARTS = [*settings.RMA_REQUIRED_PARTS, "extra_part.ProofOfPurchase"]
    settings.RMA_EVENT_EMAILS = [*settings.RMA_EVENT_EMAILS, "tests.extra_part.emails.TABLE"]
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, nothing_required=True)
    url = reverse("extra_part_proof", kwargs={"number": case.number})
    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post(url, {"invoice_number": "INV-42"})
    assert "extra_part/team_proof_received" in queued_emails()
    proof_mail = [mail for mail in mailoutbox if "proof of purchase came in" in mail.subject]
    assert len(proof_mail) == 1
    assert "invoice INV-42" in proof_mail[0].body
    assert proof_mail[0].to == [settings.WARRANTY_TEAM_EMAIL]

"""Rules of the services beyond the lifecycle table: data, numbering, audit trail, emails."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rma.cases.editing import case_create, case_items_save, case_update, customer_for_email
from rma.cases.http import request_meta
from rma.cases.models import Action, Case, CaseEvent, CaseItem, Role
from rma.cases.services import (
    case_agree,
    case_complete,
    case_disagree,
    case_message_post,
    case_publish,
    case_revise,
)
from rma.cases.workflow import CaseActionError, CaseStatusError
from rma.required.services import case_request_info
from rma_portal.tasks import EMAIL_RETRY
from tests.factories import (
    CaseEventFactory,
    CaseFactory,
    CaseItemFactory,
    CustomerFactory,
)

pytestmark = pytest.mark.django_db

S = Case.Status


def _new_case(customer, **fields) -> Case:
    values = {"solution_type": "replacement", "country": "de", "return_required": False}
    values.update(fields)
    return Case(customer=customer, **values)


ITEM = {"product_model": "E1 Zoom", "serial_number": "SN1", "purchase_date": datetime.date(2025, 5, 1)}


# --- Creating ----------------------------------------------------------------------------------


def test_case_create_numbers_cases_by_year_in_sequence(customer, agent):
    first = case_create(case=_new_case(customer), actor=agent, items=[ITEM])
    second = case_create(case=_new_case(customer), actor=agent, items=[ITEM])
    year = timezone.now().year
    assert first.number == f"RMA-{year}-000001"
    assert second.number == f"RMA-{year}-000002"
    assert first.status == S.DRAFT
    assert first.country == "DE"
    event = CaseEvent.objects.get(case=first)
    assert (event.action, event.actor, event.actor_role) == (Action.CREATE, agent, Role.AGENT)


def test_case_create_refuses_an_item_without_serial_or_uid_and_saves_nothing(customer, agent):
    with pytest.raises(Exception) as refused:
        case_create(case=_new_case(customer), actor=agent, items=[{**ITEM, "serial_number": ""}])
    assert "S/N or the UID" in str(refused.value)
    assert not Case.objects.exists()


def test_the_database_refuses_an_item_without_serial_or_uid():
    case = CaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseItem.objects.create(case=case, product_model="X", purchase_date=datetime.date(2025, 1, 1))


def test_either_serial_or_uid_is_enough():
    case = CaseFactory(item=None)
    CaseItemFactory(case=case, serial_number="", uid="UID123")
    CaseItemFactory(case=case, serial_number="SN123", uid="")
    assert case.items.count() == 2


def test_a_payment_needs_a_currency_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(payment_amount=Decimal("5.00"), payment_currency="")


def test_a_return_needs_a_warehouse(customer, agent):
    with pytest.raises(Exception) as refused:
        case_create(case=_new_case(customer, return_required=True), actor=agent, items=[ITEM])
    assert "warehouse" in str(refused.value)


def test_customer_for_email_creates_an_account_without_usable_password_once():
    created = customer_for_email(email="New.Person@Example.com")
    again = customer_for_email(email="new.person@example.COM")
    assert created == again
    assert not created.has_usable_password()
    assert not created.is_staff


def test_customer_for_email_refuses_a_staff_address(agent):
    with pytest.raises(CaseActionError):
        customer_for_email(email=agent.email.upper())


def test_solution_edits_are_refused_once_the_customer_sees_it(agent):
    case = CaseFactory(status=S.PENDING_CONFIRM)
    case.solution_type = Case.SolutionType.RESEND
    with pytest.raises(CaseActionError):
        case_update(case=case, actor=agent, changed_fields=["solution_type"])
    case.refresh_from_db()
    assert case.solution_type == Case.SolutionType.REPLACEMENT


def test_team_fields_stay_editable_in_any_status(agent):
    case = CaseFactory(status=S.PROCESSING)
    case.agent_notes = "Called the courier"
    case_update(case=case, actor=agent, changed_fields=["agent_notes"])
    case.refresh_from_db()
    assert case.agent_notes == "Called the courier"
    assert CaseEvent.objects.get(case=case).data == {"fields": ["agent_notes"]}


# --- Transitions with a choice ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "expected"),
    [
        ({"nothing_required": True}, S.PROCESSING),
        ({"refund": True}, S.AWAITING_INFO),  # a return is required
        ({"nothing_required": True, "payment_due": True}, S.AWAITING_INFO),
        ({"solution_type": "resend", "return_required": False, "warehouse": None}, S.AWAITING_INFO),
    ],
)
def test_agree_waits_for_information_only_when_the_solution_needs_some(traits, expected):
    case = CaseFactory(**traits)
    assert case_agree(case=case, actor=case.customer).status == expected


def test_required_parts_follow_the_solution():
    refund_with_both = CaseFactory(refund=True, payment_due=True)
    assert (refund_with_both.requires_return, refund_with_both.requires_payment) == (True, True)
    assert refund_with_both.requires_shipping_address is False
    resend = CaseFactory(solution_type="resend", return_required=False, warehouse=None)
    assert (resend.requires_return, resend.requires_payment, resend.requires_shipping_address) == (
        False,
        False,
        True,
    )


def test_publish_sends_a_solution_that_needs_approval_to_a_supervisor(agent):
    case = CaseFactory(status=S.DRAFT, needs_approval=True)
    assert case_publish(case=case, actor=agent).status == S.PENDING_APPROVAL
    assert CaseEvent.objects.get().action == Action.SUBMIT_FOR_APPROVAL


def test_publish_is_refused_without_items(agent):
    case = CaseFactory(status=S.DRAFT, item=None)
    with pytest.raises(CaseActionError, match="at least one item"):
        case_publish(case=case, actor=agent)


def test_revise_goes_through_approval_when_needed_and_counts_revisions(agent):
    case = CaseFactory(status=S.DISAGREED, needs_approval=True)
    revised = case_revise(case=case, actor=agent, comment="Offering a replacement now")
    assert (revised.status, revised.revision) == (S.PENDING_APPROVAL, 1)
    assert CaseEvent.objects.get(case=case).data == {"revision": 1}


def test_disagree_requires_a_comment_in_the_service_too():
    case = CaseFactory()
    with pytest.raises(CaseActionError, match="comment"):
        case_disagree(case=case, actor=case.customer, comment="  ")
    case.refresh_from_db()
    assert case.status == S.PENDING_CONFIRM
    assert not CaseEvent.objects.exists()


def test_completing_a_refund_needs_its_reference(agent):
    case = CaseFactory(status=S.PROCESSING, refund=True)
    with pytest.raises(CaseActionError):
        case_complete(case=case, actor=agent)
    done = case_complete(case=case, actor=agent, refund_reference="9XK12345AB")
    assert (done.status, done.refund_reference) == (S.COMPLETED, "9XK12345AB")
    assert done.completed_at is not None


def test_completing_a_replacement_needs_carrier_and_tracking(agent):
    case = CaseFactory(status=S.PROCESSING)
    with pytest.raises(CaseActionError):
        case_complete(case=case, actor=agent, outbound_carrier="DHL")
    done = case_complete(case=case, actor=agent, outbound_carrier="DHL", outbound_tracking_number="JD0146")
    assert (done.outbound_carrier, done.outbound_tracking_number) == ("DHL", "JD0146")
    assert CaseEvent.objects.get(case=case).data == {
        "outbound_carrier": "DHL",
        "outbound_tracking_number": "JD0146",
    }


def test_events_record_ip_and_user_agent(rf):

    request = rf.post("/", HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.9")
    case = CaseFactory()
    case_agree(case=case, actor=case.customer, meta=request_meta(request))
    event = CaseEvent.objects.get(case=case)
    assert (event.ip, event.user_agent) == ("203.0.113.9", "Firefox/140")


# --- The audit trail is append-only -----------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted():
    event = CaseEventFactory()
    event.comment = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.comment == ""


def test_a_case_with_events_cannot_be_deleted():
    from django.db.models import ProtectedError

    event = CaseEventFactory()
    with pytest.raises(ProtectedError):
        event.case.delete()


# --- Emails go out after the commit -----------------------------------------------------------


def test_publishing_emails_the_customer_after_commit(
    agent, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://rma.example.com"
    case = CaseFactory(status=S.DRAFT)
    with django_capture_on_commit_callbacks() as callbacks:
        case_publish(case=case, actor=agent)
        assert mailoutbox == []
    for callback in callbacks:
        callback()
    (email,) = mailoutbox
    assert email.to == [case.customer.email]
    assert case.number in email.subject and "\n" not in email.subject
    assert f"https://rma.example.com/rma/{case.number}/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and f"https://rma.example.com/rma/{case.number}/" in html


def test_nothing_is_emailed_when_the_transaction_rolls_back(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=S.DRAFT)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        case_publish(case=case, actor=agent)
        raise RuntimeError("something later failed")
    assert callbacks == []
    assert mailoutbox == []
    case.refresh_from_db()
    assert case.status == S.DRAFT


@pytest.mark.parametrize(
    ("status", "call", "subject_part"),
    [
        (S.DISAGREED, lambda c, a: case_revise(case=c, actor=a, comment="Better offer"), "revised"),
        (
            S.UNDER_REVIEW,
            lambda c, a: case_request_info(case=c, actor=a, comment="Label unreadable"),
            "again",
        ),
        (
            S.PROCESSING,
            lambda c, a: case_complete(
                case=c, actor=a, outbound_carrier="UPS", outbound_tracking_number="1Z9"
            ),
            "complete",
        ),
    ],
)
def test_the_customer_is_emailed_on_revision_request_and_completion(
    agent, mailoutbox, django_capture_on_commit_callbacks, status, call, subject_part
):
    case = CaseFactory(status=status, revision=1 if status == S.DISAGREED else 0)
    with django_capture_on_commit_callbacks(execute=True):
        call(case, agent)
    (email,) = mailoutbox
    assert email.to == [case.customer.email]
    assert subject_part in email.subject


def test_the_reason_for_asking_again_is_in_the_email(agent, mailoutbox, django_capture_on_commit_callbacks):
    case = CaseFactory(status=S.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        case_request_info(case=case, actor=agent, comment="The label photo is blurred")
    assert "The label photo is blurred" in mailoutbox[0].body


@pytest.mark.parametrize("assigned", [True, False])
def test_the_team_hears_when_the_customer_agrees_disagrees_or_writes(
    agent, settings, mailoutbox, django_capture_on_commit_callbacks, assigned
):
    settings.WARRANTY_TEAM_EMAIL = "team@example.com"
    expected = agent.email if assigned else "team@example.com"
    first = CaseFactory(assigned_agent=agent if assigned else None)
    second = CaseFactory(customer=first.customer, assigned_agent=first.assigned_agent)
    with django_capture_on_commit_callbacks(execute=True):
        case_agree(case=first, actor=first.customer)
        case_disagree(case=second, actor=second.customer, comment="Wrong model listed")
        case_message_post(case=first, author=first.customer, body="Sent it today")
    assert [email.to for email in mailoutbox] == [[expected]] * 3
    assert "agreed" in mailoutbox[0].subject
    assert "Wrong model listed" in mailoutbox[1].body
    assert "Sent it today" in mailoutbox[2].body


def test_an_agent_agreeing_on_behalf_tells_the_customer_not_the_team(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case_agree(case=case, actor=agent, on_behalf=True)
    (email,) = mailoutbox
    assert email.to == [case.customer.email]
    assert case.number in email.subject
    assert "confirmed RMA solution" in email.body and "did not ask for this" in email.body


def test_an_agent_disagreeing_on_behalf_tells_the_customer_what_was_noted(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case_disagree(case=case, actor=agent, on_behalf=True, comment="Wants a refund <b>instead</b>")
    (email,) = mailoutbox
    assert email.to == [case.customer.email]
    assert "turned down RMA solution" in email.body and "Wants a refund <b>instead</b>" in email.body
    html, _mimetype = email.alternatives[0]
    assert "&lt;b&gt;instead&lt;/b&gt;" in html


def test_a_team_message_emails_the_customer(agent, mailoutbox, django_capture_on_commit_callbacks):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case_message_post(case=case, author=agent, body="We need a photo")
    (email,) = mailoutbox
    assert email.to == [case.customer.email]


def test_a_customer_cannot_write_on_a_hidden_case():
    case = CaseFactory(status=S.DRAFT)
    with pytest.raises(CaseActionError):
        case_message_post(case=case, author=case.customer, body="Hello")


def test_a_customer_cannot_write_on_someone_elses_case():
    case = CaseFactory()
    with pytest.raises(CaseActionError):
        case_message_post(case=case, author=CustomerFactory(), body="Hello")


def test_the_email_task_retries_while_the_mail_server_is_down_then_sends(agent, monkeypatch, mailoutbox):
    from django.core.mail import EmailMultiAlternatives

    from rma import tasks

    case = CaseFactory(status=S.DRAFT)
    case_publish(case=case, actor=agent)
    event = CaseEvent.objects.get(case=case)
    attempts = []
    real_send = EmailMultiAlternatives.send

    def flaky_send(message, *args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionRefusedError("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    # Run eagerly, a retry runs again at once instead of after its back-off delay; errors are
    # kept in the result instead of raised, as a worker would.
    monkeypatch.setitem(tasks.send_case_event_email.app.conf, "task_eager_propagates", False)
    result = tasks.send_case_event_email.apply(kwargs={"event_id": event.pk}, throw=False)
    assert result.successful() and result.result is True
    assert len(attempts) == 3
    assert len(mailoutbox) == 1


def test_the_email_task_gives_up_after_its_retries(agent, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    from rma import tasks

    case = CaseFactory(status=S.DRAFT)
    case_publish(case=case, actor=agent)
    event = CaseEvent.objects.get(case=case)
    attempts = []

    def down(message, *args, **kwargs):
        attempts.append(1)
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", down)
    monkeypatch.setitem(tasks.send_case_event_email.app.conf, "task_eager_propagates", False)
    result = tasks.send_case_event_email.apply(kwargs={"event_id": event.pk}, throw=False)
    assert result.failed() and isinstance(result.result, ConnectionRefusedError)
    assert len(attempts) == 1 + EMAIL_RETRY["max_retries"]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_emails_are_queued_exactly_for_the_events_that_send_one(action, role, agent):
    from rma.cases.emails import build_case_event_email, event_sends_email

    case = CaseFactory(assigned_agent=agent)
    # A revision that goes back for approval emails nobody; one shown to the customer does.
    to_status = S.PENDING_APPROVAL if role == Role.SUPERVISOR else S.PENDING_CONFIRM
    event = CaseEventFactory(case=case, action=action, actor_role=role, to_status=to_status)
    assert event_sends_email(event) is (build_case_event_email(event) is not None)


def test_html_in_a_comment_is_escaped_in_the_html_email(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory(status=S.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        case_request_info(case=case, actor=agent, comment="<a href='https://evil.example'>click</a>")
    html = mailoutbox[0].alternatives[0][0]
    assert "<a href='https://evil.example'>" not in html
    assert "&lt;a href=" in html


def test_an_unsaved_case_reads_as_new():
    assert str(Case()) == "new RMA case"


def test_customer_for_email_uses_the_account_another_request_just_created(monkeypatch):
    from accounts.models import User

    existing = CustomerFactory(email="late@example.com")
    real_filter = User.objects.filter
    calls = []

    def filter_missing_once(*args, **kwargs):
        # The first look-up runs before the other request's insert is visible.
        calls.append(kwargs)
        if len(calls) == 1:
            return User.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(User.objects, "filter", filter_missing_once)
    assert customer_for_email(email="late@example.com") == existing


# --- Items -------------------------------------------------------------------------------------


def test_editing_items_of_a_draft_writes_one_event_naming_them(agent):
    case = CaseFactory(status=S.DRAFT, item=None)
    kept = CaseItemFactory(case=case, product_model="Argus 3", serial_number="SNKEEP1")
    dropped = CaseItemFactory(case=case, product_model="Old hub", serial_number="SNDROP1")
    kept.product_model = "Argus 3 Pro"
    added = CaseItem(product_model="Solar Panel", uid="UIDNEW1", purchase_date=datetime.date(2025, 5, 1))

    case_items_save(case=case, actor=agent, saved=[kept, added], deleted=[dropped])

    assert sorted(case.items.values_list("product_model", flat=True)) == ["Argus 3 Pro", "Solar Panel"]
    event = CaseEvent.objects.get(case=case, action=Action.EDIT)
    assert event.actor == agent
    assert event.data["items"] == {
        "added": ["Solar Panel (UIDNEW1)"],
        "changed": ["Argus 3 Pro (SNKEEP1)"],
        "removed": ["Old hub (SNDROP1)"],
    }


def test_items_cannot_change_once_the_customer_sees_the_solution(agent):
    case = CaseFactory(status=S.PENDING_CONFIRM, item=None)
    item = CaseItemFactory(case=case, product_model="Argus 3")
    item.product_model = "Something else"

    with pytest.raises(CaseStatusError):
        case_items_save(case=case, actor=agent, saved=[item])

    assert case.items.get().product_model == "Argus 3"
    assert not CaseEvent.objects.filter(case=case).exists()

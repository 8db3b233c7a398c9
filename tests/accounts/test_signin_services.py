"""The code device, the services and the tasks behind the sign-in pages."""

import logging
from datetime import datetime, timedelta

import pytest
import time_machine
from celery.contrib.django.task import DjangoTask
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import override_settings
from django.utils import timezone

from accounts import tasks
from accounts.limits import ClientInfo
from accounts.models import LoginCodeDevice, SignInEvent
from accounts.services import (
    IssueOutcome,
    VerifyOutcome,
    login_code_issue,
    login_code_request,
    login_code_verify,
    login_codes_void_expired,
)
from accounts.views import _keep_pending
from rma_portal.models import OutboxMessage
from tests.accounts.conftest import code_from_email
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CLIENT = ClientInfo(ip_address="192.0.2.10", user_agent="pytest")


@pytest.fixture
def issued(django_capture_on_commit_callbacks):
    """A customer with a freshly issued code: (customer, pending sign-in, clear code)."""
    customer = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        result = login_code_request(email=customer.email, client=CLIENT)
    return customer, result.pending, code_from_email(mail.outbox[-1])


def test_a_code_cannot_be_used_twice(issued):
    customer, pending, code = issued

    first = login_code_verify(pending=pending, code=code, client=CLIENT)
    second = login_code_verify(pending=pending, code=code, client=CLIENT)

    assert first.outcome is VerifyOutcome.SIGNED_IN
    assert first.user == customer
    # A used code is checked like any wrong one: the answer is the same for every address.
    assert second.outcome is VerifyOutcome.WRONG
    assert second.user is None
    assert LoginCodeDevice.objects.get(user=customer).token is None


def test_the_code_is_stored_only_as_a_keyed_hash(issued, settings):
    customer, pending, code = issued
    device = LoginCodeDevice.objects.get(user=customer)

    assert code not in device.token
    assert len(device.token) == 16
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    # Without the right key the same code does not reproduce the stored value.
    assert login_code_verify(pending=pending, code=code, client=CLIENT).outcome is VerifyOutcome.WRONG


def test_the_device_is_django_otp_email_device_kept_out_of_the_admin_second_factor(issued):
    from django_otp import devices_for_user
    from django_otp.plugins.otp_email.models import EmailDevice

    customer, _pending, _code = issued
    device = LoginCodeDevice.objects.get(user=customer)

    assert isinstance(device, EmailDevice)
    assert device.confirmed is False
    assert list(devices_for_user(customer)) == []


def test_the_email_has_text_and_html_parts_with_the_code_only_in_the_body(issued):
    _customer, _pending, code = issued
    message = mail.outbox[-1]

    assert code not in message.subject
    assert message.subject == "Your sign-in code for Warranty Service"
    assert code in message.body
    assert "15 minutes" in message.body
    assert "Keep this code to yourself" in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert code in html
    assert "Keep this code to yourself" in html
    assert "style=" not in html


def test_new_code_voids_the_previous_one_of_the_same_browser(issued, django_capture_on_commit_callbacks):
    customer, pending, first_code = issued
    with time_machine.travel(datetime.now().astimezone() + timedelta(seconds=61), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = login_code_request(email=customer.email, client=CLIENT, replacing=pending)
        refused = login_code_verify(pending=result.pending, code=first_code, client=CLIENT)

    assert result.sent
    assert refused.outcome is VerifyOutcome.REPLACED


def test_a_code_asked_for_in_another_browser_leaves_this_browsers_code_working(
    issued, django_capture_on_commit_callbacks
):
    customer, pending, first_code = issued
    with time_machine.travel(datetime.now().astimezone() + timedelta(seconds=61), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            other = login_code_request(email=customer.email, client=CLIENT)
        accepted = login_code_verify(pending=pending, code=first_code, client=CLIENT)
        used_again = login_code_verify(pending=pending, code=first_code, client=CLIENT)

    assert other.sent
    assert accepted.outcome is VerifyOutcome.SIGNED_IN
    assert used_again.outcome is VerifyOutcome.WRONG


def test_email_task_does_not_send_a_code_that_was_replaced(issued, django_capture_on_commit_callbacks):
    customer, _pending, _code = issued
    device = LoginCodeDevice.objects.get(user=customer)
    old_digest = device.token
    with time_machine.travel(datetime.now().astimezone() + timedelta(seconds=61), tick=False):
        assert device.issue_code(binding="another-request") is not None
        device.refresh_from_db()
        mail.outbox.clear()

        sent = tasks.send_login_code_email.run(
            device_id=device.pk,
            code="123456",
            code_digest=old_digest,
            valid_until=device.valid_until.isoformat(),
        )

    assert sent is False
    assert mail.outbox == []


def test_email_task_does_not_send_an_expired_code(issued):
    customer, _pending, code = issued
    device = LoginCodeDevice.objects.get(user=customer)
    mail.outbox.clear()

    with time_machine.travel(device.valid_until + timedelta(seconds=1), tick=False):
        sent = tasks.send_login_code_email.run(
            device_id=device.pk,
            code=code,
            code_digest=device.token,
            valid_until=device.valid_until.isoformat(),
        )

    assert sent is False
    assert mail.outbox == []


def test_email_task_message_hides_the_code_and_expires_with_it(monkeypatch):
    sent_options = {}

    def capture(self, args=None, kwargs=None, **options):
        sent_options.update(options, kwargs=kwargs)

    monkeypatch.setattr(DjangoTask, "apply_async", capture)
    valid_until = "2031-03-03T09:15:00+00:00"

    tasks.send_login_code_email.delay(
        device_id=7, code="482913", code_digest="abcdefgh12345678", valid_until=valid_until
    )

    assert sent_options["kwargs"]["code"] == "482913"  # the worker needs it
    assert "482913" not in sent_options["kwargsrepr"]
    assert "abcdefgh12345678" not in sent_options["kwargsrepr"]
    assert "'device_id': 7" in sent_options["kwargsrepr"]
    assert sent_options["argsrepr"]
    assert sent_options["expires"] == datetime.fromisoformat(valid_until)


def test_beat_task_voids_expired_codes_every_minute(issued, settings, django_capture_on_commit_callbacks):
    customer, _pending, _code = issued
    other_customer = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        login_code_request(email=other_customer.email, client=CLIENT)
    device = LoginCodeDevice.objects.get(user=customer)
    device.valid_until = timezone.now() - timedelta(minutes=1)
    device.save()

    voided = tasks.void_expired_login_codes.run()

    assert voided == 1
    assert LoginCodeDevice.objects.get(user=customer).token is None
    assert LoginCodeDevice.objects.get(user=other_customer).token is not None
    schedule = settings.CELERY_BEAT_SCHEDULE["void-expired-login-codes"]
    assert schedule == {"task": "accounts.tasks.void_expired_login_codes", "schedule": 60.0}
    assert login_codes_void_expired() == 0


def test_the_code_is_never_logged(client, django_capture_on_commit_callbacks, caplog):
    customer = CustomerFactory()
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/", {"email": customer.email})
    code = code_from_email(mail.outbox[-1])
    client.post("/login/verify/", {"code": code})

    assert "_auth_user_id" in client.session
    assert caplog.records
    for record in caplog.records:
        assert code not in record.getMessage()
        assert code not in repr(getattr(record, "data", ""))


@override_settings(DEBUG=False)
def test_the_code_is_hidden_from_exception_reports(client, monkeypatch, issued, caplog):
    from django.views.debug import ExceptionReporter

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("accounts.views.login_code_verify", broken)
    customer, pending, code = issued
    client.raise_request_exception = False
    _keep_pending(response := HttpResponse(), pending)
    client.cookies.update(response.cookies)

    response = client.post("/login/verify/", {"code": code})

    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    report = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
    assert "the database went away" in report
    assert code not in report
    assert "code" in report  # the parameter is listed, its value starred out


def test_a_failed_check_is_audited_without_the_code(issued):
    customer, pending, code = issued
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    result = login_code_verify(pending=pending, code=wrong, client=CLIENT)

    assert result.outcome is VerifyOutcome.WRONG
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.CODE_FAILED)
    assert event.user == customer
    assert event.ip_address == "192.0.2.10"
    assert event.user_agent == "pytest"
    assert wrong not in str(SignInEvent.objects.filter(pk=event.pk).values().get())


def test_a_request_for_a_code_is_worked_through_the_queue_and_expires_with_the_pending_sign_in(
    django_capture_on_commit_callbacks, monkeypatch
):
    customer = CustomerFactory()
    queued = []
    monkeypatch.setattr(
        tasks.issue_login_code, "apply_async", lambda args=None, kwargs=None, **options: queued.append(kwargs)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = login_code_request(email=customer.email, client=CLIENT)

    (message,) = queued
    row = OutboxMessage.objects.get(pk=message.pop("_outbox_id"))  # written down in the request
    assert row.kwargs == message
    assert message["binding"] == result.pending.binding
    assert datetime.fromisoformat(message["valid_until"]).timestamp() == pytest.approx(
        result.pending.expires_at
    )
    assert not LoginCodeDevice.objects.exists()  # nothing issued by the request itself

    with time_machine.travel(datetime.fromtimestamp(result.pending.expires_at + 1).astimezone(), tick=False):
        assert tasks.issue_login_code.run(**message) is False
    assert not LoginCodeDevice.objects.exists()
    assert tasks.issue_login_code.run(**message) is True
    assert LoginCodeDevice.objects.get(user=customer).token


def test_a_second_request_that_slips_past_the_cache_issues_no_second_code(
    issued, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    customer, pending, code = issued
    cache.clear()  # the cooldown's cache entry is gone; django-otp's on the device is not
    with django_capture_on_commit_callbacks(execute=True):
        again = login_code_request(email=customer.email, client=CLIENT)

    assert again.sent  # as far as the request can tell
    assert login_code_verify(pending=pending, code=code, client=CLIENT).outcome is VerifyOutcome.SIGNED_IN
    assert SignInEvent.objects.filter(user=customer, kind=SignInEvent.Kind.SEND_COOLDOWN).count() == 1


def _queued_requests(monkeypatch) -> list[dict]:
    queued: list[dict] = []

    def capture(args=None, kwargs=None, **options):
        queued.append({name: value for name, value in kwargs.items() if name != "_outbox_id"})

    monkeypatch.setattr(tasks.issue_login_code, "apply_async", capture)
    return queued


def test_a_request_delayed_in_the_queue_never_uses_up_the_next_ones_cooldown(
    monkeypatch, django_capture_on_commit_callbacks
):
    # Issue 22, item 3: the device's cooldown ran from when the worker got to a request, the
    # page's from when it was made; a request delayed by a worker's restart made the next one,
    # answered "sent" by the page a minute later, issue nothing.
    customer = CustomerFactory()
    queued = _queued_requests(monkeypatch)
    asked_at = datetime.now().astimezone()
    with time_machine.travel(asked_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = login_code_request(email=customer.email, client=CLIENT)
    with time_machine.travel(asked_at + timedelta(seconds=4), tick=False):  # the worker is back
        assert tasks.issue_login_code.run(**queued[0]) is True
    with time_machine.travel(asked_at + timedelta(seconds=61), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            second = login_code_request(email=customer.email, client=CLIENT, replacing=first.pending)
        assert tasks.issue_login_code.run(**queued[1]) is True
        signed_in = login_code_verify(
            pending=second.pending, code=code_from_email(mail.outbox[-1]), client=CLIENT
        )

    assert second.sent
    assert len(mail.outbox) == 2
    assert signed_in.outcome is VerifyOutcome.SIGNED_IN


def test_a_request_inside_anothers_cooldown_is_issued_once_that_cooldown_ends(
    monkeypatch, django_capture_on_commit_callbacks
):
    # The soak with Redis restarted empty: the page's cooldown was lost, a second request of
    # the same address came 10 s after the first and had to wait. Its wait was counted from the
    # request times alone, so it never shrank: 50 s every time, until its retries ran out.
    customer = CustomerFactory()
    queued = _queued_requests(monkeypatch)
    asked_at = datetime.now().astimezone()
    with time_machine.travel(asked_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        login_code_request(email=customer.email, client=CLIENT)
    with time_machine.travel(asked_at + timedelta(seconds=1), tick=False):
        assert tasks.issue_login_code.run(**queued[0]) is True
    cache.clear()  # the page's cooldown is gone
    with time_machine.travel(asked_at + timedelta(seconds=10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            second = login_code_request(email=customer.email, client=CLIENT)
        waiting = login_code_issue(
            email=customer.email,
            binding=second.pending.binding,
            client=CLIENT,
            requested_at=datetime.fromisoformat(queued[1]["requested_at"]),
        )
    assert waiting.outcome is IssueOutcome.WAIT
    assert waiting.retry_after == pytest.approx(50, abs=1)

    with time_machine.travel(asked_at + timedelta(seconds=61), tick=False):  # the retry
        assert tasks.issue_login_code.run(**queued[1]) is True
        signed_in = login_code_verify(
            pending=second.pending, code=code_from_email(mail.outbox[-1]), client=CLIENT
        )
    assert signed_in.outcome is VerifyOutcome.SIGNED_IN


def test_a_request_run_again_issues_a_fresh_code_that_voids_its_first_and_says_so(
    monkeypatch, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    queued = _queued_requests(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        result = login_code_request(email=customer.email, client=CLIENT)
    assert tasks.issue_login_code.run(**queued[0]) is True  # emailed; the worker dies before its ack
    first_code = code_from_email(mail.outbox[-1])

    assert tasks.issue_login_code.run(**queued[0]) is True  # the same request, delivered again
    second = mail.outbox[-1]

    assert "replaces the code in our previous email" in second.body
    refused = login_code_verify(pending=result.pending, code=first_code, client=CLIENT)
    with time_machine.travel(datetime.now().astimezone() + timedelta(seconds=5)):  # past the back-off
        signed_in = login_code_verify(pending=refused.pending, code=code_from_email(second), client=CLIENT)
    assert refused.outcome is not VerifyOutcome.SIGNED_IN
    assert signed_in.outcome is VerifyOutcome.SIGNED_IN


def test_a_request_overtaken_by_a_newer_one_of_the_same_browser_sends_nothing(
    monkeypatch, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    queued = _queued_requests(monkeypatch)
    asked_at = datetime.now().astimezone()
    with time_machine.travel(asked_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = login_code_request(email=customer.email, client=CLIENT)
    with time_machine.travel(asked_at + timedelta(seconds=61), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            second = login_code_request(email=customer.email, client=CLIENT, replacing=first.pending)
        assert tasks.issue_login_code.run(**queued[1]) is True
        # The first request comes back late (its worker died): it must not void the newer code.
        assert tasks.issue_login_code.run(**queued[0]) is False
        signed_in = login_code_verify(
            pending=second.pending, code=code_from_email(mail.outbox[-1]), client=CLIENT
        )

    assert len(mail.outbox) == 1
    assert signed_in.outcome is VerifyOutcome.SIGNED_IN


def test_a_database_error_while_issuing_is_retried(monkeypatch):
    from django.db import OperationalError

    assert OperationalError in tasks.issue_login_code.autoretry_for
    assert OSError in tasks.issue_login_code.autoretry_for
    assert tasks.issue_login_code.acks_late

"""
A customer who chose Japanese on the sign-in page, through the real parts: the code email
and the status emails come from a Celery worker process, in Japanese, with Japanese dates.
"""

import datetime

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from accounts.models import User
from rma.backoffice.models import CaseReminder
from rma.cases.models import Case
from rma_portal.tasks import queue_after_commit
from tests.accounts.conftest import code_from_email
from tests.accounts.test_signin_email_worker import Inbox, PlainBody, free_port
from tests.factories import CaseEventFactory, CaseFactory, CustomerFactory
from tests.workers import own_queue, running_worker

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def worker(smtp, tmp_path):
    controller, _inbox = smtp
    environment = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(controller.port), "EMAIL_USE_TLS": "false"}
    with own_queue("*") as queue, running_worker(queue, tmp_path / "worker.log", **environment) as process:
        yield process


def test_a_customer_who_chose_japanese_gets_japanese_emails_from_the_worker(smtp, worker):
    _controller, inbox = smtp
    customer = CustomerFactory(language="")
    browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    browser.post("/i18n/setlang/", {"language": "ja", "next": "/login/"})

    browser.post("/login/", {"email": customer.email})
    (code_email,) = inbox.wait_for(1, timeout=30)
    assert "サインインコード" in code_email["Subject"]
    browser.post("/login/verify/", {"code": code_from_email(PlainBody(code_email))})
    assert User.objects.get(pk=customer.pk).language == "ja"

    new_browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    new_browser.force_login(User.objects.get(pk=customer.pk))
    assert '<html lang="ja">' in new_browser.get("/rma/").content.decode()

    due = datetime.datetime(2031, 3, 3, 9, 30, tzinfo=datetime.UTC)
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, due_at=due)
    event = CaseEventFactory(case=case, action="publish")
    reminder = CaseReminder.objects.create(
        case=case, kind=CaseReminder.Kind.CUSTOMER, status=case.status, due_at=due
    )
    queue_after_commit("rma.tasks.send_case_event_email", event_id=event.pk)
    queue_after_commit("rma.tasks.send_case_reminder_email", reminder_id=reminder.pk)
    messages = inbox.wait_for(3, timeout=30)

    # A long non-ASCII subject arrives folded; its words are what count.
    subjects = sorted(" ".join(str(message["Subject"]).split()) for message in messages[1:])
    assert subjects == sorted(
        [
            f"RMA対応 {case.number} の内容をご用意しました。ご確認ください",
            f"リマインド：{case.number} でお客様の対応をお待ちしています",
        ]
    )
    reminder_email = next(message for message in messages[1:] if "リマインド" in message["Subject"])
    assert "2031年3月3日" in PlainBody(reminder_email).body

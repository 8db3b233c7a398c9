"""
The sign-in email through the real parts: a Celery worker process on Redis, sending to an
SMTP server listening on loopback, reading the test database.
"""

import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from accounts.models import SignInEvent
from tests.accounts.conftest import code_from_email
from tests.factories import CustomerFactory
from tests.workers import own_queue, running_worker

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


class PlainBody:
    """What ``code_from_email`` reads: the text part of a received message."""

    def __init__(self, message) -> None:
        self.body = message.get_body(("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def task_queue():
    """The sign-in tasks of this test go to a queue of their own on the test Redis."""
    with own_queue("accounts.tasks.*") as queue:
        yield queue


@pytest.fixture
def worker(task_queue, smtp_port, tmp_path):
    """A real Celery worker process consuming the test's queue, sending to the test's SMTP port."""
    with running_worker(
        task_queue,
        tmp_path / "worker.log",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="3",
        LOGIN_EMAIL_RETRY_BACKOFF="1",
        LOGIN_EMAIL_RETRY_BACKOFF_MAX="2",
    ) as process:
        yield process


def test_worker_delivers_the_code_and_the_customer_signs_in_with_it(client, worker, smtp_port):
    customer = CustomerFactory()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        response = client.post("/login/", {"email": customer.email})
        assert response["Location"] == "/login/verify/"
        (message,) = inbox.wait_for(1, timeout=30)
    finally:
        smtp.stop()

    assert message["To"] == customer.email
    code = code_from_email(PlainBody(message))
    assert code not in message["Subject"]
    assert message.get_body(("html",)) is not None
    signed_in = client.post("/login/verify/", {"code": code})
    assert signed_in["Location"] == "/rma/"
    assert code not in worker.log_path.read_text()


def test_with_the_smtp_server_down_the_task_retries_and_the_email_arrives_once_it_is_back(
    client, worker, smtp_port
):
    customer = CustomerFactory()
    response = client.post("/login/", {"email": customer.email})
    assert response["Location"] == "/login/verify/"

    deadline = time.monotonic() + 30
    while "retry" not in worker.log_path.read_text().lower():
        assert time.monotonic() < deadline, "no retry logged:\n" + worker.log_path.read_text()
        time.sleep(0.2)

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        messages = inbox.wait_for(1, timeout=30)
        time.sleep(2)  # a second delivery would show up here
    finally:
        smtp.stop()

    assert len(messages) == 1
    code = code_from_email(PlainBody(messages[0]))
    assert client.post("/login/verify/", {"code": code})["Location"] == "/rma/"
    assert SignInEvent.objects.filter(user=customer, kind=SignInEvent.Kind.SIGNED_IN).count() == 1
    assert code not in worker.log_path.read_text()

"""
The sign-in email through the real parts: a Celery worker process on Redis, sending to an
SMTP server listening on loopback, reading the test database.
"""

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from accounts.models import SignInEvent
from rma_portal.celery import app as celery_app
from tests.accounts.conftest import code_from_email
from tests.conftest import redis_url_for_tests
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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


def test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def task_queue():
    """Route the sign-in tasks of this test to a queue of its own on the test Redis."""
    queue = f"accounts-test-{uuid.uuid4().hex[:12]}"
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
        "task_routes": celery_app.conf.task_routes,
    }
    celery_app.close()
    celery_app.conf.broker_url = redis_url_for_tests()
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_routes = {"accounts.tasks.*": {"queue": queue}}
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)
    yield queue
    celery_app.close()
    for name, value in saved.items():
        setattr(celery_app.conf, name, value)
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture
def worker(task_queue, smtp_port, tmp_path):
    """A real Celery worker process consuming the test's queue."""
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url_for_tests(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "3",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "LOGIN_EMAIL_RETRY_BACKOFF": "1",
        "LOGIN_EMAIL_RETRY_BACKOFF_MAX": "2",
        "LOG_LEVEL": "INFO",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "rma_portal", "worker",
                "--pool=solo", "--queues", task_queue, "--loglevel=INFO",
                "--without-heartbeat", "--without-mingle", "--without-gossip",
            ],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "ready." not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the worker did not start:\n" + log_path.read_text()
            time.sleep(0.2)
        process.log_path = log_path
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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

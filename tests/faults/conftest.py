"""
The real processes the fault scenarios break: a Redis server of their own (cache and broker),
a Celery worker on it, an SMTP server on loopback; the web side is this process, its cache
and broker pointed at that Redis.
"""

import asyncio
import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from rma_portal import outbox
from rma_portal.celery import app as celery_app
from rma_portal.models import OutboxMessage
from tests.workers import PROJECT_ROOT, reset_broker_connections, running_worker, test_database_url

# Ports kept for the fault suite's own Redis servers and web servers.
REDIS_PORTS = range(6390, 6400)
WEB_PORTS = range(8150, 8160)
WORKER_SETTINGS = {
    "EMAIL_USE_TLS": "false",
    "EMAIL_TIMEOUT": "3",
    "EMAIL_RETRY_BACKOFF": "1",
    "EMAIL_RETRY_BACKOFF_MAX": "2",
    "LOGIN_EMAIL_RETRY_BACKOFF": "1",
    "LOGIN_EMAIL_RETRY_BACKOFF_MAX": "2",
    # A killed worker's messages come back after 8 s here (100 s in production).
    "CELERY_TASK_TIME_LIMIT": "6",
    "CELERY_VISIBILITY_TIMEOUT": "8",
}


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(condition, timeout: float, every: float = 0.2, between=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if between is not None:
            between()
        time.sleep(every)
    return condition()


class RedisServer:
    """A redis-server process of the test's own, which it can kill and start again (empty)."""

    def __init__(self) -> None:
        self.port = next((port for port in REDIS_PORTS if not _answers(port)), None)
        if self.port is None:
            pytest.skip("no free port for a Redis of the fault suite's own (6390-6399)")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(lambda: _answers(self.port), 10), "the fault suite's Redis did not start"

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class Inbox:
    """An SMTP server on loopback that keeps what it receives; it can be stopped and started."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    # Seconds the server takes to accept a message once it has it (a slow mail server).
    delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        await asyncio.sleep(self.delay)
        return "250 Message accepted"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> Counter:
        return Counter(str(message["Message-ID"]) for message in self.messages)

    def to(self, address: str, subject_part: str) -> list:
        return [m for m in self.messages if m["To"] == address and subject_part in str(m["Subject"])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def inbox():
    box = Inbox(_free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture
def portal_on(redis_server, settings):
    """This process's cache, sessions and broker on the scenario's Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "rma_portal.cache.PortalRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        },
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rma_cache"},
    }
    settings.SESSION_ENGINE = "accounts.sessions"
    settings.CUSTOMER_PAGE_CACHE_SECONDS = 300
    settings.OUTBOX_RELAY_AFTER = 3
    settings.LOGIN_CODE_RELAY_AFTER = 2
    saved = {name: getattr(celery_app.conf, name) for name in ("broker_url", "task_always_eager")}
    reset_broker_connections()
    celery_app.conf.broker_url = redis_server.url
    celery_app.conf.task_always_eager = False
    yield redis_server
    reset_broker_connections()
    for name, value in saved.items():
        setattr(celery_app.conf, name, value)


@pytest.fixture
def start_worker(portal_on, inbox, tmp_path):
    """``start_worker()`` starts a worker process on the scenario's Redis; stopped at the end."""
    started = []

    def start(**extra_settings: str):
        context = running_worker(
            "celery",
            tmp_path / f"worker-{len(started)}.log",
            REDIS_URL=portal_on.url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(inbox.port),
            **{**WORKER_SETTINGS, **extra_settings},
        )
        process = context.__enter__()
        started.append(context)
        return process

    yield start
    for context in reversed(started):
        context.__exit__(None, None, None)


def all_done() -> bool:
    return not OutboxMessage.objects.filter(done_at__isnull=True).exists()


def relay_round() -> None:
    """What Celery beat does every few seconds in production."""
    outbox.relay()


@pytest.fixture
def web_server(portal_on, tmp_path, settings):
    """A gunicorn process (one worker, persistent database connections) on a port of its own."""
    port = next((port for port in WEB_PORTS if not _answers(port)), None)
    if port is None:
        pytest.skip("no free port for the fault suite's web server (8150-8159)")
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": portal_on.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "rma_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert wait_for(lambda: _answers(port), 30), (tmp_path / "web.log").read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()

"""A real Celery worker process on the test Redis, for the tests of the task paths."""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from rma_portal.celery import app as celery_app
from tests.conftest import redis_url_for_tests

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The URL of the database this test runs on, for a process started by the test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def reset_broker_connections() -> None:
    """Forget the app's connections, so the next send uses the broker the test set: an eager
    run keeps a producer pool of its own, which ``close()`` leaves in place."""
    celery_app.close()
    celery_app.amqp._producer_pool = None


def _reset_routes() -> None:
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@contextlib.contextmanager
def own_queue(tasks: str) -> Iterator[str]:
    """Send the tasks matching ``tasks`` (e.g. ``"accounts.tasks.*"``) to a queue of their
    own on the test Redis, instead of running them in-process."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    saved = {
        name: getattr(celery_app.conf, name) for name in ("broker_url", "task_always_eager", "task_routes")
    }
    reset_broker_connections()
    celery_app.conf.broker_url = redis_url_for_tests()
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_routes = {tasks: {"queue": queue}}
    _reset_routes()
    try:
        yield queue
    finally:
        reset_broker_connections()
        for name, value in saved.items():
            setattr(celery_app.conf, name, value)
        _reset_routes()


@contextlib.contextmanager
def running_worker(queue: str, log_path: Path, **environment: str) -> Iterator[subprocess.Popen]:
    """A worker process consuming ``queue``, on the test database and Redis, with extra
    settings from ``environment``; its log is ``process.log_path``."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url_for_tests(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": queue,  # what its tasks send goes to the test's queue too
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "LOG_LEVEL": "INFO",
        **environment,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "rma_portal", "worker",
                "--pool=solo", "--loglevel=INFO",
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

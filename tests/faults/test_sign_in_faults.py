"""
"Send Code" through faults, against real processes: every code a page answered "sent" for
reaches the inbox, and the newest one signs the customer in. Each scenario counts the codes
asked for against the codes delivered (issue 22).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client

from accounts.models import LoginCodeDevice
from rma.backoffice.models import CaseReminder
from rma_portal.models import OutboxMessage
from tests.factories import CustomerFactory
from tests.faults.conftest import relay_round, wait_for
from tests.test_outbox import broker_away
from tests.workers import PROJECT_ROOT, test_database_url

pytestmark = [
    pytest.mark.faults,
    pytest.mark.services,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


@pytest.fixture(autouse=True)
def quick_relay(settings):
    settings.LOGIN_CODE_RELAY_AFTER = 2


def _codes_to(inbox, address: str) -> list[str]:
    return [
        CODE.search(message.get_body(("plain",)).get_content()).group(1)
        for message in inbox.to(address, "sign-in code")
    ]


def _ask(client: Client, address: str) -> int:
    return client.post("/login/", {"email": address}).status_code


def _signs_in(client: Client, code: str) -> bool:
    return client.post("/login/verify/", {"code": code}).get("Location") == "/rma/"


def _report(scenario: str, asked: int, delivered: int) -> None:
    print(f"\n{scenario}: codes asked {asked}, delivered {delivered}, lost {asked - delivered}")


def _terminate_other_connections() -> int:
    with psycopg.connect(test_database_url(), autocommit=True) as admin:
        return len(
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        )


def test_database_connections_terminated_right_after_send_code_lose_no_code(portal_on, start_worker, inbox):
    customers = [CustomerFactory(email=f"terminated{n}@example.com") for n in range(5)]
    inbox.delay = 0.2  # the worker is still at work on the code when the connections go
    start_worker()
    browsers = []
    for customer in customers:
        browser = Client()
        assert _ask(browser, customer.email) == 302
        time.sleep(0.05)
        _terminate_other_connections()
        connection.close()  # this test's own was among them
        browsers.append(browser)

    assert wait_for(
        lambda: all(_codes_to(inbox, customer.email) for customer in customers), 60, between=relay_round
    ), [len(_codes_to(inbox, c.email)) for c in customers]
    delivered = sum(1 for customer in customers if _codes_to(inbox, customer.email))
    _report("database terminated", len(customers), delivered)
    for browser, customer in zip(browsers, customers, strict=True):
        assert _signs_in(browser, _codes_to(inbox, customer.email)[-1])


def test_redis_restarted_empty_right_after_send_code_loses_neither_the_code_nor_the_sign_in(
    portal_on, start_worker, inbox
):
    customers = [CustomerFactory(email=f"restarted{n}@example.com") for n in range(3)]
    browsers = [Client() for _ in customers]
    # No worker yet: the requests are on the broker when Redis goes, as within 0.1 s of the page.
    for browser, customer in zip(browsers, customers, strict=True):
        assert _ask(browser, customer.email) == 302
    portal_on.kill()
    verify_pages = [browser.get("/login/verify/") for browser in browsers]
    portal_on.start()  # empty
    start_worker()

    assert [page.status_code for page in verify_pages] == [200, 200, 200]  # not sent back to /login/
    assert wait_for(
        lambda: all(_codes_to(inbox, customer.email) for customer in customers), 60, between=relay_round
    )
    delivered = sum(1 for customer in customers if _codes_to(inbox, customer.email))
    _report("Redis restarted empty", len(customers), delivered)
    assert delivered == len(customers)
    for browser, customer in zip(browsers, customers, strict=True):
        assert _signs_in(browser, _codes_to(inbox, customer.email)[-1])


def test_a_worker_killed_during_a_burst_of_sign_ins_loses_no_code(portal_on, start_worker, inbox, settings):
    # A short cooldown, so that customers ask again across the worker's restart, as in the soak.
    settings.LOGIN_CODE_COOLDOWN = 2
    customers = [CustomerFactory(email=f"burst{n}@example.com") for n in range(12)]
    browsers = {customer.email: Client() for customer in customers}
    inbox.delay = 0.3
    worker = start_worker(LOGIN_CODE_COOLDOWN="2")
    asked: list[str] = []
    lock = threading.Lock()

    def ask(address: str) -> None:
        status = _ask(browsers[address], address)
        connection.close()
        if status == 302:
            with lock:
                asked.append(address)

    threads = [threading.Thread(target=ask, args=(c.email,)) for c in customers[:8]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wait_for(lambda: inbox.messages, 30)
    os.kill(worker.pid, signal.SIGKILL)  # mid-burst: some codes sent, one being sent, others queued
    worker.wait()
    for customer in customers[8:]:  # asked for while the worker is dead
        ask(customer.email)
    time.sleep(2.1)  # past the cooldown: the first customers ask again, before the restart
    for customer in customers[:3]:
        ask(customer.email)
    start_worker(LOGIN_CODE_COOLDOWN="2")

    assert wait_for(
        lambda: all(_codes_to(inbox, customer.email) for customer in customers), 90, between=relay_round
    ), {c.email: len(_codes_to(inbox, c.email)) for c in customers}
    assert wait_for(
        lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), 60, between=relay_round
    )
    signed_in = sum(
        1
        for customer in customers
        if _signs_in(browsers[customer.email], _codes_to(inbox, customer.email)[-1])
    )
    _report("worker SIGKILLed mid-burst", len(asked), len(asked) - (len(customers) - signed_in))
    print(f"emails {len(inbox.messages)} for {len(asked)} requests of {len(customers)} customers")
    # The newest email of every customer carries the code that works in their browser.
    assert signed_in == len(customers)


def test_a_failing_job_under_run_schedule_leaves_the_others_running_and_codes_delivered(
    inbox, tmp_path, settings
):
    settings.LOGIN_CODE_RELAY_AFTER = 0
    customers = [CustomerFactory(email=f"scheduled{n}@example.com") for n in range(3)]
    browsers = [Client() for _ in customers]
    with broker_away():  # the codes wait in the outbox for run_schedule's relay
        for browser, customer in zip(browsers, customers, strict=True):
            assert _ask(browser, customer.email) == 302
    expired = LoginCodeDevice.objects.create(
        user=CustomerFactory(), name="Emailed sign-in code", confirmed=False
    )
    LoginCodeDevice.objects.filter(pk=expired.pk).update(token="x" * 16, valid_until="2020-01-01T00:00Z")
    table = CaseReminder._meta.db_table
    with connection.cursor() as cursor:  # the reminders job now fails every time it runs
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "1",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "REDIS_URL": "",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(inbox.port),
        "EMAIL_USE_TLS": "false",
        "OUTBOX_RELAY_EVERY": "1",
    }
    log_path = tmp_path / "run_schedule.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_schedule"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        assert wait_for(lambda: all(_codes_to(inbox, c.email) for c in customers), 60), log_path.read_text()
        assert process.poll() is None, log_path.read_text()
        # Asked for after the failure: the relay still runs every second.
        late = CustomerFactory(email="scheduled-late@example.com")
        late_browser = Client()
        with broker_away():
            assert _ask(late_browser, late.email) == 302
        assert wait_for(lambda: _codes_to(inbox, late.email), 30), log_path.read_text()
        assert wait_for(lambda: LoginCodeDevice.objects.get(pk=expired.pk).token is None, 30)
    finally:
        process.terminate()
        process.wait(timeout=15)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_gone RENAME TO {table}")
    output = log_path.read_text()
    assert "send-deadline-reminders failed" in output, output
    delivered = sum(1 for c in [*customers, late] if _codes_to(inbox, c.email))
    _report("run_schedule with a failing job", len(customers) + 1, delivered)
    assert delivered == len(customers) + 1
    for browser, customer in zip([*browsers, late_browser], [*customers, late], strict=True):
        assert _signs_in(browser, _codes_to(inbox, customer.email)[-1])

#!/usr/bin/env python
"""
``make soak``: customers walking the whole journey for several minutes on the production
processes, with figures at the end.

It starts everything it needs on its own ports: a Redis server (cache and broker), an SMTP
server that keeps what it receives, gunicorn (2 workers x 4 threads, production settings),
a Celery worker and beat (each under ``rma_portal.supervise``, as ``make serve`` runs them).
Each simulated customer asks for a sign-in code, waits for its email, signs in with it,
opens the case list and their case, agrees to the solution once, writes messages and signs
out, again and again. With ``--faults`` it also kills Redis for 30 s a third of the way in
(and starts it again, empty), terminates every other connection to the database halfway
(``pg_terminate_backend``), and kills the Celery worker with SIGKILL at two thirds.

At the end it waits for the outbox to drain and prints: requests, 5xx, p50/p95, sign-in
codes asked for and delivered, messages posted and stored, team emails expected, delivered
and sent twice.

Needs PostgreSQL (``SOAK_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/rma_soak``;
the database is created if missing) and ``redis-server`` on the path.
"""

from __future__ import annotations

import argparse
import datetime
import email
import email.policy
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ensure_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')

SEED = """
from accounts.models import User
from tests.factories import CaseFactory, CustomerFactory
for n in range({customers}):
    address = f"soak{{n:03d}}@soak.example"
    if not User.objects.filter(email=address).exists():
        CaseFactory(customer=CustomerFactory(email=address), number=f"RMA-2019-{{n:06d}}")
"""
# Counted from the start of this run: the database is kept from one run to the next.
COUNT = """
from rma.cases.models import CaseMessage
from rma_portal.models import OutboxMessage
since = "{since}"
print(CaseMessage.objects.filter(body__startswith="soak ", created_at__gte=since).count(),
      OutboxMessage.objects.filter(task_name__startswith="rma.tasks.send_", created_at__gte=since).count(),
      OutboxMessage.objects.filter(done_at__isnull=True).count())
"""


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def code_for(self, address: str, after: int) -> str | None:
        with self.lock:
            found = [
                m for m in self.messages[after:] if m["To"] == address and "sign-in code" in str(m["Subject"])
            ]
        if not found:
            return None
        match = CODE.search(found[-1].get_body(("plain",)).get_content())
        return match.group(1) if match else None


class Figures:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.codes_asked = 0
        self.codes_delivered = 0
        self.code_waits: list[float] = []
        self.messages_posted = 0
        self.failures: Counter = Counter()
        self.errors: Counter = Counter()

    def record(self, started: float, status: int, url: str = "") -> None:
        with self.lock:
            self.latencies.append(time.monotonic() - started)
            self.statuses[status] += 1
            if status >= 500:
                self.errors[
                    (status, re.sub(r"RMA-[\d-]+", "<number>", url.split(":", 2)[-1].split("/", 1)[-1]))
                ] += 1


def call(
    session: requests.Session, figures: Figures, method: str, url: str, **kwargs
) -> requests.Response | None:
    started = time.monotonic()
    try:
        response = session.request(method, url, allow_redirects=False, timeout=30, **kwargs)
    except requests.RequestException as error:
        figures.record(started, 0)
        figures.failures[type(error).__name__] += 1
        return None
    figures.record(started, response.status_code, url)
    return response


def journey(base: str, address: str, inbox: Inbox, figures: Figures, until: float) -> None:
    """One customer, round after round until ``until``."""
    agreed = False
    message = 0
    while time.monotonic() < until:
        session = requests.Session()
        page = call(session, figures, "GET", base + "/login/")
        if page is None or page.status_code != 200:
            time.sleep(1)
            continue
        token = TOKEN.search(page.text).group(1)
        seen = len(inbox.messages)
        asked = call(
            session, figures, "POST", base + "/login/", data={"csrfmiddlewaretoken": token, "email": address}
        )
        if asked is None or asked.status_code != 302:
            time.sleep(1)
            continue
        with figures.lock:
            figures.codes_asked += 1
        asked_at = time.monotonic()
        code = None
        while code is None and time.monotonic() - asked_at < 180:
            time.sleep(0.5)
            code = inbox.code_for(address, seen)
        if code is None:
            continue
        with figures.lock:
            figures.codes_delivered += 1
            figures.code_waits.append(time.monotonic() - asked_at)
        verify = call(session, figures, "GET", base + "/login/verify/")
        token = (
            TOKEN.search(verify.text).group(1) if verify is not None and verify.status_code == 200 else token
        )
        signed_in = call(
            session,
            figures,
            "POST",
            base + "/login/verify/",
            data={"csrfmiddlewaretoken": token, "code": code},
        )
        if signed_in is None or signed_in.status_code != 302:
            continue
        listing = call(session, figures, "GET", base + "/rma/")
        numbers = re.findall(r'data-rma="(RMA-[\d-]+)"', listing.text if listing is not None else "")
        for _ in range(3):
            if not numbers or time.monotonic() >= until:
                break
            case_page = call(session, figures, "GET", f"{base}/rma/{numbers[0]}/")
            if case_page is None or case_page.status_code != 200:
                continue
            token = TOKEN.search(case_page.text).group(1)
            revision = REVISION.search(case_page.text)
            if revision and not agreed:
                data = {"csrfmiddlewaretoken": token, "revision": revision.group(1)}
                agreed = (
                    call(session, figures, "POST", f"{base}/rma/{numbers[0]}/agree/", data=data) is not None
                )
            message += 1
            data = {"csrfmiddlewaretoken": token, "body": f"soak {address} {message}"}
            posted = call(session, figures, "POST", f"{base}/rma/{numbers[0]}/messages/", data=data)
            if posted is not None and posted.status_code == 302:
                with figures.lock:
                    figures.messages_posted += 1
        call(
            session,
            figures,
            "POST",
            base + "/logout/",
            data={"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        )


def _terminate_database_connections(database_url: str) -> int:
    """What a database failover or restart does to the portal: every other connection to
    its database is cut."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return len(
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--customers", type=int, default=12)
    parser.add_argument(
        "--faults",
        action="store_true",
        help="kill Redis for 30 s, then terminate the database's connections, then kill the worker",
    )
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--web-port", type=int, default=8151)
    parser.add_argument("--smtp-port", type=int, default=8152)
    args = parser.parse_args()

    database_url = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rma_soak")
    ensure_database(database_url)
    redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SECRET_KEY="soak-" + secrets.token_urlsafe(48),
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_STATIC_MANIFEST="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(args.smtp_port),
        EMAIL_USE_TLS="false",
        RMA_VAR_DIR=str(ROOT / "var" / "soak"),
        LOGIN_CODE_COOLDOWN="5",
        LOGIN_SENDS_PER_IP_PER_HOUR="1000000",
        LOGIN_VERIFIES_PER_IP_PER_HOUR="1000000",
        LOG_LEVEL="WARNING",
    )
    redis_command = [
        "redis-server",
        "--port",
        str(args.redis_port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    processes: dict[str, subprocess.Popen] = {}
    logs = ROOT / "var" / "soak"
    logs.mkdir(parents=True, exist_ok=True)

    def start(name: str, command: list[str]) -> None:
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=(logs / f"{name}.log").open("w"), stderr=subprocess.STDOUT
        )

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    try:
        start("redis", redis_command)
        subprocess.run(
            [str(BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run([str(BIN / "python"), "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [
                str(BIN / "python"),
                "manage.py",
                "shell",
                "--no-imports",
                "-c",
                SEED.format(customers=args.customers),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        supervise = [str(BIN / "python"), "-m", "rma_portal.supervise"]
        start(
            "worker",
            supervise
            + [str(BIN / "celery"), "-A", "rma_portal", "worker", "--loglevel=WARNING", "--concurrency=2"],
        )
        start(
            "beat",
            supervise
            + [
                str(BIN / "celery"),
                "-A",
                "rma_portal",
                "beat",
                "--loglevel=WARNING",
                "--schedule",
                str(logs / "beat-schedule"),
            ],
        )
        start(
            "web",
            [
                str(BIN / "gunicorn"),
                "rma_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.web_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
        )
        base = f"http://127.0.0.1:{args.web_port}"
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)

        figures = Figures()
        since = datetime.datetime.now(datetime.UTC).isoformat()
        began = time.monotonic()
        until = began + args.minutes * 60
        threads = [
            threading.Thread(target=journey, args=(base, f"soak{n:03d}@soak.example", inbox, figures, until))
            for n in range(args.customers)
        ]
        for thread in threads:
            thread.start()
        if args.faults:
            time.sleep(args.minutes * 60 / 3)
            print("fault: Redis killed for 30 s", flush=True)
            processes["redis"].kill()
            time.sleep(30)
            start("redis", redis_command)
            print("fault: Redis started again (empty)", flush=True)
            time.sleep(max(0.0, began + args.minutes * 30 - time.monotonic()))
            terminated = _terminate_database_connections(env["DATABASE_URL"])
            print(f"fault: {terminated} database connections terminated", flush=True)
            time.sleep(max(0.0, began + args.minutes * 40 - time.monotonic()))
            children = subprocess.run(
                ["pgrep", "-P", str(processes["worker"].pid)], capture_output=True, text=True
            ).stdout.split()
            for pid in children:
                os.kill(int(pid), signal.SIGKILL)
            print(f"fault: worker {' '.join(children)} killed with SIGKILL", flush=True)
        for thread in threads:
            thread.join()

        drained = time.monotonic()
        waiting = -1
        while time.monotonic() - drained < 180:
            stored, expected, waiting = map(
                int,
                subprocess.run(
                    [
                        str(BIN / "python"),
                        "manage.py",
                        "shell",
                        "--no-imports",
                        "-c",
                        COUNT.format(since=since),
                    ],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split(),
            )
            if waiting == 0:
                break
            time.sleep(5)
        time.sleep(3)
        team = [m for m in inbox.messages if "rma-outbox" in str(m["Message-ID"])]
        keys = Counter(str(m["Message-ID"]) for m in team)
        statuses = figures.statuses
        print()
        print(
            f"duration            {args.minutes:g} min, {args.customers} customers{' , with faults' if args.faults else ''}"
        )
        print(f"requests            {sum(statuses.values())}")
        errors = ", ".join(f"{count} x {status} /{path}" for (status, path), count in figures.errors.items())
        print(f"5xx                 {sum(c for s, c in statuses.items() if s >= 500)} {errors}")
        print(f"no answer           {statuses[0]} {dict(figures.failures) or ''}")
        print(
            f"p50 / p95           {percentile(figures.latencies, 0.5):.0f} ms / {percentile(figures.latencies, 0.95):.0f} ms"
        )
        print(
            f"codes asked         {figures.codes_asked}, delivered {figures.codes_delivered}"
            f" (wait p50 {statistics.median(figures.code_waits or [0]):.1f} s, max {max(figures.code_waits or [0]):.1f} s)"
        )
        print(f"messages posted     {figures.messages_posted}, stored {stored}")
        print(
            f"outbox emails       {expected} recorded, {len(keys)} delivered, {sum(keys.values()) - len(keys)} sent twice,"
            f" {waiting} still waiting after {time.monotonic() - drained:.0f} s"
        )
        print("orphan files        none possible: this journey uploads nothing")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()


if __name__ == "__main__":
    main()

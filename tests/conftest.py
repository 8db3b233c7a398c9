"""
Shared fixtures.

Tests that need a real service carry a marker (``postgres``, ``services``, ``browser``) and
skip, saying why, when the service is missing. CI sets ``RMA_FORBID_SKIPS=1`` on the run
against PostgreSQL and Redis, which turns every skip into a failure.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from payments import paypal
from tests import dovecot
from tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from tests.payments.paypal_server import CLIENT_ID, CLIENT_SECRET, PayPalServer
from tests.staff import staff_client_for

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("RMA_FORBID_SKIPS") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped while RMA_FORBID_SKIPS=1 (every test must run): {report.longrepr}"


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    return [
        f"database engine: {database['ENGINE'].rsplit('.', 1)[-1]} ({database['NAME']})",
        f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"skips forbidden: {os.environ.get('RMA_FORBID_SKIPS') == '1'}",
    ]


def _redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def redis_url_for_tests() -> str:
    """The Redis the service tests use: ``REDIS_URL`` if set, else the local default."""
    return os.environ.get("TEST_REDIS_URL") or settings.REDIS_URL or "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("services") and not _redis_answers(redis_url_for_tests()):
        pytest.skip("needs Redis: none answers at " + redis_url_for_tests())


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached values never leak from one test to the next."""
    from django.core.cache import caches

    # The database cache is rolled back with each test; a shared cache must be emptied. The
    # cache of the run is held on to: a test may point ``CACHES`` elsewhere until after this
    # fixture's teardown.
    cache = caches["default"]
    shared = not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    if shared:
        cache.clear()
    yield
    if shared:
        cache.clear()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads and emails under its own temporary folder."""
    if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages = {**settings.STORAGES}
        storages["default"] = {
            **storages["default"],
            "OPTIONS": {**storages["default"]["OPTIONS"], "location": tmp_path / "media"},
        }
        settings.STORAGES = storages
        settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"


@pytest.fixture(scope="session")
def dovecot_server():
    """A real IMAP server (Dovecot) on loopback, for the whole run; skipped only without Dovecot."""
    if dovecot.dovecot_path() is None:
        pytest.skip("needs Dovecot: apt-get install dovecot-imapd")
    server = dovecot.Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot_server, settings):
    """The team's mailbox, empty, on the Dovecot of the run, with the portal's settings pointing at it."""
    dovecot_server.empty()
    settings.INBOUND_IMAP_HOST = "127.0.0.1"
    settings.INBOUND_IMAP_PORT = dovecot_server.port
    settings.INBOUND_IMAP_USER = dovecot.USER
    settings.INBOUND_IMAP_PASSWORD = dovecot.PASSWORD
    settings.INBOUND_IMAP_CA_FILE = str(dovecot_server.cert)
    settings.INBOUND_REPLY_ADDRESS = dovecot.USER
    return dovecot_server


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """The system Chromium (Debian's ``chromium`` package), driven by Playwright."""
    path = chromium_path()
    if not path:
        pytest.skip("needs Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems(list):
    """Console errors, uncaught exceptions and CSP violations seen while a page was open."""


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context on the live server; fails the test on console errors."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = PageProblems()
    page.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # Chromium reports CSP violations as console errors; the event makes it explicit.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def sign_in(page, live_server):
    """Sign a user in on the live server: ``sign_in(user)`` gives ``page`` their session cookie."""

    def sign_in_as(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in_as


# --- The people of a case, and their signed-in clients ------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff factories set passwords; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def agent(db):
    return AgentFactory(full_name="Agnes Agent")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(full_name="Sam Supervisor")


@pytest.fixture
def customer_client(customer):
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def agent_client(agent):
    return staff_client_for(agent)


@pytest.fixture
def supervisor_client(supervisor):
    return staff_client_for(supervisor)


@pytest.fixture
def paypal_server(settings):
    """A PayPal-like server on loopback, with the portal configured to use it."""
    paypal._client.cache_clear()
    with PayPalServer() as server:
        settings.PAYPAL_API_BASE_URL = server.url
        settings.PAYPAL_CLIENT_ID = CLIENT_ID
        settings.PAYPAL_CLIENT_SECRET = CLIENT_SECRET
        settings.PAYPAL_TIMEOUT = 2.0
        settings.PAYPAL_RECEIVING_ACCOUNT = "payments@example.com"
        yield server
    paypal._client.cache_clear()


@pytest.fixture
def paypal_off(settings):
    """No PayPal credentials at all."""
    paypal._client.cache_clear()
    settings.PAYPAL_CLIENT_ID = ""
    settings.PAYPAL_CLIENT_SECRET = ""

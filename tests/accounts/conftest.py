"""Helpers for the sign-in tests: ask for a code the way a browser does, read it from the email."""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail

CODE_IN_BODY = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
# In the future, so that sessions created under the frozen clock are still valid after it.
START = datetime(2031, 3, 3, 9, 0, 0, tzinfo=UTC)


def code_from_email(message) -> str:
    """The 6-digit code in a sign-in email's text part."""
    match = CODE_IN_BODY.search(message.body)
    assert match, f"no code in: {message.body!r}"
    return match.group(1)


@pytest.fixture
def request_code(django_capture_on_commit_callbacks):
    """POST /login/ (or the resend button) and return (response, code emailed or None)."""

    def _request(client, email: str, *, resend: bool = False):
        sent_before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            if resend:
                response = client.post("/login/verify/", {"resend": "1"})
            else:
                response = client.post("/login/", {"email": email})
        new = [m for m in mail.outbox[sent_before:] if "sign-in code for" in m.subject]
        return response, (code_from_email(new[-1]) if new else None)

    return _request


CODE_ERROR = re.compile(r'<ul class="errorlist" id="code-errors" role="alert"><li>(.*?)</li>', re.DOTALL)


def code_error(response) -> str:
    """The error the verify page shows under the code field, or what it showed instead."""
    match = CODE_ERROR.search(response.content.decode())
    return match.group(1) if match else f"no error ({response.status_code})"


@pytest.fixture
def guess_limits(settings):
    """The sign-in guess limits at their documented values, the IP limits out of the way."""
    settings.LOGIN_CODE_MAX_FAILURES = 5
    settings.LOGIN_ADDRESS_FAILURES_BEFORE_WAIT = 10
    settings.LOGIN_ADDRESS_FIRST_WAIT = 60
    settings.LOGIN_ADDRESS_MAX_FAILURES_PER_DAY = 30
    settings.LOGIN_VERIFIES_PER_IP_PER_HOUR = 10_000
    settings.LOGIN_SENDS_PER_IP_PER_HOUR = 10_000

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

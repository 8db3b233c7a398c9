"""The customer's sign-in as a person does it in Chromium, reading the code from the email file."""

import email
import email.policy
import re
import time
from pathlib import Path

import pytest

from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_IN_BODY = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


@pytest.fixture
def mail_folder(settings) -> Path:
    """The portal writes emails as files here, as on a local run."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    folder = Path(settings.EMAIL_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Mailbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: set[Path] = set()

    def next_code(self, timeout: float = 10) -> str:
        """The code in the next email file the portal writes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = sorted(set(self.folder.glob("*.log")) - self.seen)
            if new:
                self.seen.update(new)
                raw = new[0].read_bytes().split(b"\n" + b"-" * 79)[0]
                message = email.message_from_bytes(raw, policy=email.policy.default)
                assert "code" in message["Subject"] and not re.search(r"\d{6}", message["Subject"])
                text = message.get_body(("plain",)).get_content()
                return CODE_IN_BODY.search(text).group(1)
            time.sleep(0.1)
        raise AssertionError(f"no email written to {self.folder}")


@pytest.fixture
def mailbox(mail_folder) -> Mailbox:
    return Mailbox(mail_folder)


def ask_for_code(page, address: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Send Code").click()
    page.get_by_role("heading", name="Check your email").wait_for()


def type_code(page, code: str) -> None:
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_customer_signs_in_with_the_code_from_the_email(page, mailbox):
    customer = CustomerFactory(email="demo@example.com")

    ask_for_code(page, customer.email)
    assert page.get_by_text("demo@example.com").first.is_visible()
    code = mailbox.next_code()
    code_field = page.get_by_label("6-digit code")
    assert code_field.get_attribute("inputmode") == "numeric"
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    with page.expect_request(lambda request: request.url.endswith("/rma/")):
        type_code(page, f"{code[:3]} {code[3:]}")  # as pasted from some mail apps

    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.problems == []


def test_a_wrong_code_is_explained_and_the_right_one_still_works(page, mailbox):
    customer = CustomerFactory()
    ask_for_code(page, customer.email)
    code = mailbox.next_code()

    type_code(page, f"{(int(code) + 1) % 1_000_000:06d}")
    error = page.get_by_role("alert")
    assert "That code is not the right one" in error.inner_text()
    assert "4 tries left" in error.inner_text()
    assert page.get_by_role("button", name="Send a new code").is_visible()
    page.wait_for_timeout(1100)  # django-otp's 1-second back-off after a wrong code
    with page.expect_request(lambda request: request.url.endswith("/rma/")):
        type_code(page, code)

    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.problems == []


def test_send_a_new_code_replaces_the_old_one(page, mailbox, settings):
    customer = CustomerFactory()
    ask_for_code(page, customer.email)
    old_code = mailbox.next_code()

    page.get_by_role("button", name="Send a new code").click()
    assert page.get_by_text("You can ask for another one in").is_visible()

    settings.LOGIN_CODE_COOLDOWN = 0  # as if the minute had passed
    page.get_by_role("button", name="Send a new code").click()
    assert page.get_by_text("A new code is on its way").is_visible()
    new_code = mailbox.next_code()

    type_code(page, old_code)
    assert page.get_by_role("alert").is_visible()
    page.wait_for_timeout(1100)  # django-otp's back-off after the refused code
    with page.expect_request(lambda request: request.url.endswith("/rma/")):
        type_code(page, new_code)

    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.problems == []


def test_sign_out_from_the_header_returns_to_the_sign_in_page(page, mailbox):
    customer = CustomerFactory()
    ask_for_code(page, customer.email)
    type_code(page, mailbox.next_code())
    page.get_by_role("button", name="Sign out").wait_for()

    page.get_by_role("button", name="Sign out").click()

    assert page.get_by_text("You are signed out").is_visible()
    assert page.get_by_role("button", name="Send Code").is_visible()
    assert page.problems == []


def test_staff_admin_login_asks_for_the_authenticator_code(page, settings):
    settings.STAFF_TOTP_REQUIRED = True

    page.goto("/admin/login/")

    assert page.get_by_label("Authenticator code:").is_visible()
    assert page.get_by_label("Authenticator code:").get_attribute("autocomplete") == "one-time-code"
    assert page.locator("[data-second-factor=off]").count() == 0
    assert page.problems == []

"""
The portal in each language, in Chromium: the key pages show no English sentence of the
catalogue in their visible text, and nothing overflows sideways on a 360 px wide screen.
"""

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client

from rma.cases.models import Case
from tests.factories import CaseFactory, CustomerFactory
from tests.test_catalogues import SAME_AS_ENGLISH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
VISIBLE_STATUSES = [
    Case.Status.PENDING_CONFIRM,
    Case.Status.DISAGREED,
    Case.Status.AWAITING_INFO,
    Case.Status.UNDER_REVIEW,
    Case.Status.PROCESSING,
    Case.Status.COMPLETED,
    Case.Status.CANCELLED,
]
PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+")


def _english_sentences(language: str) -> list[re.Pattern]:
    """The catalogue's English strings (their longest literal piece), as whole-word patterns.

    Single words are left out: many are words of the other languages too ("Comment" in
    French, "Status" in German).
    """
    path = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
    with open(path, "rb") as po:
        catalogue = read_po(po)
    patterns = []
    for message in catalogue:
        for source in message.id if isinstance(message.id, tuple) else (message.id,):
            if not source or source in SAME_AS_ENGLISH[language]:
                continue
            pieces = [piece.strip(" .,:;()“”") for piece in PLACEHOLDER_OR_TAG.split(source)]
            longest = max(pieces, key=len)
            if " " in longest:
                patterns.append(re.compile(r"(?<!\w)" + re.escape(longest) + r"(?!\w)"))
    return patterns


def _pages(customer) -> list[str]:
    cases = {status: CaseFactory(customer=customer, status=status) for status in VISIBLE_STATUSES}
    steps = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, payment_due=True)
    return [
        "/rma/",
        *[f"/rma/{case.number}/" for case in cases.values()],
        f"/rma/{steps.number}/",
        f"/rma/{steps.number}/return/",
        f"/rma/{steps.number}/payment/",
        f"/rma/{steps.number}/address/",
        "/help/",
        "/support/",
        "/no-such-page/",
    ]


def _check(page, path: str, language: str, english: list[re.Pattern]) -> list[str]:
    problems = []
    assert page.locator("html").get_attribute("lang") == language, path
    if language != "en":
        # Addresses are names, not sentences: warranty-team@example.com stays as it is.
        text = EMAIL_OR_URL.sub(" ", page.locator("body").inner_text())
        problems += [f"{path}: English “{pattern.pattern}”" for pattern in english if pattern.search(text)]
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if wide > 0:
        problems.append(f"{path}: {wide}px wider than the screen")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_pages_are_in_the_language_and_fit_a_narrow_screen(browser, live_server, language):
    customer = CustomerFactory(language=language)
    pages = _pages(customer)
    english = _english_sentences(language) if language != "en" else []
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    problems = []

    page.goto("/login/")
    problems += _check(page, "/login/", language, english)
    # A form refused by the server shows its errors in the language too.
    page.goto("/support/")
    page.evaluate("document.querySelectorAll('form').forEach(form => form.noValidate = true)")
    page.locator("main form button[type=submit]").last.click()
    # The form sends with a progress bar and shows the answer in place.
    page.locator(".errorlist").first.wait_for()
    problems += _check(page, "/support/ (with errors)", language, english)

    client = Client()
    client.force_login(customer)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    for path in pages:
        page.goto(path)
        problems += _check(page, path, language, english)
    context.close()

    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_the_upload_messages_of_the_javascript_are_in_the_language(browser, live_server, tmp_path, language):
    javascript = gettext.translation("djangojs", Path(settings.BASE_DIR) / "locale", [language])
    customer = CustomerFactory(language=language)
    case = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, payment_due=True)
    not_an_image = tmp_path / "notes.txt"
    not_an_image.write_text("not a picture")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    client = Client()
    client.force_login(customer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()

    page.goto(f"/rma/{case.number}/payment/")
    page.locator('input[type="file"][name="receipts"]').set_input_files([str(not_an_image)])
    note = page.locator(".upload-preview__note").first
    note.wait_for()

    assert note.inner_text() == javascript.gettext("Not a JPG, PNG or WEBP image.")
    assert note.inner_text() != "Not a JPG, PNG or WEBP image."
    context.close()

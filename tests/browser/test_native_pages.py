"""
Every customer page in every language at 360 px, in Chromium, written to the test output
folder as a screenshot (``screenshots/<language>/<page>.png``), and read for the line breaks
a native reader notices: a case number or a date split over two lines, Japanese words broken
inside (``keep-all``), anything wider than the screen.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from rma.cases.models import Case
from tests.factories import CaseFactory, CustomerFactory
from tests.output import output_folder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# Elements kept on one line whatever the language: case numbers and dates.
ONE_LINE = "h1 .nowrap, .case-card__number, .responsive-label + .nowrap"
# What Japanese breaks only between phrases.
JAPANESE_WHOLE_WORDS = "h1, h2, .tracker__title, .tracker__state, .tracker__now, .badge, .case-card__due"


def _customer_pages(customer) -> dict[str, str]:
    statuses = {status: CaseFactory(customer=customer, status=status) for status in Case.Status.values}
    waiting = CaseFactory(customer=customer, status=Case.Status.AWAITING_INFO, payment_due=True)
    overdue = CaseFactory(customer=customer, status=Case.Status.PENDING_CONFIRM)
    Case.objects.filter(pk=overdue.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    pages = {"case-list": "/rma/"}
    pages |= {f"case-{status}": f"/rma/{case.number}/" for status, case in statuses.items()}
    pages |= {
        "case-overdue": f"/rma/{overdue.number}/",
        "case-awaiting-info-with-payment": f"/rma/{waiting.number}/",
        "return": f"/rma/{waiting.number}/return/",
        "payment": f"/rma/{waiting.number}/payment/",
        "address": f"/rma/{waiting.number}/address/",
        "help": "/help/",
        "support": "/support/",
        "not-found": "/no-such-page/",
    }
    return pages


def _line_problems(page, name: str, language: str) -> list[str]:
    problems = []
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if wide > 0:
        problems.append(f"{name}: {wide}px wider than the screen")
    split = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(element => element.getClientRects().length > 0)
            .filter(element => {
                const range = document.createRange();
                range.selectNodeContents(element);
                const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
                return tops.size > 1;
            })
            .map(element => element.textContent.trim())""",
        ONE_LINE,
    )
    problems += [f"{name}: “{text}” is split over two lines" for text in split]
    if language == "ja":
        loose = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
                .filter(element => !["keep-all", "auto-phrase"].includes(getComputedStyle(element).wordBreak))
                .map(element => element.textContent.trim())""",
            JAPANESE_WHOLE_WORDS,
        )
        problems += [f"{name}: “{text}” may break inside a word" for text in loose]
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_customer_page_at_360_px_is_written_to_the_test_output_folder(browser, live_server, language):
    customer = CustomerFactory(language=language)
    pages = _customer_pages(customer)
    folder = output_folder("screenshots", language)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    problems = []

    page.goto("/login/")
    page.screenshot(path=folder / "login.png", full_page=True)
    problems += _line_problems(page, "login", language)
    page.locator("input[type=email]").fill(customer.email)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/login/verify/**")
    page.screenshot(path=folder / "verify.png", full_page=True)
    problems += _line_problems(page, "verify", language)

    client = Client()
    client.force_login(customer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    for name, path in pages.items():
        page.goto(path)
        page.screenshot(path=folder / f"{name}.png", full_page=True)
        problems += _line_problems(page, name, language)
    context.close()

    assert sorted(path.stem for path in folder.glob("*.png")) >= sorted(["login", "verify", *pages])
    assert problems == [], "\n".join(problems)

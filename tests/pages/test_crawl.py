"""
Every link the pages offer answers without a server error: the demo customer, the demo agent
and the demo supervisor each follow every link of the portal or the admin over the demo data
(a case in every status of the lifecycle), in English and in Japanese.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from rma.cases.models import Case
from tests.crawl import Crawler
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db

DEMO_CUSTOMER = "demo@example.com"
ROLES = {
    "customer": DEMO_CUSTOMER,
    "agent": "agent@example.com",
    "supervisor": "supervisor@example.com",
}
START = {
    "customer": ["/", "/rma/", "/help/", "/support/"],
    "agent": ["/admin/"],
    "supervisor": ["/admin/"],
}
# How many query strings of the admin's lists each crawl tries. Every filter and its choices
# are drawn on the bare list in either language; the queries behind the choices do not
# depend on the language, so the Japanese crawl tries fewer of them.
LIST_VARIANTS = {
    "en": {"variants_per_filter": 10, "variants_per_path": 24},
    "ja": {"variants_per_filter": 2, "variants_per_path": 6},
}


@pytest.fixture
def demo_cases(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    return list(Case.objects.filter(customer__email=DEMO_CUSTOMER).order_by("pk"))


def signed_in(role: str, language: str) -> Client:
    """The demo person of ``role``, having chosen ``language`` with the switch every page offers."""
    user = User.objects.get(email=ROLES[role])
    if user.is_staff:
        client = staff_client_for(user)
    else:
        client = Client()
        client.force_login(user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    user.refresh_from_db()
    assert user.language == language
    return client


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_answers_without_a_server_error(role, language, demo_cases):
    assert {case.status for case in demo_cases} == set(Case.Status.values)

    result = Crawler(signed_in(role, language), START[role], **LIST_VARIANTS[language]).run()

    if result.failures:
        count = len(result.failures)
        pytest.fail(f"{count} links answered a server error:\n{result.report()}", pytrace=False)
    # The crawl reached every case the person may open, and the pages were in their language.
    if role == "customer":
        cases = [f"/rma/{case.number}/" for case in demo_cases if case.status not in Case.HIDDEN_STATUSES]
    else:
        cases = [f"/admin/rma/case/{case.pk}/change/" for case in demo_cases]
    assert set(cases) - set(result.visits) == set()
    if role != "customer":
        # And every kind of tool a case page links to: confirmations, parts, review, invoice.
        tools = {"/action/", "/part/", "/waive/", "/review/", "/send-invoice/"}
        assert {tool for tool in tools for url in result.visits if tool in url} == tools
    pages = result.pages()
    assert len(pages) >= 3 * len(cases)
    assert [visit.url for visit in pages if visit.lang != language] == []

"""
Every admin address of a case answers, for every status and every role, with a page, a
redirect, a refusal or a "not found", never a server error.

The addresses are read from the admin's own URL patterns: every pattern of the case's admin
that takes the case (its tools, confirmation pages, review, entering and waiving a part,
history, change, delete...), every pattern of another admin that takes a case id (the
invoice), and the pages of the case's parts in their own admins. A tool added later is in the
table without a line here. A pattern's other arguments are filled from what is declared: every
action of the lifecycle and every kind of required part, plus one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, reverse

from accounts.models import User
from rma.cases.models import TRANSITIONS, Case
from rma.required.parts import part_models
from tests.crawl import exception_summary
from tests.staff import staff_client_for

pytestmark = pytest.mark.django_db
S = Case.Status

PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")
UNDECLARED = "not-declared"
# What a pattern's arguments other than the case are filled with.
DECLARED_VALUES = {
    "action": [*sorted({row.action.value for row in TRANSITIONS}), UNDECLARED],
    "key": [*(model.key for model in part_models()), UNDECLARED],
}
ANSWERS = {200, 302, 403, 404}


@dataclass(frozen=True)
class CaseUrl:
    """One admin URL pattern that takes a case, or a row belonging to a case."""

    model: type
    route: str
    # The argument naming the object: the case itself, or a row of ``model`` of the case.
    object_argument: str
    of_case: bool

    @property
    def prefix(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def urls(self, case: Case) -> list[str]:
        if self.of_case:
            ids = [case.pk]
        else:
            ids = list(self.model.objects.filter(case=case).values_list("pk", flat=True))
        urls = [self.prefix + self.route]
        for name in PLACEHOLDER.findall(self.route):
            values = [str(pk) for pk in ids] if name == self.object_argument else DECLARED_VALUES[name]
            urls = [url.replace(f"<{name}>", value, 1) for url in urls for value in values]
        return urls


def _bare(route: str) -> str:
    """``<path:object_id>/x/`` as ``<object_id>/x/``."""
    return PLACEHOLDER.sub(lambda match: f"<{match.group(1)}>", route)


def case_url_patterns() -> list[CaseUrl]:
    """Every admin URL pattern that takes a case id, or the id of a row that belongs to a case."""
    found = []
    for model, model_admin in admin.site._registry.items():
        belongs_to_case = any(
            field.name == "case" and field.related_model is Case for field in model._meta.concrete_fields
        )
        for pattern in model_admin.get_urls():
            assert isinstance(pattern, URLPattern), pattern
            route = _bare(str(pattern.pattern))
            arguments = PLACEHOLDER.findall(route)
            if model is Case and "object_id" in arguments:
                found.append(CaseUrl(model, route, "object_id", of_case=True))
            elif "case_id" in arguments:
                found.append(CaseUrl(model, route, "case_id", of_case=True))
            elif belongs_to_case and "object_id" in arguments:
                found.append(CaseUrl(model, route, "object_id", of_case=False))
            else:
                continue
            unfilled = set(arguments) - {found[-1].object_argument, *DECLARED_VALUES}
            assert not unfilled, f"no values to fill {unfilled} of {model.__name__}'s {route}"
    return found


def test_the_table_holds_every_tool_of_a_case():
    case_routes = {url.route for url in case_url_patterns() if url.model is Case}
    assert case_routes >= {
        "<object_id>/action/<action>/",
        "<object_id>/part/<key>/",
        "<object_id>/waive/",
        "<object_id>/review/",
        "<object_id>/history/",
        "<object_id>/change/",
        "<object_id>/delete/",
    }
    others = {(url.model._meta.model_name, url.route) for url in case_url_patterns() if url.model is not Case}
    assert ("supplementarypayment", "send-invoice/<case_id>/") in others
    assert ("replacementchoice", "<object_id>/change/") in others


@pytest.fixture(scope="module")
def demo_cases(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, list[Case]]:
    """The demo data (``seed_demo``), made once for the table and rolled back after it: each
    row runs in a savepoint of its own inside."""
    media = tmp_path_factory.mktemp("media")
    storages = {**settings.STORAGES}
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {
            **storages["default"],
            "OPTIONS": {**storages["default"]["OPTIONS"], "location": media},
        }
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, MEDIA_ROOT=media, STORAGES=storages),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        by_status: dict[str, list[Case]] = {}
        for case in Case.objects.order_by("pk"):
            by_status.setdefault(case.status, []).append(case)
        yield by_status
        transaction.set_rollback(True)


def client_for(role: str) -> Client:
    if role == "anonymous":
        return Client(raise_request_exception=False)
    user = User.objects.get(email=f"{role}@example.com")
    client = staff_client_for(user) if user.is_staff else Client()
    if not user.is_staff:
        client.force_login(user)
    client.raise_request_exception = False
    return client


ROLES = ["agent", "supervisor", "demo", "anonymous"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", S.values)
def test_every_admin_url_of_a_case_answers_without_a_server_error(status, role, demo_cases):
    client = client_for(role)
    patterns = case_url_patterns()
    wrong = []
    answered = 0
    for case in demo_cases[status]:
        for pattern in patterns:
            for url in pattern.urls(case):
                response = client.get(url)
                answered += 1
                if role in ("demo", "anonymous"):
                    # Only staff get past the admin's sign-in.
                    expected = response.status_code == 302 and response["Location"].startswith(
                        "/admin/login/"
                    )
                else:
                    expected = response.status_code in ANSWERS
                if not expected:
                    error = getattr(response, "exc_info", None)
                    raised = f": {exception_summary(error[1])}" if error else ""
                    wrong.append(f"{response.status_code} {url}{raised}")
        if role in ("agent", "supervisor"):
            assert client.get(f"/admin/rma/case/{case.pk}/change/").status_code == 200
    assert answered >= 25 * len(demo_cases[status])
    if wrong:
        listing = "\n".join(wrong)
        pytest.fail(f"{len(wrong)} addresses answered unexpectedly as {role}:\n{listing}", pytrace=False)

"""Which language a page is in: the choice (cookie, then account), else Accept-Language, else English."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.accounts.conftest import code_from_email
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTML_LANG = re.compile(r'<html lang="([^"]+)"')


def _page_language(response) -> str:
    return HTML_LANG.search(response.content.decode()).group(1)


def _sign_in(client, request_code, email: str):
    request_code(client, email)
    # The email is in the sign-in page's language: its code is found by its place, not its subject.
    code = code_from_email(mail.outbox[-1])
    return client.post("/login/verify/", {"code": code})


def test_without_a_choice_the_browser_language_is_used():
    client = Client(headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})

    response = client.get("/login/")

    assert _page_language(response) == "de"
    assert response["Content-Language"] == "de"


def test_a_language_the_portal_does_not_speak_falls_back_to_english():
    client = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})

    assert _page_language(client.get("/login/")) == "en"


def test_the_language_switch_is_on_the_sign_in_page_and_posts_with_csrf():
    page = Client().get("/login/").content.decode()

    form = r'<form class="language-switch" method="post" action="/i18n/setlang/">(.*?)</form>'
    switch = re.search(form, page, re.S)
    assert switch
    assert 'name="csrfmiddlewaretoken"' in switch.group(1)
    assert all(f'value="{code}"' in switch.group(1) for code in ("en", "de", "fr", "es", "it", "ja"))


def test_a_choice_before_sign_in_is_kept_in_a_cookie_over_accept_language():
    client = Client(headers={"accept-language": "de"})

    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.cookies["django_language"].value == "fr"
    assert _page_language(client.get("/login/")) == "fr"


def test_the_switch_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)

    assert client.post("/i18n/setlang/", {"language": "fr"}).status_code == 403


def test_the_choice_made_on_the_sign_in_page_becomes_the_account_language(request_code):
    customer = CustomerFactory()
    client = Client()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/login/"})

    _sign_in(client, request_code, customer.email)

    assert User.objects.get(pk=customer.pk).language == "ja"


def test_the_account_language_follows_the_customer_to_another_browser(request_code):
    customer = CustomerFactory(language="ja")
    other_browser = Client(headers={"accept-language": "en-US,en;q=0.9"})

    _sign_in(other_browser, request_code, customer.email)

    assert _page_language(other_browser.get("/rma/")) == "ja"
    assert other_browser.cookies["django_language"].value == "ja"


def test_a_signed_in_choice_is_saved_on_the_account():
    customer = CustomerFactory(language="de")
    client = Client()
    client.force_login(customer)

    client.post("/i18n/setlang/", {"language": "it", "next": "/rma/"})

    assert User.objects.get(pk=customer.pk).language == "it"
    assert _page_language(client.get("/rma/")) == "it"


def test_an_account_without_a_language_takes_the_browser_language_at_sign_in(request_code):
    customer = CustomerFactory(language="")
    client = Client(headers={"accept-language": "es-ES,es;q=0.9"})

    _sign_in(client, request_code, customer.email)

    assert User.objects.get(pk=customer.pk).language == "es"


def test_an_unknown_language_is_ignored():
    customer = CustomerFactory(language="de")
    client = Client()
    client.force_login(customer)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/rma/"})

    assert User.objects.get(pk=customer.pk).language == "de"

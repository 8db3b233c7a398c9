"""Session upkeep and the language of signed-in people."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.languages import session_language

TOUCHED_KEY = "_touched_at"


class IdleSessionMiddleware:
    """
    Keep a signed-in session alive while it is used, writing it at most once a minute.

    ``SESSION_COOKIE_AGE`` is an idle timeout. Django's ``SESSION_SAVE_EVERY_REQUEST`` would
    rewrite the session row on every page view; instead the session is marked modified
    when it was last written more than ``SESSION_TOUCH_INTERVAL`` seconds ago, so it ends
    between ``SESSION_COOKIE_AGE`` minus that interval and ``SESSION_COOKIE_AGE`` after the
    last request. Must sit below ``SessionMiddleware``, which then saves it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request already loaded, and only a signed-in one: a page that
        # never read the session (``/healthz``) costs nothing here.
        if session is None or not session.accessed or session.modified or SESSION_KEY not in session:
            return response
        now = int(time.time())
        if now - session.get(TOUCHED_KEY, 0) >= settings.SESSION_TOUCH_INTERVAL:
            session[TOUCHED_KEY] = now
        return response


class AccountLanguageMiddleware:
    """
    A signed-in person reads the portal in their account's language, whatever this browser's
    cookie or ``Accept-Language`` say. The account's language travels in the session (put
    there at sign-in), so no user is loaded for it. Sits below ``LocaleMiddleware``, whose
    choice it overrides. The cookie is brought in line, so the pages after sign-out stay in
    the same language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = session_language(request)
        if language and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The cookie Django's ``LocaleMiddleware`` reads, with the settings' attributes."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )

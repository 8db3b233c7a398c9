"""Session upkeep for signed-in people: the idle timeout, the absolute lifetime and their language."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.languages import session_language

TOUCHED_KEY = "_touched_at"
# When the person signed in, and whether as staff (set at sign-in, so the check needs no
# look-up of the user).
SIGNED_IN_AT_KEY = "_signed_in_at"
STAFF_KEY = "_staff_session"


def session_lifetime(*, staff: bool) -> int:
    """Seconds a session may last from sign-in, however busy: staff get the shorter one."""
    return settings.STAFF_SESSION_MAX_SECONDS if staff else settings.SESSION_MAX_SECONDS


def stamp_sign_in(sender, request: HttpRequest, user, **kwargs) -> None:
    """``user_logged_in`` receiver: start the session's absolute lifetime."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT_KEY] = int(time.time())
        request.session[STAFF_KEY] = bool(user.is_staff)


class IdleSessionMiddleware:
    """
    End a signed-in session at its absolute lifetime, and keep it alive while it is used,
    writing it at most once a minute.

    ``SESSION_COOKIE_AGE`` is an idle timeout. Django's ``SESSION_SAVE_EVERY_REQUEST`` would
    rewrite the session row on every page view; instead the session is marked modified
    when it was last written more than ``SESSION_TOUCH_INTERVAL`` seconds ago, so it ends
    between ``SESSION_COOKIE_AGE`` minus that interval and ``SESSION_COOKIE_AGE`` after the
    last request. However busy, it ends ``SESSION_MAX_SECONDS`` (staff:
    ``STAFF_SESSION_MAX_SECONDS``) after sign-in. Must sit below ``SessionMiddleware``,
    which then saves it, and below ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only requests carrying a session cookie load the session here: ``/healthz`` and
        # first visits cost nothing.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._end_if_past_lifetime(request)
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request already loaded, and only a signed-in one.
        if session is None or not session.accessed or session.modified or SESSION_KEY not in session:
            return response
        now = int(time.time())
        if now - session.get(TOUCHED_KEY, 0) >= settings.SESSION_TOUCH_INTERVAL:
            session[TOUCHED_KEY] = now
        return response

    def _end_if_past_lifetime(self, request: HttpRequest) -> None:
        session = request.session
        if SESSION_KEY not in session:
            return
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        if signed_in_at is None:
            # Signed in before lifetimes were recorded: the clock starts now.
            session[SIGNED_IN_AT_KEY] = now
            session[STAFF_KEY] = bool(request.user.is_staff)
            return
        if now - signed_in_at >= session_lifetime(staff=session.get(STAFF_KEY, False)):
            logout(request)


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

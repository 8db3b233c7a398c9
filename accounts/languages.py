"""
The language a person reads the portal in: chosen on any page, remembered in a cookie
before sign-in and on their account after it, so it follows them to another browser.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts.models import User

# The account's language, copied into the session at sign-in so that pages served from the
# page cache know it without loading the user.
SESSION_LANGUAGE_KEY = "_account_language"


def supported_language(code: str | None) -> str:
    """``code`` if the portal speaks it, else ``""``."""
    return code if code and code in dict(settings.LANGUAGES) else ""


def user_language_set(*, user: User, language: str) -> None:
    """Remember ``language`` on the account (a language the portal does not speak is ignored)."""
    language = supported_language(language)
    if language and user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)


def session_language(request: HttpRequest) -> str:
    """The signed-in account's language, as its session knows it (``""`` when none)."""
    # Only a request that carries a session can be signed in: the others never load one.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "session"):
        return ""
    return supported_language(request.session.get(SESSION_LANGUAGE_KEY))


def session_language_set(request: HttpRequest, language: str) -> None:
    """Keep the signed-in account's ``language`` in its session (see ``SESSION_LANGUAGE_KEY``)."""
    if supported_language(language):
        request.session[SESSION_LANGUAGE_KEY] = language


def remember_language_at_sign_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """
    ``user_logged_in``: a language chosen in this browser before signing in becomes the
    account's; an account with no language yet takes the one its owner just read the
    sign-in pages in (their browser's). Otherwise the account's language stands.
    """
    if request is None:
        return
    chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        user_language_set(user=user, language=chosen)
    elif not user.language:
        user_language_set(user=user, language=getattr(request, "LANGUAGE_CODE", ""))
    session_language_set(request, user.language)

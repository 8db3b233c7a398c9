"""
The portal's name in the reader's language: header, page titles, email subjects and
signatures all read it from here.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_noop

# The default name is a catalogue entry, so each language has its own.
DEFAULT_PORTAL_NAME = gettext_noop("Warranty Service")


def portal_name(language: str | None = None) -> str:
    """The name in ``language`` (the active one by default): ``PORTAL_NAMES[language]`` if
    the deployment names it, else ``PORTAL_NAME`` as the catalogues translate it."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    named = settings.PORTAL_NAMES.get(language)
    if named:
        return named
    return gettext(settings.PORTAL_NAME) if settings.PORTAL_NAME else ""


# For a context built before the language of the text is chosen (an email's).
portal_name_lazy = lazy(portal_name, str)

"""
The translation catalogues stay right: every entry of every language translated, nothing
fuzzy, the same placeholders and markup as the English, and the committed ``.mo`` files
compiled from the ``.po`` files beside them (``make run`` needs no GNU gettext).
"""

import gettext
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ["django", "djangojs"]
CATALOGUES = [(language, domain) for language in TRANSLATED for domain in DOMAINS]

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}")
TAG = re.compile(r"<[^>]+>")

# Words a language writes exactly as English does; anything else equal to its source is
# an entry someone forgot to translate.
SAME_AS_ENGLISH = {
    "de": {
        "Status", "System", "optional", "S/N", "UID", "%(size)s MB", "%(size)s KB", "Standard", "Filter",
        "Details", "%(solution)s: %(products)s", "%(title)s: %(state)s", "April", "August", "September",
        "November",
    },
    "fr": {
        "image", "position", "Solution", "solution", "Message", "message", "Messages", "messages",
        "action", "photos", "Agent", "Pages", "S/N", "UID", "Standard",
    },
    "es": {
        "no", "No", "Supervisor", "S/N", "UID", "%(size)s MB", "%(size)s KB", "%(solution)s: %(products)s",
        "%(title)s: %(state)s",
    },
    "it": {
        "no", "No", "user agent", "Home", "S/N", "UID", "%(size)s MB", "%(size)s KB", "Standard",
        "%(solution)s: %(products)s", "%(title)s: %(state)s",
    },
    "ja": {"S/N", "UID", "%(size)s MB", "%(size)s KB"},
}  # fmt: skip


def _entries(language: str, domain: str):
    with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
        catalogue = read_po(po, locale=language)
    return catalogue, [message for message in catalogue if message.id]


def _pairs(message):
    """(source, translation) pairs. A plural form is checked against the plural source; so
    is the one form of a language that writes every number alike (Japanese)."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if len(strings) == 1:
        return [(ids[-1], strings[0])]
    return [(ids[min(index, len(ids) - 1)], string) for index, string in enumerate(strings)]


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_entry_is_translated(language, domain):
    _catalogue, entries = _entries(language, domain)

    untranslated = [message.id for message in entries if any(not string for _id, string in _pairs(message))]

    assert entries
    assert untranslated == []


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_no_entry_is_fuzzy(language, domain):
    catalogue, entries = _entries(language, domain)

    assert not catalogue.fuzzy
    assert [message.id for message in entries if message.fuzzy] == []


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_placeholders_and_markup_match_the_source(language, domain):
    _catalogue, entries = _entries(language, domain)

    different = [
        (source, string)
        for message in entries
        for source, string in _pairs(message)
        if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(string))
        or Counter(TAG.findall(source)) != Counter(TAG.findall(string))
    ]

    assert different == []


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_no_entry_is_a_copy_of_the_english(language, domain):
    _catalogue, entries = _entries(language, domain)

    copies = [
        source
        for message in entries
        for source, string in _pairs(message)
        if string == source and source not in SAME_AS_ENGLISH[language]
    ]

    assert copies == []


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(language, domain):
    _catalogue, entries = _entries(language, domain)
    with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for message in entries:
        if isinstance(message.id, tuple):
            found = (
                compiled.npgettext(message.context, *message.id, 1)
                if message.context
                else (compiled.ngettext(*message.id, 1))
            )
            expected = message.string[0]
        else:
            found = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else (compiled.gettext(message.id))
            )
            expected = message.string
        if found != expected:
            stale.append(message.id)

    assert stale == []


def test_every_language_of_the_settings_has_its_catalogues():
    assert set(TRANSLATED) == {"de", "fr", "es", "it", "ja"}
    for language in TRANSLATED:
        for domain in DOMAINS:
            assert (LOCALE / language / "LC_MESSAGES" / f"{domain}.mo").is_file()


# A case number starts with "RMA-" itself: "RMA %(number)s" reads "RMA RMA-2026-000123".
RMA_BEFORE_NUMBER = re.compile(r"\bRMA[\s ]+%\(number\)s")


@pytest.mark.parametrize("language", [settings.LANGUAGE_CODE, *TRANSLATED])
def test_no_sentence_writes_rma_before_a_case_number(language):
    if language == settings.LANGUAGE_CODE:
        # The English is the source of the other catalogues.
        _catalogue, entries = _entries(TRANSLATED[0], "django")
        texts = [
            text
            for message in entries
            for text in (message.id if isinstance(message.id, tuple) else (message.id,))
        ]
    else:
        _catalogue, entries = _entries(language, "django")
        texts = [string for message in entries for _source, string in _pairs(message)]

    assert [text for text in texts if RMA_BEFORE_NUMBER.search(text)] == []

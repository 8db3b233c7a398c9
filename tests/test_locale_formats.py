"""
Dates, times, numbers and lists read as CLDR writes them in each translated language:
what Django renders through the portal's format modules (rma_portal/locale_formats/) is
compared with what Babel, which carries CLDR, writes for the same value.
"""

import datetime
from decimal import Decimal

import pytest
from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from rma_portal.formats import join_list

TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
MOMENTS = [datetime.datetime(2026, 12, 6, 11, 58), datetime.datetime(2027, 3, 1, 9, 5)]


def _cldr_datetime(moment: datetime.datetime, language: str) -> str:
    """CLDR's long date and short time, joined by the language's long date-time pattern."""
    pattern = str(Locale.parse(language).datetime_formats["long"])
    return pattern.replace("{1}", format_date(moment, "long", locale=language)).replace(
        "{0}", format_time(moment, "short", locale=language)
    )


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_dates_read_as_cldr_writes_them(language, moment):
    with translation.override(language):
        assert formats.date_format(moment, "DATE_FORMAT") == format_date(moment, "long", locale=language)
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == format_date(
            moment, "short", locale=language
        )
        assert formats.date_format(moment, "TIME_FORMAT") == format_time(moment, "short", locale=language)
        assert formats.date_format(moment, "DATETIME_FORMAT") == _cldr_datetime(moment, language)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("de", "6. Dezember 2026, 11:58"),
        ("fr", "6 décembre 2026, 11:58"),
        ("es", "6 de diciembre de 2026, 11:58"),
        ("it", "6 dicembre 2026 11:58"),
        ("ja", "2026年12月6日 11:58"),
    ],
)
def test_a_date_and_time_on_a_page_reads_as_a_native_writes_it(language, written):
    with translation.override(language):
        rendered = Template('{{ moment|date:"DATETIME_FORMAT" }}').render(Context({"moment": MOMENTS[0]}))

    assert rendered == written


@pytest.mark.parametrize("number", [Decimal("12345.5"), Decimal("1234567.25")])
@pytest.mark.parametrize("language", TRANSLATED)
def test_numbers_read_as_cldr_writes_them(language, number):
    with translation.override(language):
        rendered = formats.number_format(number, decimal_pos=2, use_l10n=True, force_grouping=True)

    assert rendered == format_decimal(number, format="#,##0.00", locale=language)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "return, payment proof, and shipping address"),
        ("de", "return, payment proof und shipping address"),
        ("fr", "return, payment proof et shipping address"),
        ("ja", "return、payment proof、shipping address"),
    ],
)
def test_lists_are_joined_the_way_the_language_joins_them(language, written):
    parts = ["return", "payment proof", "shipping address"]

    assert join_list(parts, language) == written
    assert join_list(parts, language) == format_list(parts, locale=language)


def test_the_template_filter_joins_and_escapes_each_item():
    with translation.override("ja"):
        rendered = Template("{% load locale_formats %}{{ parts|join_list }}").render(
            Context({"parts": ["返送", "<b>支払いの証明</b>", "配送先住所"]})
        )

    assert rendered == "返送、&lt;b&gt;支払いの証明&lt;/b&gt;、配送先住所"

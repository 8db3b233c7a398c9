"""Money, country names and postal addresses written the reader's way."""

from decimal import Decimal

import pytest
from django.utils import translation

from rma_portal.formats import country_name, format_money, postal_address_lines


@pytest.mark.parametrize(
    ("language", "amount", "currency", "written"),
    [
        ("de", "45", "EUR", "45,00\N{NO-BREAK SPACE}€"),
        ("en", "45", "USD", "45.00 USD"),
        ("en", "45", "EUR", "€45.00"),
        ("fr", "1234.5", "EUR", "1\N{NARROW NO-BREAK SPACE}234,50\N{NO-BREAK SPACE}€"),
        ("ja", "4500", "JPY", "￥4,500"),
        ("de", "4500", "JPY", "4.500 JPY"),
        ("it", "12.5", "USD", "12,50\N{NO-BREAK SPACE}USD"),
    ],
)
def test_money_is_written_the_way_the_language_writes_it(language, amount, currency, written):
    assert format_money(Decimal(amount), currency, language) == written


def test_no_amount_is_written_as_nothing():
    assert format_money(None, "EUR", "de") == ""


def test_country_names_are_in_the_active_language():
    with translation.override("de"):
        assert country_name("DE") == "Deutschland"
    with translation.override("ja"):
        assert country_name("JP") == "日本"


ADDRESS = {"name": "Ann Example", "line1": "1 Main Street", "line2": "", "phone": ""}


@pytest.mark.parametrize(
    ("country", "city", "region", "postal_code", "place_line"),
    [
        ("US", "Austin", "TX", "78701", "Austin, TX 78701"),
        ("DE", "Berlin", "", "10115", "10115 Berlin"),
        ("FR", "Lyon", "", "69001", "69001 Lyon"),
        ("IT", "Milano", "MI", "20121", "20121 Milano MI"),
        ("ES", "Madrid", "Madrid", "28001", "28001 Madrid Madrid"),
    ],
)
def test_the_place_line_follows_the_country(country, city, region, postal_code, place_line):
    with translation.override("en"):
        lines = postal_address_lines(
            **ADDRESS, city=city, region=region, postal_code=postal_code, country=country
        )

    assert lines[:2] == ["Ann Example", "1 Main Street"]
    assert lines[2] == place_line


def test_a_british_address_puts_the_postcode_on_its_own_line():
    with translation.override("en"):
        lines = postal_address_lines(
            **ADDRESS, city="London", region="", postal_code="SW1A 1AA", country="GB"
        )

    assert lines == ["Ann Example", "1 Main Street", "London", "SW1A 1AA", "United Kingdom"]


def test_a_japanese_address_goes_from_the_postal_code_to_the_name():
    with translation.override("ja"):
        lines = postal_address_lines(
            name="山田 花子",
            line1="神南1-2-3",
            line2="",
            city="渋谷区",
            region="東京都",
            postal_code="150-0041",
            country="JP",
        )

    assert lines == ["〒150-0041 東京都渋谷区", "神南1-2-3", "山田 花子", "日本"]

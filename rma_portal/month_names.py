"""
The months as the portal's catalogues write them, for the ``F`` of the date formats.

Django's own Italian catalogue capitalises them ("6 Dicembre 2026"); Italian, like CLDR,
writes "6 dicembre 2026". These entries put Django's month names into the portal's
catalogues (which come first, LOCALE_PATHS), each language as CLDR has them.
"""

from django.utils.translation import gettext_noop

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)

"""
Date, time and number formats per language, as CLDR writes them (Babel holds the same data;
``tests/test_locale_formats.py`` compares the two). Only what differs from Django's own
locale formats is set here; ``FORMAT_MODULE_PATH`` puts these modules first.

DATE_FORMAT is CLDR's long date, SHORT_DATE_FORMAT its short date, TIME_FORMAT its short
time, and the date-time forms join them the way the language's long date-time pattern does.
"""

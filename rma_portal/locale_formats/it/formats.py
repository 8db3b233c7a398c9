"""Italian: "6 dicembre 2026 11:58", "06/12/26" (month names in lower case: see
``rma_portal/month_names.py``; Django's stock format wrote "06 Dicembre 2026")."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "d/m/y"
SHORT_DATETIME_FORMAT = "d/m/y, H:i"
MONTH_DAY_FORMAT = "j F"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

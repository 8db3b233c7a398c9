"""Spanish: «6 de diciembre de 2026, 11:58», «6/12/26», «12.345,5»."""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y, G:i"
SHORT_DATE_FORMAT = "j/n/y"
SHORT_DATETIME_FORMAT = "j/n/y, G:i"
MONTH_DAY_FORMAT = r"j \d\e F"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

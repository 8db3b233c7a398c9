"""A day as the customer reads it."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def day(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATE_FORMAT")


def day_whole(moment: datetime.datetime | datetime.date) -> str:
    """The day held together by no-break spaces: a date in the tracker or the next step is
    never split over two lines ("au plus tard le 20 / décembre 2026" at 360 px)."""
    return day(moment).replace(" ", "\N{NO-BREAK SPACE}")

"""A day as the customer reads it."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def day(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATE_FORMAT")

"""The app's one date format (FORMAT_MODULE_PATH): "6 December 2024" and "6 December 2024 14:05".

Set here rather than as settings.DATE_FORMAT because the locale's own formats (en_GB: "6 Dec 2024")
take precedence over those settings. Templates write ``|date`` and ``|date:"DATETIME_FORMAT"``;
Python writes ``scorecard.formats.long_date`` / ``long_datetime``.
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone


def long_date(value: datetime.date | datetime.datetime) -> str:
    """ "6 December 2024" (a datetime in local time)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def long_datetime(value: datetime.datetime) -> str:
    """ "6 December 2024 14:05", in local time."""
    return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")

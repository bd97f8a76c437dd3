"""Dates in words the product's one way (rehabcare/formats): "30 Nov 2026", "30 Nov", "30 Nov 2026, 14:05".

For text written in Python (agenda reasons, messages, names in a choice list); templates use
``{{ value|date }}``. A moment is written in the clinic's time zone.
"""

from datetime import date, datetime

from django.utils import formats, timezone


def _local(value: date | datetime) -> date | datetime:
    return timezone.localtime(value) if isinstance(value, datetime) and timezone.is_aware(value) else value


def day(value: date | datetime) -> str:
    """30 Nov 2026"""
    return formats.date_format(_local(value), "DATE_FORMAT")


def day_month(value: date | datetime) -> str:
    """30 Nov"""
    return formats.date_format(_local(value), "MONTH_DAY_FORMAT")


def moment(value: datetime, *, weekday: bool = False) -> str:
    """30 Nov 2026, 14:05 (clinic time); with ``weekday``, Mon 30 Nov 2026, 14:05."""
    written = formats.date_format(_local(value), "DATETIME_FORMAT")
    return f"{formats.date_format(_local(value), 'D')} {written}" if weekday else written

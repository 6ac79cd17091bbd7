"""Zou's wire forms of single values: its datetimes and days, and the mark of a
partial row. The converter (writes) and the builders (reads) both follow them,
so they live below both (the rules are listed in :mod:`kitsu_orm.model.converter`).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

__all__ = ["PARTIAL", "format_datetime", "parse_date", "parse_datetime"]

# A row that carries this key holds only some of its type's fields: the
# others are left unset and loaded when first read.
PARTIAL = "__partial__"


def parse_datetime(value: Any, _: Any = None) -> datetime | None:
    """A datetime as Zou sends it (ISO, naive UTC), as a datetime; None stays None."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_date(value: Any, _: Any = None) -> date | None:
    """A day as Zou sends it (``YYYY-MM-DD``, or a datetime string), as a date."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def format_datetime(value: datetime | date) -> str:
    """A datetime as Zou's routes take it (naive UTC, ISO, seconds)."""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()

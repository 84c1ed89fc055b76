"""Publication dates as printed: a day, or a day and time, with the offset made explicit.

A date is kept as the string the article carries (``2023-11-15`` or ``2023-11-17T01:27:00+02:00``) so that
nothing is invented: a day stays a day. ``to_datetime`` gives the aware moment used for ordering and feeds;
a time without offset takes the site's time zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

FORMS = "accepted forms: 2024-11-15, 2024-11-15T09:30, 2024-11-15T09:30:00+01:00"


def to_datetime(value: str, tz: ZoneInfo) -> dt.datetime:
    """The aware moment of an ISO 8601 day or day-and-time (naive ones take ``tz``)."""
    text = value.strip()
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def normalise(value: object, tz: ZoneInfo) -> str | None:
    """Canonical string for a front-matter date: YAML may hand us str, date or datetime.

    Raises ValueError for anything that is not an ISO 8601 day or moment.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return moment.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"expected a date, got {value!r}; {FORMS}")
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        return to_datetime(text, tz).isoformat()
    except ValueError as exc:
        reason = "" if str(exc).startswith("Invalid isoformat") else f" ({exc})"
        raise ValueError(f"{value!r} is not a valid date{reason}; {FORMS}") from None


def with_zone(day: str, time: str | None, tz: ZoneInfo) -> str:
    """ISO string for a printed day (``YYYY-MM-DD``) and optional ``HH:MM[:SS]`` in zone ``tz``."""
    if not time:
        return day
    moment = dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz)
    return moment.isoformat()

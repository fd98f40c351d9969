"""Dates as archives write them: ISO dates and datetimes, 13/07/2023, "13 juillet 2023"."""

from __future__ import annotations

import datetime as dt
import re

FRENCH_MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}  # fmt: skip

_FRENCH_DATE = re.compile(
    r"^(?:\w+\s+)?(?P<day>\d{1,2})(?:er)?\s+(?P<month>[a-zéû]+)\s+(?P<year>\d{4})\b", re.IGNORECASE
)
_NUMERIC_DMY = re.compile(r"^(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})\b")


def parse_date(value: str | dt.date) -> dt.date:
    """The calendar date of ``value``; raises ValueError with a readable message when it is none.

    >>> parse_date("2023-07-13T08:30:00+02:00")
    datetime.date(2023, 7, 13)
    >>> parse_date("jeudi 13 juillet 2023")
    datetime.date(2023, 7, 13)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return dt.datetime.fromisoformat(iso).date()
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _NUMERIC_DMY.match(text)
    if match:
        return _checked(match["year"], match["month"], match["day"], text)
    match = _FRENCH_DATE.match(text)
    if match and match["month"].lower() in FRENCH_MONTHS:
        return _checked(match["year"], FRENCH_MONTHS[match["month"].lower()], match["day"], text)
    raise ValueError(f"unrecognised date {text[:40]!r} (expected e.g. 2023-07-13)")


def _checked(year: str | int, month: str | int, day: str | int, text: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"impossible date {text[:40]!r}") from None

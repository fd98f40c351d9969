"""Dates as archives write them: ISO dates and datetimes, 13/07/2023, "13 juillet 2023"."""

from __future__ import annotations

import datetime as dt
import re

FRENCH_MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}  # fmt: skip

# Abbreviated months as newspapers print them: "13 juil. 2023", "1er sept. 2016".
_MONTH_ABBREVIATIONS = {
    "janv": 1, "fév": 2, "févr": 2, "fev": 2, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10,
    "nov": 11, "déc": 12, "dec": 12,
}  # fmt: skip
#: A French month name, in full or abbreviated (with its full stop), in any case.
MONTH_PATTERN = (
    r"(?i:(?:"
    + "|".join(sorted(FRENCH_MONTHS, key=len, reverse=True))
    + r")\b|(?:"
    + "|".join(sorted(_MONTH_ABBREVIATIONS, key=len, reverse=True))
    + r")\.)"
)

_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
# A date where a page prints its own: opening a line, alone or after "Publié le", "Page actualisée :",
# a weekday or a place ("Paris, le …", "PARIS, 13 juillet 2023 (AFP)"): "jeudi 13 juillet 2023",
# "1er janvier 2016, 14h30 . –", "Publié le 13/07/2023". A date inside a sentence ("tuée le
# 1er avril 2018 à Ferrette") is what the story is about, not when it was written.
_DATE_IN_TEXT = re.compile(
    rf"""^[\s\W]*(?:
        (?:(?:page|article|dépêche)\s+)?(?:dernière\s+)?
        (?:publiée?|mise?\s+à\s+jour|modifiée?|actualisée?|postée?|mise?\s+en\s+ligne)\s*:?\s*(?:le\s+)?
      | [A-ZÀ-Ý][\w'’-]*(?:[\s-][A-ZÀ-Ýa-zà-ÿ][\w'’-]*){{0,3}}\s*,\s*(?:le\s+)?
    )?(?:{_WEEKDAY}\s+)?(?:
        (?P<day>1er|\d{{1,2}})\s+(?P<month>{MONTH_PATTERN})\s*(?P<year>\d{{4}})
      | (?P<nday>\d{{1,2}})[/.](?P<nmonth>\d{{1,2}})[/.](?P<nyear>\d{{4}})
    )(?![\w/])""",
    re.VERBOSE | re.IGNORECASE | re.MULTILINE,
)
#: Dates are looked for in this many characters at the start of the text (its opening paragraphs).
FIND_DATE_WITHIN = 1000
#: Earliest year read as a publication date: older ones are history the article talks about.
EARLIEST_YEAR = 1800

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


def find_date(text: str, within: int = FIND_DATE_WITHIN) -> dt.date | None:
    """The first date that opens a line in the first ``within`` characters of ``text``, or None.

    For articles whose archive gives no date: scraped pages and wire stories print it near the top
    ("jeudi 13 juillet 2023", "Publié le 13/07/2023", Wikinews's "1er janvier 2016, 14h30 . –").
    Dates inside sentences, impossible dates (31 février), and years before
    :data:`EARLIEST_YEAR` or after next year are passed over.

    >>> find_date("1er janvier 2016, 14h30 . – Un homme a foncé sur des militaires.")
    datetime.date(2016, 1, 1)
    """
    for match in _DATE_IN_TEXT.finditer(text[:within]):
        if match["year"]:
            found = _plausible(match["year"], _month_number(match["month"]), match["day"])
        else:
            found = _plausible(match["nyear"], match["nmonth"], match["nday"])
        if found:
            return found
    return None


# A French date in running text, its weekday if written: "(le) jeudi 13 juillet 2023".
_DATE_IN_SENTENCE = re.compile(
    rf"(?<![\w/])(?:(?P<weekday>{_WEEKDAY})\s+)?(?P<day>1er|\d{{1,2}})\s+(?P<month>{MONTH_PATTERN})\s*(?P<year>\d{{4}})(?![\w/])",
    re.IGNORECASE,
)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def date_in_sentence(sentence: str, *, dispatch: bool) -> dt.date | None:
    """The first French date of ``sentence`` (an article's first), or None.

    In a dispatch's first sentence (one that opened with a dateline, "PARIS (AFP) - …") the story
    happened on or just before the day it was filed, so any full date counts. Elsewhere a first
    sentence may recall history ("Le 6 juin 1944, …"): only a date written with its weekday, as
    news writes the day of the story ("jeudi 13 juillet 2023"), counts. A weekday that is not the
    date's own (a typo) makes it no date.

    >>> date_in_sentence("Le gouvernement a présenté jeudi 13 juillet 2023 son plan", dispatch=True)
    datetime.date(2023, 7, 13)
    """
    for match in _DATE_IN_SENTENCE.finditer(sentence):
        weekday = match["weekday"]
        if not (dispatch or weekday):
            continue
        found = _plausible(match["year"], _month_number(match["month"]), match["day"])
        if found and (not weekday or _WEEKDAYS[found.weekday()] == weekday.lower()):
            return found
    return None


def _plausible(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    """The date, when it is one and its year lies between :data:`EARLIEST_YEAR` and next year."""
    day = 1 if str(day).lower() == "1er" else int(day)
    if not EARLIEST_YEAR <= int(year) <= dt.date.today().year + 1:
        return None
    try:
        return dt.date(int(year), int(month), day)
    except ValueError:
        return None


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    return FRENCH_MONTHS.get(name) or _MONTH_ABBREVIATIONS[name]


_YEAR = re.compile(r"^(?P<year>\d{4})$")
_ISO_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_NUMERIC_MONTH = re.compile(r"^(?P<month>\d{1,2})[/.](?P<year>\d{4})$")
_FRENCH_MONTH = re.compile(rf"^(?P<month>{MONTH_PATTERN}|[a-zéû]+)\s*(?P<year>\d{{4}})$", re.IGNORECASE)
_FRENCH_DAY = re.compile(rf"^(?P<day>1er|\d{{1,2}})\s+(?P<month>{MONTH_PATTERN}|[a-zéû]+)\s*(?P<year>\d{{4}})$", re.IGNORECASE)
_BOUND_FORMATS = "2023-07-13, 13/07/2023, 2023-07, 2023, « juillet 2023 » or « 13 juillet 2023 »"


def parse_date_bound(text: str, end: bool) -> dt.date:
    """The first day (or, with ``end``, the last day) of the period ``text`` names.

    A period is a day, a month or a year, written as ISO, in numbers or in French. Raises
    ValueError with a readable message when ``text`` names none.

    >>> parse_date_bound("juillet 2023", end=True)
    datetime.date(2023, 7, 31)
    >>> parse_date_bound("2023", end=False)
    datetime.date(2023, 1, 1)
    """
    value = " ".join(text.split()).lower()
    if not value:
        raise ValueError("empty date")
    match = _YEAR.match(value)
    if match:
        return _period_bound(int(match["year"]), None, end, text)
    match = _ISO_MONTH.match(value) or _NUMERIC_MONTH.match(value)
    if match:
        return _period_bound(int(match["year"]), int(match["month"]), end, text)
    match = _FRENCH_MONTH.match(value)
    if match:
        return _period_bound(int(match["year"]), _french_month(match["month"], text), end, text)
    match = _FRENCH_DAY.match(value)
    if match:
        day = 1 if match["day"] == "1er" else int(match["day"])
        return _checked(match["year"], _french_month(match["month"], text), day, text)
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}", value):
        try:
            return parse_date(value)
        except ValueError:
            parts = re.split(r"[-/.]", value)
            year, month, day = parts if len(parts[0]) == 4 else parts[::-1]
            return _checked(year, month, day, text)
    raise ValueError(f"unrecognised date {text[:40]!r} (expected {_BOUND_FORMATS})")


def _french_month(name: str, text: str) -> int:
    name = name.lower().rstrip(".")
    month = FRENCH_MONTHS.get(name) or _MONTH_ABBREVIATIONS.get(name)
    if month is None:
        raise ValueError(f"unknown month {name!r} in {text[:40]!r} (expected e.g. « juillet 2023 »)")
    return month


def _period_bound(year: int, month: int | None, end: bool, text: str) -> dt.date:
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"impossible month in {text[:40]!r}")
    if month is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if not end:
        return dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)

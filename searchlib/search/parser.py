"""The query language's nodes (:mod:`searchlib.search.syntax`) as searchlib's query tree: each word
analysed as its field analyses text, dates read as periods.

How each field reads a query word: the title and the text with the French analysis (stemmed, stop
words left out; several words make a phrase), the title's words as written folded (several make an
OR), names folded word by word (an OR), ids as written, dates as a day, month or year (a period). A
field that is only stored (``url:``) cannot be searched: the query is then read as plain words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..analysis.french import _WORD, content_word, fold, fold_token, terms
from . import syntax, tree
from .fields import FIELD_ALIASES

#: Fields of the French analysis, and the word-as-written, name, id and date fields.
FRENCH_FIELDS = frozenset(("title", "text"))
FOLDED_FIELDS = frozenset(("title_words", "text_words"))
NAME_FIELDS = frozenset(("source", "author", "agency", "section", "place"))
ID_FIELDS = frozenset(("id",))
DATE_FIELDS = frozenset(("date",))
#: Fields an index keeps but cannot search.
STORED_FIELDS = frozenset(
    ("lede", "body", "url", "path", "fingerprint", "copy_hash", "facet_source", "facet_author", "facet_section")
)
KNOWN_FIELDS = FRENCH_FIELDS | FOLDED_FIELDS | NAME_FIELDS | ID_FIELDS | DATE_FIELDS | STORED_FIELDS
_REVERSE_ALIASES = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}


class CannotRead(Exception):
    """The query names a field that cannot be searched, or a range bound that names no period."""


def parse(text: str, field_boosts: dict[str, float]) -> tree.Node:
    """``text`` as a query tree (not yet normalised), its unfielded words searched in the fields of
    ``field_boosts`` with those boosts. Raises :class:`CannotRead`."""
    group = syntax.read(text, KNOWN_FIELDS, _REVERSE_ALIASES, field_boosts)
    node = _node(group)
    if node is None or (isinstance(node, (tree.Or, tree.And)) and not node.children):
        return tree.NOTHING
    return node


def _node(node: syntax.Node) -> tree.Node | None:
    if isinstance(node, syntax.Group):
        return _group(node)
    if isinstance(node, syntax.Phrase):
        return _phrase(node)
    if isinstance(node, syntax.Text):
        return _text(node)
    if isinstance(node, syntax.Range):
        return _range(node)
    if isinstance(node, syntax.Every):
        return tree.Every()
    raise CannotRead(f"no query for {type(node).__name__}")  # markers and operators never remain


def _group(group: syntax.Group) -> tree.Node | None:
    if group.kind in syntax.BINARY:
        first, second = (_node(child) for child in group.nodes)
        if first is None and second is None:
            return tree.NOTHING
        if first is None or second is None:
            return second if first is None else first
        return tree.AndNot(first, second) if group.kind == "andnot" else tree.AndMaybe(first, second)
    if group.kind == "not":
        child = _node(group.nodes[0]) if group.nodes else None
        if child is None or (isinstance(child, (tree.Or, tree.And)) and not child.children):
            return None
        return tree.Not(child)  # a NOT's own boost is not kept
    children = tuple(child for child in map(_node, group.nodes) if child is not None)
    return tree.And(children, group.boost) if group.kind == "and" else tree.Or(children, group.boost)


def _text(node: syntax.Text) -> tree.Node | None:
    field = node.fieldname
    if field in DATE_FIELDS:
        return _date(field, node.text, node.boost)
    if node.kind == "word":
        words = _words(field, node.text, tokenize=True)
    else:
        words = _words(field, node.text, tokenize=False)
    if len(words) > 1:  # a word the analysis splits ("États-Unis")
        if field in FRENCH_FIELDS:
            return tree.Phrase(field, tuple(words), boost=node.boost)  # type: ignore[arg-type]
        return tree.Or(tuple(tree.Term(field, word, node.boost) for word in words))  # type: ignore[arg-type]
    if not words:
        return None
    place = {"start": node.startchar, "end": node.endchar}
    if node.kind == "wildcard":
        return tree.Wildcard(field, words[0], node.boost, **place)  # type: ignore[arg-type]
    if node.kind == "prefix":
        return tree.Prefix(field, words[0], node.boost, **place)  # type: ignore[arg-type]
    if node.kind == "fuzzy":
        return tree.Fuzzy(field, words[0], node.boost, distance=node.distance, prefix=node.prefix, **place)  # type: ignore[arg-type]
    return tree.Term(field, words[0], node.boost, **place)  # type: ignore[arg-type]


def _words(field: str | None, text: str, tokenize: bool) -> list[str]:
    """The index terms a field's analysis gives of query ``text`` (one, as a pattern, without
    ``tokenize``)."""
    if field is None or field in ID_FIELDS:
        return [text]
    if field in STORED_FIELDS:
        raise CannotRead(f"the field {field} cannot be searched")
    if not tokenize:  # a pattern: folded, never stemmed, kept even when a stop word
        return [fold_token(text.lower())]
    if field in FRENCH_FIELDS:
        return terms(text)
    folded = [fold(word.lower()) for word in _WORD.findall(text)]
    if field in FOLDED_FIELDS:
        return [word for word in folded if content_word(word)]
    return folded


def _phrase(node: syntax.Phrase) -> tree.Node | None:
    field = node.fieldname
    if field in DATE_FIELDS:
        return _date(field, node.text, node.boost)
    if field in STORED_FIELDS:
        raise CannotRead(f"the field {field} cannot be searched")
    found = _spans(field, node.text)
    words = tuple(word for word, _, _ in found)
    ranges = tuple((node.textstart + start, node.textstart + end) for _, start, end in found)
    return tree.Phrase(field, words, node.slop, node.boost, ranges)  # type: ignore[arg-type]


def _spans(field: str | None, text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) of each word of ``text`` the field's analysis keeps."""
    if field is None:
        return [(match.group(), match.start(), match.end()) for match in re.finditer(r"\S+", text)]
    if field in ID_FIELDS:
        return [(text, 0, len(text))]
    found = []
    for match in _WORD.finditer(text):
        folded = fold(match.group().lower())
        if field in NAME_FIELDS:
            found.append((folded, match.start(), match.end()))
        elif content_word(folded):
            term = terms(match.group())[0] if field in FRENCH_FIELDS else folded
            found.append((term, match.start(), match.end()))
    return found


def _range(node: syntax.Range) -> tree.Node | None:
    field = node.fieldname
    if field in DATE_FIELDS:
        if node.start is None and node.end is None:
            return tree.Every(field, node.boost)
        start = _period(node.start)[0] if node.start is not None else None
        end = _period(node.end)[1] if node.end is not None else None
        return tree.DateRange(field, start, end, boost=node.boost)  # type: ignore[arg-type]
    start = _words(field, node.start, tokenize=False)[0] if node.start else node.start
    end = _words(field, node.end, tokenize=False)[0] if node.end else node.end
    return tree.TextRange(field, start, end, node.start_excluded, node.end_excluded, node.boost)  # type: ignore[arg-type]


def _date(field: str, text: str, boost: float) -> tree.Node:
    """A date typed in the date field: the period it names (a day, a month, a year), an instant
    when it names one; Nothing when it names none."""
    try:
        parts = _date_parts(text)
    except ValueError:
        return tree.Unreadable()
    if None not in parts:
        return tree.Term(field, dt.datetime(*parts))  # type: ignore[arg-type, misc]
    start, end = _bounds(parts)
    return tree.DateRange(field, start, end, boost=boost)


def _period(text: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and last instants of the period ``text`` names, for a range's bounds."""
    try:
        parts = _date_parts(text)
    except ValueError as error:
        raise CannotRead(str(error)) from None
    if None not in parts:  # an instant has no period: the parser could not read the range
        raise CannotRead(f"{text!r} is an instant, not a period")
    return _bounds(parts)


_UNITS = ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))
_LIMITS = ((1, 12), (1, 31), (0, 23), (0, 59), (0, 59))


def _date_parts(text: str) -> tuple[int | None, ...]:
    """Year, month, day, hour, minute, second, microsecond of ``2023``, ``2023-07``,
    ``2023-07-13``, ``20230713``… (None where the text stops)."""
    if text and (text[0] in " -." or text[-1] in " -."):
        raise ValueError(f"{text!r} is not a parseable date")
    digits = text.replace(" ", "").replace("-", "").replace(".", "")
    parts: list[int | None] = [int(digits[a:b]) if len(digits) >= b else None for a, b in _UNITS]
    parts.append(int(digits[14:]) if len(digits) == 20 else None)
    if all(part is None for part in parts):
        raise ValueError(f"{text!r} is not a parseable date")
    for part, (low, high) in zip(parts[1:6], _LIMITS):
        if part is not None and not low <= part <= high:
            raise ValueError(f"{text!r} is not a parseable date")
    year, month, day = parts[:3]
    if None not in (year, month, day) and day > calendar.monthrange(year, month)[1]:  # type: ignore[operator, arg-type]
        raise ValueError(f"{text!r} is not a parseable date")
    if parts[6] is not None and not 0 <= parts[6] <= 999_999:
        raise ValueError(f"{text!r} is not a parseable date")
    return tuple(parts)


def _bounds(parts: tuple[int | None, ...]) -> tuple[dt.datetime, dt.datetime]:
    year, month, day, hour, minute, second, micro = parts
    if year is None:
        raise CannotRead("a date without a year")
    first = dt.datetime(year, month or 1, day or 1, hour or 0, minute or 0, second or 0, micro or 0)
    last_month = 12 if month is None else month
    last_day = calendar.monthrange(year, last_month)[1] if day is None else day
    last = dt.datetime(
        year, last_month, last_day,
        23 if hour is None else hour, 59 if minute is None else minute, 59 if second is None else second,
        999_999 if micro is None else micro,
    )
    return first, last


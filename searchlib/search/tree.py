"""searchlib's own query tree: what the query language means, for any engine to translate.

Leaves name a field and what to find in it, already analysed (``text:pekin``, the phrase
``text:"etat unis"``, the prefix ``text:cyber*``); branches combine them as the query language
does. Boosts weigh a clause in the ranking. ``start``/``end`` are the character range of a leaf in
the text the parser read (``ParsedQuery.parsed_from``): what the user typed for it.

The Whoosh engine translates a tree into Whoosh's queries (``searchlib.backends.whoosh.queries``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Union


@dataclass(frozen=True)
class _Typed:
    """A leaf the user typed as one word: its field, its text, and where it was typed."""

    field: str
    text: str
    boost: float = 1.0
    start: int | None = field(default=None, compare=False)
    end: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Term(_Typed):
    """One analysed word in one field."""


@dataclass(frozen=True)
class Prefix(_Typed):
    """Every word of the field starting with ``text`` (``cyber*``)."""


@dataclass(frozen=True)
class Wildcard(_Typed):
    """Every word of the field matching ``text``, where ``?`` is one letter and ``*`` any (``p?kin``)."""


@dataclass(frozen=True)
class Fuzzy(_Typed):
    """Words within ``distance`` edits of ``text`` whose first ``prefix`` letters are its own."""

    distance: int = 1
    prefix: int = 1


@dataclass(frozen=True)
class Phrase:
    """Analysed words standing in this order, at most ``slop`` positions apart."""

    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0
    #: The character range of each word in the text read, when known.
    ranges: tuple[tuple[int, int], ...] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Near:
    """Analysed words standing close together in any order: one occurrence of each within a
    window of ``slop × (len(words) − 1)`` positions. The proximity bonus of an unquoted query,
    which must rank the same whatever the order its words were typed in."""

    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class DateRange:
    """Articles dated from ``start`` to ``end`` (either open), each bound in or out."""

    field: str
    start: dt.datetime | None
    end: dt.datetime | None
    start_excluded: bool = False
    end_excluded: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class TextRange:
    """Words of the field between ``start`` and ``end`` in alphabetical order."""

    field: str
    start: str | None
    end: str | None
    start_excluded: bool = False
    end_excluded: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Every:
    """Every article (``*:*``), or every article with a word in ``field``."""

    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Nothing:
    """Matches nothing: what is left of a clause of stop words only."""


@dataclass(frozen=True, eq=False)
class Unreadable:
    """Matches nothing, and stays where it is: a word its field cannot read (``date:Alerte``).
    Each one is its own (two are never merged), as Whoosh's error queries are."""


@dataclass(frozen=True)
class Or:
    """Any of ``children``; an article holding more of them ranks higher."""

    children: tuple[Node, ...]
    boost: float = 1.0
    #: At least this many children must match (0: one is enough).
    minimum: int = 0


@dataclass(frozen=True)
class And:
    """All of ``children``."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AndNot:
    """``positive`` without what ``negative`` matches."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class AndMaybe:
    """``required``, ranked higher where ``optional`` matches too."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Not:
    """Articles that ``child`` does not match."""

    child: Node
    boost: float = 1.0


Leaf = Union[Term, Phrase, Near, Prefix, Wildcard, Fuzzy, DateRange, TextRange, Every, Nothing, Unreadable]
Node = Union[Leaf, Or, And, AndNot, AndMaybe, Not]
NOTHING = Nothing()


def is_branch(node: Node) -> bool:
    """Whether ``node`` combines others (``Or``, ``And``, ``AndNot``, ``AndMaybe``, ``Not``)."""
    return isinstance(node, (Or, And, AndNot, AndMaybe, Not))


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly under ``node`` (none for a leaf)."""
    if isinstance(node, (Or, And)):
        return node.children
    if isinstance(node, AndNot):
        return (node.positive, node.negative)
    if isinstance(node, AndMaybe):
        return (node.required, node.optional)
    if isinstance(node, Not):
        return (node.child,)
    return ()


def leaves(node: Node) -> Iterator[Node]:
    """Every leaf of ``node``, the excluded ones too."""
    if is_branch(node):
        for child in children(node):
            yield from leaves(child)
    else:
        yield node


def positive_leaves(node: Node) -> Iterator[Node]:
    """The leaves of ``node`` but the excluded ones: what a hit can show (and match on)."""
    if isinstance(node, Not):
        return
    if isinstance(node, AndNot):
        yield from positive_leaves(node.positive)
    elif isinstance(node, (Or, And, AndMaybe)):
        for child in children(node):
            yield from positive_leaves(child)
    else:
        yield node


def without_fields(node: Node, fields: frozenset[str]) -> Node:
    """``node`` with its leaves searching ``fields`` made :data:`NOTHING` (to normalize after): for
    an index written before those fields existed."""
    return with_leaves(node, lambda leaf: NOTHING if getattr(leaf, "field", None) in fields else leaf)


def with_leaves(node: Node, change: Callable[[Node], Node]) -> Node:
    """``node`` with each leaf replaced by ``change(leaf)`` (to normalize after when it removes some)."""
    if isinstance(node, (Or, And)):
        return replace(node, children=tuple(with_leaves(child, change) for child in node.children))
    if isinstance(node, (AndNot, AndMaybe)):
        first, second = (with_leaves(child, change) for child in children(node))
        return type(node)(first, second)
    if isinstance(node, Not):
        return Not(with_leaves(node.child, change), node.boost)
    return change(node)


def with_boost(node: Node, boost: float) -> Node:
    """``node`` weighing ``boost``: an AND NOT and an AND MAYBE pass it to both their sides; a node
    without a weight of its own is left as it is."""
    if isinstance(node, (AndNot, AndMaybe)):
        first, second = children(node)
        return type(node)(with_boost(first, boost), with_boost(second, boost))
    return replace(node, boost=boost) if hasattr(node, "boost") else node


def field_of(node: Node) -> str | None:
    """The one field ``node`` searches, or None (several fields, or none)."""
    if isinstance(node, (Or, And)):
        fields = {field_of(child) for child in node.children}
        return fields.pop() if len(fields) == 1 and node.children else None
    if isinstance(node, (AndNot, AndMaybe)):
        first, second = (field_of(child) for child in children(node))
        return first if first == second else None
    return None if is_branch(node) else getattr(node, "field", None)


def normalized(node: Node) -> Node:
    """``node`` without redundancy, as engines expect a query: nested ``Or`` in ``Or`` (and ``And``
    in ``And``) lifted into their parent with their boosts multiplied in, overlapping ranges of a
    field merged, duplicates and :data:`NOTHING` removed, a branch of one child replaced by that
    child, a phrase of one word made a term, a wildcard without a wildcard made a term or a prefix.
    (The rules of Whoosh's ``Query.normalize``, which parsed queries always went through.)"""
    if isinstance(node, (Or, And)):
        return _normalized_branch(node)
    if isinstance(node, (AndNot, AndMaybe)):
        first, second = (normalized(child) for child in children(node))
        if first is NOTHING:  # nothing to keep, or nothing required
            return NOTHING
        return first if second is NOTHING else type(node)(first, second)
    if isinstance(node, Not):
        child = normalized(node.child)
        return NOTHING if child is NOTHING else Not(child, node.boost)
    return _normalized_leaf(node)


def _normalized_leaf(node: Node) -> Node:
    if isinstance(node, Near) and len(set(node.words)) < 2:
        return NOTHING  # one word stands near itself: the term scores it already
    if isinstance(node, Phrase):
        if not node.words:
            return NOTHING
        if len(node.words) == 1:  # Whoosh gives the term no boost
            start, end = node.ranges[0] if node.ranges else (None, None)
            return Term(node.field, node.words[0], start=start, end=end)
    if isinstance(node, Wildcard):
        text = node.text
        if text == "*":
            return Every(node.field, node.boost)
        if "*" not in text and "?" not in text:
            return Term(node.field, text, node.boost)
        if "?" not in text and "[" not in text and text.find("*") == len(text) - 1:
            return Prefix(node.field, text[:-1], node.boost)
    if isinstance(node, TextRange):
        if node.start in ("", None) and node.end in ("\uffff", None):
            return Every(node.field, node.boost)
        if node.start == node.end:
            return NOTHING if node.start_excluded or node.end_excluded else Term(node.field, node.start, node.boost)  # type: ignore[arg-type]
    return node


def _normalized_branch(node: Or | And) -> Node:
    subs: list[Node] = []
    for child in node.children:
        child = normalized(child)
        if type(child) is type(node):
            subs += [with_boost(inner, getattr(inner, "boost", 1.0) * child.boost) for inner in children(child)]  # type: ignore[union-attr]
        else:
            subs.append(child)
    if all(sub is NOTHING for sub in subs):
        return NOTHING
    if any(isinstance(sub, Every) and sub.field is None for sub in subs):
        return Every()
    subs, every = _ranges_merged(subs, intersect=isinstance(node, And))
    unique = list(dict.fromkeys(sub for sub in subs if isinstance(sub, Every) or field_of(sub) not in every))
    unique = [sub for sub in unique if sub is not NOTHING]
    if not unique:
        return NOTHING
    if len(unique) == 1:
        only = unique[0]
        boost = getattr(only, "boost", 1.0)
        return only if node.boost == 1.0 and boost == 1.0 else with_boost(only, boost * node.boost)
    return replace(node, children=tuple(unique))


def _ranges_merged(subs: list[Node], intersect: bool) -> tuple[list[Node], set[str | None]]:
    """``subs`` with each text range merged with the later ones of its field it overlaps, and what
    follows an ``Every`` of a field dropped; and the fields every article matches."""
    subs, every = list(subs), set()
    i = 0
    while i < len(subs):
        sub = subs[i]
        if field_of(sub) in every:
            subs.pop(i)
            continue
        if isinstance(sub, (TextRange, DateRange)):
            j = i + 1
            while j < len(subs):
                if isinstance(sub, TextRange) and _overlap(sub, subs[j]):
                    sub = _merged(sub, subs.pop(j), intersect)  # type: ignore[arg-type]
                else:
                    j += 1
            sub = subs[i] = _normalized_leaf(sub)
        if isinstance(sub, Every):
            every.add(sub.field)
        i += 1
    return subs, every


# A range's bounds as Whoosh compares them: (rank, value, side); below or above every word when open.
def _low(node: TextRange) -> tuple[int, str, int]:
    return (0, "", 0) if node.start is None else (1, node.start, 1 if node.start_excluded else 0)


def _high(node: TextRange) -> tuple[int, str, int]:
    return (2, "", 0) if node.end is None else (1, node.end, -1 if node.end_excluded else 0)


def _overlap(node: TextRange, other: Node) -> bool:
    if not isinstance(other, TextRange) or other.field != node.field:
        return False
    low1, high1, low2, high2 = _low(node), _high(node), _low(other), _high(other)
    return low2 <= low1 <= high2 or low2 <= high1 <= high2 or low1 <= low2 <= high1 or low1 <= high2 <= high1


def _merged(node: TextRange, other: TextRange, intersect: bool) -> TextRange:
    low1, high1, low2, high2 = _low(node), _high(node), _low(other), _high(other)
    if low1 >= low2 and high1 <= high2:
        low, high = low2, high2
    elif low2 >= low1 and high2 <= high1:
        low, high = low1, high1
    elif intersect:
        low, high = max(low1, low2), min(high1, high2)
    else:
        low, high = min(low1, low2), max(high1, high2)
    start = None if low[0] == 0 else low[1]
    end = None if high[0] == 2 else high[1]
    return TextRange(node.field, start, end, low[2] == 1, high[2] == -1, max(node.boost, other.boost))

"""searchlib's own query tree: what the query language means, for any engine to translate.

Leaves name a field and what to find in it, already analysed (``text:pekin``, the phrase
``text:"etat unis"``, the prefix ``text:cyber*``); branches combine them as the query language
does. Boosts weigh a clause in the ranking. ``start``/``end`` are the character range of a leaf in
the text the parser read (``ParsedQuery.parsed_from``): what the user typed for it.

The Whoosh engine translates a tree into Whoosh's queries (``searchlib.backends.whoosh.queries``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
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


Leaf = Union[Term, Phrase, Prefix, Wildcard, Fuzzy, DateRange, TextRange, Every, Nothing]
Node = Union[Leaf, Or, And, AndNot, AndMaybe, Not]
NOTHING = Nothing()


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


def with_boost(node: Node, boost: float) -> Node:
    """``node`` weighing ``boost`` (a node without a weight of its own is left as it is)."""
    return replace(node, boost=boost) if hasattr(node, "boost") else node


def normalized(node: Node) -> Node:
    """``node`` without redundancy, as engines expect a query: nested ``Or`` in ``Or`` (and ``And``
    in ``And``) lifted into their parent with their boosts multiplied in, duplicates and
    :data:`NOTHING` removed, a branch of one child replaced by that child, a phrase of one word
    made a term. (The rules of Whoosh's ``Query.normalize``, which parsed queries went through.)"""
    if isinstance(node, (Or, And)):
        return _normalized_branch(node)
    if isinstance(node, (AndNot, AndMaybe)):
        first, second = (normalized(child) for child in children(node))
        if first is NOTHING or second is NOTHING:
            return second if first is NOTHING else first
        return type(node)(first, second)
    if isinstance(node, Not):
        child = normalized(node.child)
        return NOTHING if child is NOTHING else Not(child, node.boost)
    if isinstance(node, Phrase):
        if not node.words:
            return NOTHING
        if len(node.words) == 1:  # Whoosh gives the term no boost
            start, end = node.ranges[0] if node.ranges else (None, None)
            return Term(node.field, node.words[0], start=start, end=end)
    return node


def _normalized_branch(node: Or | And) -> Node:
    subs: list[Node] = []
    for child in node.children:
        child = normalized(child)
        if type(child) is type(node):
            subs += [with_boost(inner, inner.boost * child.boost) for inner in children(child)]  # type: ignore[union-attr]
        else:
            subs.append(child)
    if all(sub is NOTHING for sub in subs):
        return NOTHING
    if any(isinstance(sub, Every) and sub.field is None for sub in subs):
        return Every()
    every = {sub.field for sub in subs if isinstance(sub, Every)}
    unique = list(dict.fromkeys(sub for sub in subs if sub is not NOTHING and (isinstance(sub, Every) or _field(sub) not in every)))
    if not unique:
        return NOTHING
    if len(unique) == 1:
        only = unique[0]
        boost = getattr(only, "boost", 1.0)
        return only if node.boost == 1.0 and boost == 1.0 else with_boost(only, boost * node.boost)
    return replace(node, children=tuple(unique))


def _field(node: Node) -> str | None:
    return getattr(node, "field", None) if not isinstance(node, (Or, And, AndNot, AndMaybe, Not)) else None

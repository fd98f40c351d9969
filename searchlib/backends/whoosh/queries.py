"""searchlib's query tree (:mod:`searchlib.search.tree`) as Whoosh queries, and the query work
that needs the index: wildcards and fuzzy words bounded to the words it holds, the terms a hit can
show as matched, the name filters.
"""

# whoosh3 private names used here (pinned whoosh3==3.54.0; tests/search/test_tree.py, tests/search/test_query.py check the behaviour):
#   whoosh.query.terms.MultiTerm (a Prefix, Wildcard or FuzzyTerm): _btexts

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.util.times import datetime_to_long, long_to_datetime

from ...analysis.vocabulary import Vocabulary
from ...models import SearchFilters
from ...search import tree as t
from ...search.spelling import fuzzy_stems
from ...search.fields import TEXT_FIELDS
from .near import Near

#: The field of dates: its ranges hold Whoosh's numbers for datetimes.
_DATE_FIELD = "date"


def to_whoosh(node: t.Node) -> wq.Query:
    """The Whoosh query of a tree node."""
    kind = type(node)
    if kind is t.Or:
        return wq.Or([to_whoosh(child) for child in node.children], boost=node.boost, minmatch=node.minimum)
    if kind is t.And:
        return wq.And([to_whoosh(child) for child in node.children], boost=node.boost)
    if kind is t.AndNot:
        return wq.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))
    if kind is t.AndMaybe:
        return wq.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if kind is t.Not:
        return wq.Not(to_whoosh(node.child), boost=node.boost)
    if kind is t.Nothing:
        return wq.NullQuery
    if kind is t.Unreadable:  # Whoosh's error query: a NullQuery of its own, which stays in place
        return type(wq.NullQuery)()
    return _leaf(node)


def _leaf(node: t.Node) -> wq.Query:
    if isinstance(node, t.Term):
        return _placed(wq.Term(node.field, node.text, boost=node.boost), node)
    if isinstance(node, t.Phrase):
        ranges = list(node.ranges) if node.ranges is not None else None
        return wq.Phrase(node.field, list(node.words), slop=node.slop, boost=node.boost, char_ranges=ranges)
    if isinstance(node, t.Near):
        return Near(node.field, list(node.words), slop=node.slop, boost=node.boost)
    if isinstance(node, t.Prefix):
        return _placed(wq.Prefix(node.field, node.text, boost=node.boost), node)
    if isinstance(node, t.Wildcard):
        return _placed(wq.Wildcard(node.field, node.text, boost=node.boost), node)
    if isinstance(node, t.Fuzzy):
        fuzzy = wq.FuzzyTerm(node.field, node.text, boost=node.boost, maxdist=node.distance, prefixlength=node.prefix)
        return _placed(fuzzy, node)
    if isinstance(node, t.DateRange):
        start = None if node.start is None else datetime_to_long(node.start)
        end = None if node.end is None else datetime_to_long(node.end)
        return wq.NumericRange(node.field, start, end, node.start_excluded, node.end_excluded, boost=node.boost)
    if isinstance(node, t.TextRange):
        return wq.TermRange(node.field, node.start, node.end, node.start_excluded, node.end_excluded, boost=node.boost)
    if isinstance(node, t.Every):
        return wq.Every(node.field, boost=node.boost)
    raise TypeError(f"no Whoosh query for {node!r}")


def _placed(q: wq.Query, node: Any) -> wq.Query:
    q.startchar, q.endchar = node.start, node.end
    return q


def from_whoosh(q: wq.Query) -> t.Node:
    """The tree node of a Whoosh query (of the kinds searchlib's query language gives)."""
    kind = type(q)
    if kind is wq.Or:
        return t.Or(tuple(from_whoosh(sub) for sub in q.subqueries), q.boost, q.minmatch)
    if kind is wq.And:
        return t.And(tuple(from_whoosh(sub) for sub in q.subqueries), q.boost)
    if kind is wq.AndNot:
        return t.AndNot(from_whoosh(q.a), from_whoosh(q.b))
    if kind is wq.AndMaybe:
        return t.AndMaybe(from_whoosh(q.a), from_whoosh(q.b))
    if kind is wq.Not:
        return t.Not(from_whoosh(q.query), q.boost)
    if q is wq.NullQuery:
        return t.NOTHING
    if type(q) is type(wq.NullQuery):  # the query of a word a field cannot read (date:Alerte)
        return t.Unreadable()
    return _tree_leaf(q)


def _tree_leaf(q: wq.Query) -> t.Node:
    place = {"start": getattr(q, "startchar", None), "end": getattr(q, "endchar", None)}
    kind = type(q)
    if kind is wq.Term:
        return t.Term(q.fieldname, q.text, q.boost, **place)
    if kind is wq.Phrase:
        ranges = tuple(tuple(pair) for pair in q.char_ranges) if q.char_ranges is not None else None
        return t.Phrase(q.fieldname, tuple(q.words), q.slop, q.boost, ranges)
    if kind is Near:
        return t.Near(q.fieldname, tuple(q.words), q.slop, q.boost)
    if kind is wq.Prefix:
        return t.Prefix(q.fieldname, q.text, q.boost, **place)
    if kind is wq.Wildcard:
        return t.Wildcard(q.fieldname, q.text, q.boost, **place)
    if kind is wq.FuzzyTerm:
        return t.Fuzzy(q.fieldname, q.text, q.boost, distance=q.maxdist, prefix=q.prefixlength, **place)
    if kind is wq.NumericRange and q.fieldname == _DATE_FIELD:
        start = None if q.start is None else long_to_datetime(q.start)
        end = None if q.end is None else long_to_datetime(q.end)
        return t.DateRange(q.fieldname, start, end, q.startexcl, q.endexcl, q.boost)
    if kind is wq.TermRange:
        return t.TextRange(q.fieldname, q.start, q.end, q.startexcl, q.endexcl, q.boost)
    if kind is wq.Every:
        return t.Every(q.fieldname, q.boost)
    raise TypeError(f"no query tree node for {q!r}")


#: A wildcard or fuzzy term is searched as at most this many words (its most frequent ones):
#: ``a*`` alone names thousands, and scoring them all took seconds on OrangeSum (500: 3 to 5 s).
MAX_EXPANSIONS = 200


def bound_expansions(
    q: wq.Query, reader: IndexReader, vocabulary: Callable[[], Vocabulary], limit: int = MAX_EXPANSIONS
) -> tuple[wq.Query, list[str]]:
    """``q`` with each fuzzy term of the text turned into the index terms of the archive's words
    as written (``vocabulary()``) within its distance, and each wildcard or fuzzy term that names more than
    ``limit`` words replaced by its ``limit`` most frequent ones, with a notice for each."""
    named: dict[str, int] = {}  # pattern → words it names, the most over the fields searched
    expanded = False

    def bound(node: wq.Query) -> wq.Query:
        nonlocal expanded
        if isinstance(node, wq.FuzzyTerm) and node.fieldname == "text":
            expanded = True
            # The vocabulary is loaded only for a fuzzy term: 0.1 s the first time on OrangeSum.
            stems, count = fuzzy_stems(vocabulary(), node.text, node.maxdist, node.prefixlength, limit)
            if count > limit:
                named[f"{node.text}~"] = count
            return wq.Or([wq.Term("text", term, boost=node.boost) for term in stems]) if stems else wq.NullQuery
        if isinstance(node, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            words = list(itertools.islice(node._btexts(reader), _LISTED_AT_MOST))
            if len(words) <= limit:
                return node
            frequency = functools.partial(reader.doc_frequency, node.fieldname)
            kept = heapq.nlargest(limit, words, key=frequency)
            pattern = f"{node.text}{'*' if isinstance(node, wq.Prefix) else ''}"
            named[pattern] = max(named.get(pattern, 0), len(words))
            return wq.Or([wq.Term(node.fieldname, _as_text(word), boost=node.boost) for word in kept])
        return node.apply(bound) if not node.is_leaf() else node

    bounded = bound(q)
    if expanded:  # a fuzzy term naming no word is gone, and so may be what held only it
        bounded = bounded.normalize()
    notices = [
        f"{pattern} matches {f'{count:,}' if count < _LISTED_AT_MOST else f'more than {_LISTED_AT_MOST - 1:,}'} "
        f"words; searched for the {limit:,} most frequent"
        for pattern, count in named.items()
    ]
    return bounded, notices


# Counting a wildcard's words stops here: what matters is that there are too many.
_LISTED_AT_MOST = 100_001


def highlight_terms(q: wq.Query, reader: IndexReader) -> set[str]:
    """The index terms of the text fields a hit can show as matched (negated words excluded)."""
    found: set[str] = set()
    # Each term is looked up once (Whoosh's existing_terms looks leaf by leaf): the all-words and
    # closeness bonuses repeat every word of the query.
    indexed: dict[tuple[str, Any], bytes | None] = {}
    for leaf in _positive_leaves(q):
        kept = set()
        try:
            for name, text in leaf.expanded_terms(reader, phrases=True):
                if name not in TEXT_FIELDS:
                    continue
                if (name, text) not in indexed:
                    indexed[name, text] = _index_term(name, text, reader)
                term = indexed[name, text]
                if term is not None:
                    kept.add(_as_text(term))
        except Exception:  # noqa: BLE001 - a query kind that cannot list terms highlights nothing
            continue
        found |= kept
    return found


def _positive_leaves(q: wq.Query) -> Iterator[wq.Query]:
    """The leaves of ``q`` but the negated ones: what a hit can show (and match on)."""
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
    elif q.is_leaf():
        yield q
    else:
        for child in q.children():
            yield from _positive_leaves(child)


def _index_term(name: str, text: Any, reader: IndexReader) -> bytes | None:
    """The bytes of term ``text`` of field ``name`` when the index holds it (as Whoosh's
    ``existing_terms`` decides), else None."""
    if name not in reader.schema:
        return None
    try:
        term = reader.schema[name].to_bytes(text)
    except ValueError:
        return None
    return term if (name, term) in reader else None


def _as_text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term




_NAME_FIELDS = {"sources": ("source", "agency"), "authors": ("author",), "sections": ("section",)}
#: Every field a name filter looks in.
NAME_FIELDS = tuple(name for names in _NAME_FIELDS.values() for name in names)


def filter_query(filters: SearchFilters, schema: Schema) -> wq.Query | None:
    """The Whoosh query an article must match to pass the name filters (None when there are none).

    Names match the stored value's words in order, case and accents ignored: ``--source "le monde"``
    finds "Le Monde", ``--author dupont`` finds "Marie Dupont". Dates: see
    :meth:`searchlib.backends.whoosh.arrays.Engine.dated_between`.
    """
    parts: list[wq.Query] = []
    for kind, fieldnames in _NAME_FIELDS.items():
        values = getattr(filters, kind)
        if values:
            parts.append(wq.Or([_name_query(schema, fieldname, value) for value in values for fieldname in fieldnames]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _name_query(schema: Schema, fieldname: str, value: str) -> wq.Query:
    words = list(schema[fieldname].process_text(value, mode="query"))
    if not words:
        return wq.NullQuery
    return wq.Term(fieldname, words[0]) if len(words) == 1 else wq.Phrase(fieldname, words)

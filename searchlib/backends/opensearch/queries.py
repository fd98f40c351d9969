"""searchlib's query tree (:mod:`searchlib.search.tree`) as OpenSearch's query DSL, the filters of a
search as filter clauses, and the terms a hit can show as matched.

The tree's leaves hold *index terms* already (stems in ``title``/``text``, folded words in
``title_words``/``text_words``): they are searched as they are (``term``, ``span_term``,
``prefix``…), never through ``match``/``match_phrase``, which would analyse them a second time.
Only the name filters analyse, since they hold what the user typed.

Matching is meant to equal the Whoosh engine's (``backends/whoosh/queries.py``), and scoring to
follow the same shape: an Or (``bool.should``) and an And (``bool.must``) sum their matching
children's scores, an AND NOT scores its positive side, an AND MAYBE adds the optional side's score
where it matches, boosts multiply. What cannot be equal:

- **Positions and stop words** are equal: searchlib sends the terms of ``title``, ``text`` and the
  fields of words as written already analysed (:mod:`.documents`), numbered as its own index numbers
  them (stop words take no position; Lucene's ``stop`` filter would leave a gap), so a phrase across
  a stop word ("chef de l'État") matches in both.
- **Phrase slop.** Whoosh's slop ``s`` bounds each step between consecutive words (1 to ``s``
  positions); Lucene's ``span_near`` bounds the *sum* of the gaps. A two-word phrase is exact with
  ``slop = s − 1``; a longer one with ``s > 1`` is written as right-nested ``span_near``s, each of
  slop ``s − 1``, which equals Whoosh's step-by-step rule (Lucene's ordered spans take, for each
  first word, the earliest following match, which is the best choice for every later step).
- **Near windows**: Whoosh's window holds one position of each word within ``slop × (n − 1)``
  positions; Lucene's unordered ``span_near`` allows ``last − first ≤ slop' + words − 1``, so
  ``slop' = slop × (n − 1) − (distinct words − 1)``: equal (positions aside).
- **Fuzzy words of the text** never reach this module: ``View.prepare`` makes them the stems of
  the archive's words as written within their distance, as the Whoosh engine does
  (:func:`~searchlib.search.spelling.fuzzy_stems`, over the words kept in the cluster).
- **Wildcards, prefixes, fuzzy words of the title** are expanded by the cluster, a wildcard over
  every term of the field, a fuzzy word over :data:`FUZZY_EXPANSIONS` and :data:`MAX_EDITS` at most
  among the words as written (``title_words``; constant score, as Whoosh's); the Whoosh engine
  bounds them to the 200 most frequent words in ``View.prepare``.
- **Scores.** Lucene's BM25 drops Whoosh's ``(k1 + 1)`` factor (a constant 2.2 on every word's score,
  not on constant-score leaves), quantizes field lengths into a byte, and takes IDF per shard unless
  the search asks ``dfs_query_then_fetch``. Phrases and near windows match as spans and score as
  the sum of their words' scores, as Whoosh's do (not with Lucene's sloppy frequency). Same
  matches, close but not equal scores.
- ``Every(field)`` is ``exists``: an article whose field holds only stop words has the field for the
  cluster and no term for Whoosh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...models import SearchFilters
from ...search import tree as t
from ...search.fields import TEXT_FIELDS
from ..base import added_value

#: The name filters and the fields each looks in (as ``backends/whoosh/queries._NAME_FIELDS``).
NAME_FIELDS = {"sources": ("source", "agency"), "authors": ("author",), "sections": ("section",)}

#: How a DateRange's bounds are written (the ``date`` field itself holds days, ``strict_date``).
_DATE_FORMAT = "strict_date_optional_time"


def to_dsl(node: t.Node) -> dict[str, Any]:
    """The OpenSearch query of a tree node.

    >>> to_dsl(t.Term("text", "pekin", boost=2.0))
    {'term': {'text': {'value': 'pekin', 'boost': 2.0}}}
    """
    kind = type(node)
    if kind is t.Or:
        should = [to_dsl(child) for child in node.children]
        return _bool(node.boost, should=should, minimum_should_match=max(node.minimum, 1))
    if kind is t.And:
        return _bool(node.boost, must=[to_dsl(child) for child in node.children])
    if kind is t.AndNot:
        return _bool(1.0, must=[to_dsl(node.positive)], must_not=[to_dsl(node.negative)])
    if kind is t.AndMaybe:
        return _bool(1.0, must=[to_dsl(node.required)], should=[to_dsl(node.optional)])
    if kind is t.Not:
        return _bool(1.0, must=[_boosted({"match_all": {}}, "match_all", node.boost)], must_not=[to_dsl(node.child)])
    if kind is t.Nothing or kind is t.Unreadable:
        return _match_nothing()
    return _leaf(node)


def _bool(boost: float, **clauses: Any) -> dict[str, Any]:
    """A ``bool`` query of the clauses given (empty lists left out), with ``boost`` unless 1."""
    body = {name: value for name, value in clauses.items() if value != []}
    if boost != 1.0:
        body["boost"] = boost
    return {"bool": body}


def _boosted(query: dict[str, Any], kind: str, boost: float) -> dict[str, Any]:
    """``query`` with ``boost``: in its body, or around it when it is not of ``kind`` (a window
    narrower than its words becomes a query matching nothing)."""
    if boost == 1.0:
        return query
    if kind not in query:
        return {"bool": {"must": [query], "boost": boost}}
    if kind == "span_term":  # {"span_term": {field: {"value": …, "boost": …}}}
        field, value = next(iter(query[kind].items()))
        return {kind: {field: {"value": value, "boost": boost}}}
    query[kind]["boost"] = boost
    return query


def _match_nothing() -> dict[str, Any]:
    """A query no article matches (Nothing, Unreadable): a new dict each time, callers add boosts."""
    return {"bool": {"must_not": [{"match_all": {}}]}}


def _leaf(node: t.Node) -> dict[str, Any]:
    """The query of a leaf (Term, Phrase, Near, Prefix, Wildcard, Fuzzy, ranges, Every)."""
    if isinstance(node, t.Term):
        return {"term": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, t.Phrase):
        return _phrase(node)
    if isinstance(node, t.Near):
        return _near(node)
    if isinstance(node, t.Prefix):
        return {"prefix": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, t.Wildcard):
        return {"wildcard": {node.field: {"value": _wildcard(node.text), "boost": node.boost}}}
    if isinstance(node, t.Fuzzy):  # the typed word against the words as written, not the stems
        return {"fuzzy": {_WRITTEN.get(node.field, node.field): _fuzzy(node)}}
    if isinstance(node, t.DateRange):
        return {"range": {node.field: _date_bounds(node)}}
    if isinstance(node, t.TextRange):
        bounds = _bounds(node.start, node.end, node.start_excluded, node.end_excluded)
        return {"range": {node.field: {**bounds, "boost": node.boost}}}
    if isinstance(node, t.Every):
        query = {"match_all": {}} if node.field is None else {"exists": {"field": node.field}}
        return _boosted(query, next(iter(query)), node.boost)
    raise TypeError(f"no OpenSearch query for {node!r}")


def _phrase(node: t.Phrase) -> dict[str, Any]:
    """Whoosh's ordered phrase: each word 1 to ``slop`` positions after the one before.

    Lucene's ``span_near`` bounds the sum of the gaps, so a phrase of more than two words with a
    slop over 1 nests: ``a (b (c))``, each level allowing ``slop − 1`` positions between its first
    word and the rest, which is Whoosh's rule step by step (see the module docstring)."""
    if not node.words or node.slop < 1:  # Whoosh's mindist 1 ≤ distance ≤ 0: never
        return _match_nothing()
    spans = [{"span_term": {node.field: word}} for word in node.words]
    if len(spans) == 1:
        query = spans[0]
    elif node.slop == 1 or len(spans) == 2:
        query = _span_near(spans, node.slop - 1, in_order=True)
    else:
        query = spans[-1]
        for span in reversed(spans[:-1]):
            query = _span_near([span, query], node.slop - 1, in_order=True)
    return _scored_as_words(query, node.field, node.words, node.boost)


def _near(node: t.Near) -> dict[str, Any]:
    """One occurrence of each word within a window of ``slop × (len(words) − 1)`` positions
    (:func:`searchlib.backends.whoosh.near.window_width`), in any order."""
    distinct = list(dict.fromkeys(node.words))
    if not distinct:
        return _match_nothing()
    if len(distinct) == 1:  # every window of one word: the articles holding it
        return _boosted({"span_term": {node.field: distinct[0]}}, "span_term", node.boost)
    width = node.slop * (len(node.words) - 1)
    # Lucene's unordered spans: last − first ≤ slop + words − 1.
    query = _span_near([{"span_term": {node.field: word}} for word in distinct], width - (len(distinct) - 1), in_order=False)
    return _scored_as_words(query, node.field, node.words, node.boost)


def _scored_as_words(span: dict[str, Any], field: str, words: tuple[str, ...], boost: float) -> dict[str, Any]:
    """The articles ``span`` matches, scored as Whoosh scores a phrase or a ``Near``: the sum of
    its words' scores, boosted (Lucene scores a span by how close its words stand, so a title
    holding two words far apart would weigh a fraction of what it weighs in the embedded index)."""
    if "span_near" not in span and "span_term" not in span:  # a window narrower than its words
        return span
    words_scored = [{"term": {field: {"value": word, "boost": boost}}} for word in words]
    return {"bool": {"filter": [span], "should": words_scored}}


def _span_near(clauses: list[dict[str, Any]], slop: int, in_order: bool) -> dict[str, Any]:
    if slop < 0:  # a window narrower than the words: no article
        return _match_nothing()
    return {"span_near": {"clauses": clauses, "slop": slop, "in_order": in_order}}


def _wildcard(pattern: str) -> str:
    """Whoosh's ``*`` and ``?`` as OpenSearch's; its backslash escapes doubled."""
    return pattern.replace("\\", "\\\\")


#: The most edits Lucene's fuzzy query takes (``pollution~3`` is searched within 2).
MAX_EDITS = 2
#: Words a fuzzy word may stand for: the embedded engine's bound (``View.prepare``).
FUZZY_EXPANSIONS = 200

#: The field of the words as written beside each stemmed field: where a fuzzy word is looked for
#: (the embedded engine's ``prepare`` does the same through the archive's words as written).
_WRITTEN = {"text": "text_words", "title": "title_words"}


def _fuzzy(node: t.Fuzzy) -> dict[str, Any]:
    """Words within ``distance`` edits sharing the first ``prefix`` letters, each scored the same
    (Whoosh's FuzzyTerm is constant-score too); a swap of two letters is one edit, as
    ``search.spelling.words_within`` counts it."""
    return {
        "value": node.text,
        "fuzziness": min(node.distance, MAX_EDITS),
        "max_expansions": FUZZY_EXPANSIONS,
        "prefix_length": node.prefix,
        "transpositions": True,
        "rewrite": "constant_score",
        "boost": node.boost,
    }


def _date_bounds(node: t.DateRange) -> dict[str, Any]:
    """The bounds of a DateRange, to the millisecond (the cluster's resolution; naive: UTC)."""
    start = None if node.start is None else node.start.isoformat(timespec="milliseconds")
    end = None if node.end is None else node.end.isoformat(timespec="milliseconds")
    bounds = _bounds(start, end, node.start_excluded, node.end_excluded)
    return {**bounds, "format": _DATE_FORMAT, "boost": node.boost}


def _bounds(start: Any, end: Any, start_excluded: bool, end_excluded: bool) -> dict[str, Any]:
    bounds = {}
    if start is not None:
        bounds["gt" if start_excluded else "gte"] = start
    if end is not None:
        bounds["lt" if end_excluded else "lte"] = end
    return bounds


def filter_dsl(filters: SearchFilters) -> list[dict[str, Any]]:
    """The clauses an article must match to pass ``filters`` (for a ``bool.filter``): dates as whole
    days (inclusive), names (any of them, each the stored value's words in order, case and accents
    ignored: ``match_phrase`` with the field's own analyzer, ``searchlib_names``), and the time
    articles were added.

    >>> filter_dsl(SearchFilters(date_from=dt.date(2016, 1, 1)))
    [{'range': {'date': {'gte': '2016-01-01', 'format': 'strict_date'}}}]
    """
    clauses: list[dict[str, Any]] = []
    if filters.date_from or filters.date_to:
        days = _bounds(filters.date_from and filters.date_from.isoformat(), filters.date_to and filters.date_to.isoformat(), False, False)
        clauses.append({"range": {"date": {**days, "format": "strict_date"}}})
    for kind, fields in NAME_FIELDS.items():
        values = getattr(filters, kind)
        if values:
            should = [{"match_phrase": {field: {"query": value}}} for value in values for field in fields]
            clauses.append({"bool": {"should": should, "minimum_should_match": 1}})
    if filters.added_since is not None:
        clauses.append({"range": {"added": {"gte": added_value(filters.added_since)}}})
    return clauses



def highlight_terms(node: t.Node) -> set[str]:
    """The index terms of the text fields (``title``, ``text``) a hit can show as matched: its
    words, phrases' and windows' words, but not the excluded ones.

    Prefixes, wildcards and fuzzy words are left out: naming their words needs the cluster's term
    dictionary (a prepared query has them as words already). Unlike the Whoosh engine's, the terms
    are not checked against the index: a term no article holds marks nothing anyway.

    >>> sorted(highlight_terms(t.AndNot(t.Term("text", "chin"), t.Term("text", "pekin"))))
    ['chin']
    """
    found: set[str] = set()
    for leaf in t.positive_leaves(node):
        if getattr(leaf, "field", None) not in TEXT_FIELDS:
            continue
        if isinstance(leaf, t.Term):
            found.add(leaf.text)
        elif isinstance(leaf, (t.Phrase, t.Near)):
            found.update(leaf.words)
    return found

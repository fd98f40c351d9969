"""A Whoosh index as one commit left it: the :class:`~searchlib.backends.base.View` of the
embedded engine.

Matching goes one of two ways, chosen here and nowhere else: the array search (:mod:`.arrays`)
for the queries people type (words and phrases of the title and text), Whoosh's own collector for
every other query (wildcards, ``AND``/``NOT``, other fields). Both give the same hits, scores,
totals and facet counts (``tests/backends/whoosh`` compares them).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterator
from heapq import nsmallest
from time import monotonic
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Results, Searcher

from ...analysis.copy_keys import CopyKey
from ...analysis.vocabulary import Vocabulary
from ...errors import BadFilter, IncompatibleIndex
from ...models import Article, SearchFilters
from ...search import tree
from ..base import Matches, View, added_time, added_value
from . import arrays, manifest
from .queries import NAME_FIELDS, bound_expansions, filter_query, from_whoosh, highlight_terms, to_whoosh
from .facets import count_matches, counts, grouped_by, relevance, sort_facet
from .schema import ADDED, ARRAY_FIELDS, NO_DATE, RANKED_FIELDS, to_article

#: Stored articles a view keeps once read (the second look reads up to ranking.RERANK_DEPTH).
ROWS_KEPT = 500
#: Distinctive words of an article that "similar" looks for in others.
SIMILAR_WORDS = 20


class WhooshView(View):
    """One searcher's view; ``words`` loads the archive's words as written when a query needs them."""

    def __init__(self, searcher: Searcher, words: Callable[[], Vocabulary], path: Any = None, *, owned: bool = False) -> None:
        self.searcher = searcher
        self._owned = owned  # a private view's searcher is its own, closed with it
        self.reader = searcher.reader()
        self.engine = arrays.engine(searcher)
        self._words = words
        self._path = path
        # The articles read lately, each once: a page and its second look read the same ones; an
        # export reads every match once, so the memory stays flat (ROWS_KEPT).
        self._rows: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._allowed: dict[SearchFilters, set[int] | None] = {}
        self._translated: dict[tree.Node, Any] = {}

    def close(self) -> None:
        if self._owned:
            self._owned = False  # once: an export closes it both when its rows end and on close()
            self.searcher.close()

    # -- articles ------------------------------------------------------------------------------

    def count(self) -> int:
        return self.searcher.doc_count()

    def find(self, article_id: str) -> int | None:
        return self.searcher.document_number(id=article_id)

    def stored(self, docnum: int) -> dict[str, Any]:
        row = self._rows.get(docnum)
        if row is None:
            row = self._rows[docnum] = self.searcher.stored_fields(docnum)
            if len(self._rows) > ROWS_KEPT:
                self._rows.popitem(last=False)
        return row

    def article(self, doc: Any) -> Article:
        return to_article(self.stored(doc))

    def articles(self) -> Iterator[Article]:
        for stored in self.searcher.all_stored_fields():
            yield to_article(stored)

    def articles_added(self) -> Iterator[tuple[Article, int]]:
        added = self.engine.column(ADDED) if ADDED in self.searcher.schema.names() else None
        for docnum in self.reader.all_doc_ids():
            yield to_article(self.reader.stored_fields(docnum)), int(added[docnum]) if added is not None else 0

    def vocabulary(self) -> Vocabulary:
        return self._words()

    def copy_key(self, doc: Any) -> CopyKey:
        return self.engine.copy_key(doc)

    # -- matching ------------------------------------------------------------------------------

    def whoosh(self, query: tree.Node) -> Any:
        """``query`` as a Whoosh query (translated once per view)."""
        translated = self._translated.get(query)
        if translated is None:
            # An index written before a ranked field existed (text_words) is searched without it.
            missing = frozenset(RANKED_FIELDS) - set(self.searcher.schema.names())
            searched = tree.normalized(tree.without_fields(query, missing)) if missing else query
            translated = self._translated[query] = to_whoosh(searched)
        return translated

    def prepare(self, query: tree.Node) -> tuple[tree.Node, list[str]]:
        if not any(isinstance(leaf, (tree.Prefix, tree.Wildcard, tree.Fuzzy)) for leaf in tree.leaves(query)):
            return query, []  # nothing to expand: no translation there and back
        bounded, notices = bound_expansions(self.whoosh(query), self.reader, self._words)
        return from_whoosh(bounded), notices

    def holds(self, term: str) -> bool:
        return self.reader.doc_frequency("text", term) > 0

    def allowed(self, filters: SearchFilters) -> set[int] | None:
        """The documents ``filters`` let through (Whoosh's ``filter=`` takes the set), or None."""
        if filters in self._allowed:
            return self._allowed[filters]
        names = filter_query(filters, self.searcher.schema)
        allowed = None
        if names is not None:
            allowed = self.engine.docset(names, NAME_FIELDS)
            if allowed is None:
                allowed = set(self.searcher.docs_for_query(names))
        if filters.date_from or filters.date_to:
            dated = self.engine.dated_between(filters.date_from, filters.date_to)
            allowed = dated if allowed is None else dated & allowed
        if filters.added_since is not None:
            recent = self._added_since(filters.added_since)
            allowed = recent if allowed is None else recent & allowed
        self._allowed[filters] = allowed
        return allowed

    def _added_since(self, moment: dt.datetime) -> set[int]:
        if ADDED not in self.searcher.schema.names():
            raise BadFilter(
                "new-since", moment.isoformat(timespec="seconds"), "this index does not record when articles were added",
                "rebuild it once with `searchlib index --rebuild`: articles indexed from then on are dated",
            )
        added = self.engine.column(ADDED)
        if added is None:
            return set()
        since = added_value(moment)
        deleted = self.reader.is_deleted if self.reader.has_deletions() else None
        return {doc for doc, value in enumerate(added) if value >= since and not (deleted and deleted(doc))}

    def newest_added(self) -> dt.datetime | None:
        if ADDED not in self.searcher.schema.names():
            return None
        added = self.engine.column(ADDED)
        newest = max(added, default=0) if added is not None else 0
        return added_time(newest) if newest else None

    def match(
        self,
        query: tree.Node,
        filters: SearchFilters,
        *,
        window: int,
        sort: str = "relevance",
        facets: tuple[str, ...] = (),
        time_limit: float | None = None,
    ) -> Matches:
        only = self.allowed(filters)
        if only is not None and not only:  # Whoosh's collector takes an empty filter for none
            nothing = np.zeros(self.engine.doc_count_all, dtype=bool)
            return Matches([], 0, count_matches(self.engine.factorised, nothing, facets))
        deadline = None if time_limit is None else monotonic() + time_limit
        query = self.whoosh(query)
        found = self._ranked(query, window, only, sort, deadline)
        if found is not None:
            return Matches(found.top, found.total, count_matches(self.engine.factorised, found.matches, facets), found.stopped)
        # a query the array search does not read: Whoosh scores every match
        stopped = False
        try:
            results = every_match(
                self.searcher, query, time_limit=time_limit, limit=max(window, 1), filter=only,
                sortedby=sort_facet(sort, self.reader), groupedby=grouped_by(facets, self.reader) or None,
            )
        except _Partial as partial:
            results, stopped = partial.results, True
        top = [(result.docnum, relevance(result.score)) for result in results[:window]]
        # articles, copies included: the same whatever the page size
        return Matches(top, len(results), counts(results, facets), stopped)

    def _ranked(
        self, q: Any, window: int, only: set[int] | None, sort: str, deadline: float | None
    ) -> arrays.Found | None:
        """The ``window`` first matches of ``q`` in the order ``sort`` asks for, and every match;
        None when the array search cannot read the query."""
        engine = self.engine
        if sort == "relevance":
            return engine.search(q, window, only, ARRAY_FIELDS, deadline)
        column = ADDED if sort == "-added" else "date"
        values = engine.column(column) if column in self.searcher.schema.names() else None
        found = engine.search(q, 0, only, ARRAY_FIELDS)
        if found is None or values is None:  # no article has a value: all tie, by relevance
            return engine.search(q, window, only, ARRAY_FIELDS, deadline) if found is not None else None
        key = _sort_key(sort, values)
        first = nsmallest(window, found.docs, key=key)
        if not first:
            return found
        # Articles of the same day rank best first: score every article up to the last day shown.
        last = key(first[-1])
        same_days = [docnum for docnum in found.docs if key(docnum) <= last]
        scores = engine.scores(q, same_days, ARRAY_FIELDS)
        if scores is None:
            return None
        order = sorted(same_days, key=lambda docnum: (key(docnum), -scores[docnum], docnum))[:window]
        return arrays.Found([(docnum, scores[docnum]) for docnum in order], found.matches)

    def total(self, query: Any, filters: SearchFilters) -> int:
        only = self.allowed(filters)
        if only is not None and not only:
            return 0
        query = self.whoosh(query)
        quick = self.engine.search(query, 0, only, ARRAY_FIELDS)
        return quick.total if quick is not None else len(every_match(self.searcher, query, limit=1, filter=only))

    def highlight_terms(self, query: Any) -> set[str]:
        return highlight_terms(self.whoosh(query), self.reader)

    def word_counts(self, terms: list[str], docs: list[Any] | None) -> dict[str, int]:
        if docs is None:
            return {term: self.reader.doc_frequency("text", term) for term in terms}
        within = np.zeros(self.engine.doc_count_all, dtype=bool)
        within[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        counts = {}
        for term in terms:
            postings = self.engine.postings("text", term.encode("utf-8"))
            if postings is not None:
                counts[term] = int(np.count_nonzero(within[postings.ids]))
            else:  # an index of another codec: Whoosh reads the postings
                counts[term] = sum(1 for doc in self.searcher.docs_for_query(wq.Term("text", term)) if within[doc])
        return counts

    # -- what the second look reads ------------------------------------------------------------

    def term_weight(self, term: str) -> float:
        return self.searcher.idf("text", term)

    def holding(self, term: str, docs: list[Any]) -> set[Any]:
        return self.engine.holding("text", term.encode("utf-8"), docs)

    def positions(self, term: str, docs: list[Any]) -> dict[Any, list[int]]:
        return self.engine.positions("text", term.encode("utf-8"), docs)

    # -- similar articles, check ----------------------------------------------------------------

    def similar(self, article_id: str, limit: int) -> tuple[list[tuple[Any, float]], set[str]] | None:
        docnum = self.find(article_id)
        if docnum is None:
            return None
        text = self.article(docnum).text()
        words = [word for word, _ in self.searcher.key_terms_from_text("text", text, numterms=SIMILAR_WORDS)]
        if not words:
            return [], set()
        likeness = wq.Or([wq.Term("text", word) for word in words])
        results = every_match(self.searcher, likeness, limit=limit, mask=wq.Term("id", article_id))
        return [(r.docnum, r.score or 0.0) for r in results[:limit]], set(words)

    def check(self, samples: int) -> list[str]:
        problems: list[str] = []
        searcher, reader = self.searcher, self.reader
        try:
            segments = list(reader.leaf_readers())
            counted = sum(leaf.doc_count() for leaf, _ in segments)
        except Exception as error:  # noqa: BLE001 - any failure to read is what check reports
            return [f"a segment cannot be read: {type(error).__name__}: {error}"]
        if counted != searcher.doc_count():
            problems.append(f"segments hold {counted} articles but the index counts {searcher.doc_count()}")
        problems += self._indexed_twice()
        live = [docnum for docnum in range(reader.doc_count_all()) if not reader.is_deleted(docnum)]
        step = max(len(live) // max(samples, 1), 1)
        for docnum in live[::step]:
            try:
                article = to_article(searcher.stored_fields(docnum))
            except Exception as error:  # noqa: BLE001
                problems.append(f"article #{docnum} cannot be read back: {type(error).__name__}: {error}")
                continue
            if searcher.document_number(id=article.id) is None:
                problems.append(f"article {article.id!r} is stored but cannot be found by its id")
        if self._path is not None:
            try:
                manifest.check(self._path)
            except IncompatibleIndex as error:
                problems.append(str(error))
        return problems

    def _indexed_twice(self) -> list[str]:
        reader = self.reader
        problems = []
        for term in reader.lexicon("id"):
            if reader.doc_frequency("id", term) > 1:  # counts deleted copies too: look closer
                copies = [d for d in reader.postings("id", term).all_ids() if not reader.is_deleted(d)]
                if len(copies) > 1:
                    problems.append(f"article {_as_str(term)!r} is indexed {len(copies)} times")
        return problems


def _sort_key(sort: str, values: list[Any]) -> Callable[[int], Any]:
    """A document's key for ``sort`` from its column ``values``: oldest first, newest first (the
    undated last either way), or the most recently added first."""
    if sort == "date":
        return values.__getitem__
    if sort == "-added":
        return lambda docnum: -values[docnum]
    return lambda docnum: (values[docnum] == NO_DATE, -values[docnum])


def _as_str(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class _Partial(Exception):
    """A search that ran out of time, with the results collected until then."""

    def __init__(self, results: Results) -> None:
        super().__init__("search stopped by its time limit")
        self.results = results


def every_match(searcher: Searcher, q: Any, time_limit: float | None = None, **options: Any) -> Results:
    """Runs ``q`` so that every match is counted in the same pass as the ranking.

    Whoosh's top-N collector skips blocks of low quality (``optimize``) and, once its heap is full,
    swaps the matcher for one without the sub-queries that can no longer reach the top N
    (``replace``): either way it stops seeing every match and ``len(results)`` comes out short
    (measured: 2 158 instead of 15 863 for "france" on OrangeSum) or Whoosh runs the query again.
    """
    collector = searcher.collector(optimize=False, **options)
    inner = collector
    while inner is not None:
        if hasattr(inner, "replace") and isinstance(getattr(inner, "replace"), int):
            inner.replace = 0
        inner = getattr(inner, "child", None)
    if time_limit is None:
        searcher.search_with_collector(q, collector)
        return collector.results()
    # Checked between matches (no SIGALRM: searches also run in threads other than the main one).
    limited = TimeLimitCollector(collector, timelimit=time_limit, use_alarm=False)
    try:
        searcher.search_with_collector(q, limited)
    except TimeLimit:
        raise _Partial(limited.results()) from None
    return limited.results()

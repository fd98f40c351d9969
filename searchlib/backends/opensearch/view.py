"""An OpenSearch index as searchlib reads it: the :class:`~searchlib.backends.base.View` of the
cluster engine. A document is named by its article id (the ``DocRef``).

What a cluster does not do as the embedded engine does is said here and in docs/scale-out.md:
wildcards, prefixes and fuzzy words of the title are expanded by the cluster (no notice of a
bound), and a view reads the index as it is at each request rather than as one commit left it.
Fuzzy words of the text and did-you-mean draw on the archive's words as written, kept in the
cluster (:mod:`.words`), as the embedded index draws on its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from ...analysis.copy_keys import CopyKey
from ...analysis.vocabulary import Vocabulary
from ...models import Article, SearchFilters
from ...search import tree
from ...search.spelling import fuzzy_stems
from ...search.facets import NAMED, PERIODS, shown
from ..base import Matches, View, added_time
from .connection import Location, cluster_error
from .queries import FUZZY_EXPANSIONS, MAX_EDITS, filter_dsl, highlight_terms, to_dsl
from .documents import ARTICLE_FIELDS, to_article

#: Results one request may ask for (``index.max_result_window``).
MAX_WINDOW = 10_000
#: Stored articles a view keeps once read.
ARTICLES_KEPT = 500
#: A search for this many hits or fewer brings their articles with it (one request, not one each).
PREFETCH = 100
#: Distinctive words of an article that "similar" looks for in others.
SIMILAR_WORDS = 20


class ClusterView(View):
    """The index ``index`` (an alias) of the cluster ``client``."""

    def __init__(self, client: Any, location: Location, index: str, words: Callable[[], Vocabulary] | None = None) -> None:
        self.client, self.location, self.index = client, location, index
        #: The archive's words as written (:class:`.words.KeptWords`).
        self._words = words or Vocabulary
        # Read once per view, a bounded number (an export walks a whole view row by row).
        self._articles: OrderedDict[str, Article] = OrderedDict()
        self._keys: dict[str, CopyKey] = {}
        self._frequencies: dict[str, int] = {}
        self._count: int | None = None
        #: Each document's term vector of ``text`` (term → positions), read once for the second look.
        self._vectors: dict[str, dict[str, list[int]]] = {}

    def _call(self, method: str, **options: Any) -> Any:
        try:
            return getattr(self.client, method)(index=self.index, **options)
        except Exception as error:  # noqa: BLE001 - the cluster's failures become one line
            raise cluster_error(self.location, error) from None

    # -- articles ------------------------------------------------------------------------------

    def count(self) -> int:
        if self._count is None:
            self._count = int(self._call("count")["count"])
        return self._count

    def find(self, article_id: str) -> str | None:
        return article_id if self._call("exists", id=article_id) else None

    def article(self, doc: Any) -> Article:
        found = self._articles.get(doc)
        if found is None:
            source = self._call("get", id=doc, _source_includes=list(ARTICLE_FIELDS))["_source"]
            found = self._articles[doc] = to_article(source)
            if len(self._articles) > ARTICLES_KEPT:
                self._articles.popitem(last=False)
        return found

    def read(self, docs: list[Any]) -> None:
        missing = [doc for doc in dict.fromkeys(docs) if doc not in self._articles][:ARTICLES_KEPT]
        if not missing:
            return
        answer = self._call("mget", body={"ids": missing}, _source_includes=list(ARTICLE_FIELDS))
        for found in answer["docs"]:
            if found.get("found"):
                self._articles[found["_id"]] = to_article(found["_source"])
        while len(self._articles) > ARTICLES_KEPT:
            self._articles.popitem(last=False)

    def articles(self) -> Iterator[Article]:
        for article, _ in self.articles_added():
            yield article

    def articles_added(self) -> Iterator[tuple[Article, int]]:
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"size": 500, "sort": [{"id": "asc"}], "_source": [*ARTICLE_FIELDS, "added"]}
            if after is not None:
                body["search_after"] = after
            hits = self._call("search", body=body)["hits"]["hits"]
            for hit in hits:
                yield to_article(hit["_source"]), int(hit["_source"].get("added") or 0)
            if len(hits) < 500:
                return
            after = hits[-1]["sort"]

    def copy_key(self, doc: Any) -> CopyKey:
        key = self._keys.get(doc)
        if key is None:
            source = self._call("get", id=doc, _source_includes=["copy_hash", "date"])["_source"]
            key = self._keys[doc] = _key(source)
        return key

    def vocabulary(self) -> Vocabulary:
        try:
            return self._words()
        except Exception as error:  # noqa: BLE001 - the cluster's failures become one line
            raise cluster_error(self.location, error) from None

    def newest_added(self) -> dt.datetime | None:
        answer = self._call("search", body={"size": 0, "aggs": {"newest": {"max": {"field": "added"}}}})
        value = answer["aggregations"]["newest"]["value"]
        return added_time(int(value)) if value else None

    # -- matching ------------------------------------------------------------------------------

    def prepare(self, query: tree.Node) -> tuple[tree.Node, list[str]]:
        """``query`` with each fuzzy word of the text made the stems of the archive's words within
        its distance, as the embedded index does (:func:`~searchlib.search.spelling.fuzzy_stems`);
        wildcards, prefixes and fuzzy words of the title are expanded by the cluster, with a notice.
        How many articles hold each text term is read now, in one request: the spelling help and
        the second look ask for each."""
        query, notices = self._fuzzy_expanded(query)
        self._read_frequencies({word for leaf in tree.leaves(query) if tree.field_of(leaf) == "text"
                                for word in _words_of(leaf)})  # fmt: skip
        if any(isinstance(leaf, (tree.Prefix, tree.Wildcard, tree.Fuzzy)) for leaf in tree.leaves(query)):
            notices.append("in an OpenSearch archive, wildcards and fuzzy words of the title are expanded by the cluster "
                           f"(a fuzzy word within {MAX_EDITS} edits, to {FUZZY_EXPANSIONS} words at most) "
                           "and their matches are not highlighted")  # fmt: skip
        return query, notices

    def _fuzzy_expanded(self, query: tree.Node) -> tuple[tree.Node, list[str]]:
        notices: list[str] = []

        def expand(leaf: tree.Node) -> tree.Node:
            if not (isinstance(leaf, tree.Fuzzy) and leaf.field == "text"):
                return leaf
            stems, named = fuzzy_stems(self.vocabulary(), leaf.text, leaf.distance, leaf.prefix, FUZZY_EXPANSIONS)
            if named > FUZZY_EXPANSIONS:
                notices.append(f"{leaf.text}~ matches {named:,} words; searched for the {FUZZY_EXPANSIONS:,} most frequent")
            return tree.Or(tuple(tree.Term("text", stem, leaf.boost) for stem in stems)) if stems else tree.NOTHING

        if not any(isinstance(leaf, tree.Fuzzy) and leaf.field == "text" for leaf in tree.leaves(query)):
            return query, notices
        return tree.normalized(tree.with_leaves(query, expand)), notices

    def holds(self, term: str) -> bool:
        return self._frequency(term) > 0

    def _read_frequencies(self, terms: set[str]) -> None:
        terms -= self._frequencies.keys()
        if not terms:
            return
        aggs = {"words": {"filters": {"filters": {term: {"term": {"text": term}} for term in terms}}}}
        answer = self._call("search", body={"size": 0, "track_total_hits": True, "aggs": aggs})
        self._count = int(answer["hits"]["total"]["value"])
        for term, bucket in answer["aggregations"]["words"]["buckets"].items():
            self._frequencies[term] = int(bucket["doc_count"])

    def _frequency(self, term: str) -> int:
        found = self._frequencies.get(term)
        if found is None:
            found = self._frequencies[term] = int(self._call("count", body={"query": {"term": {"text": term}}})["count"])
        return found

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
        body: dict[str, Any] = {
            "query": _filtered(query, filters),
            "track_total_hits": True,
            # The first hits' articles come along: a page and the second look read them.
            "_source": ["copy_hash", "date", *(ARTICLE_FIELDS if window <= PREFETCH else ())],
            "aggs": _facet_aggs(facets),
            # Equal scores in a stable order (shards' copies may differ): pages never repeat a hit.
            "sort": [*([_SORTS[sort]] if sort != "relevance" else []), {"_score": "desc"}, {"id": "asc"}],
            "track_scores": True,
        }
        if time_limit is not None:
            body["timeout"] = f"{max(int(time_limit * 1000), 1)}ms"
        top: list[tuple[Any, float]] = []
        first: dict[str, Any] | None = None
        while True:  # a request holds MAX_WINDOW hits at most: the next ones come after the last
            body["size"] = min(window - len(top), MAX_WINDOW)
            # Word weights (IDF) over the whole index, not shard by shard: the ranking of one index.
            answer = self._call("search", body=body, search_type="dfs_query_then_fetch")
            first = first or answer
            body.pop("aggs", None)
            hits = answer["hits"]["hits"]
            for hit in hits:
                source = hit.get("_source") or {}
                self._keys[hit["_id"]] = _key(source)
                if "id" in source and hit["_id"] not in self._articles:
                    self._articles[hit["_id"]] = to_article(source)
                top.append((hit["_id"], float(hit.get("_score") or 0.0)))
            if len(top) >= window or len(hits) < body["size"] or not hits:
                break
            body["search_after"] = hits[-1]["sort"]
        counts = _facet_counts(first.get("aggregations", {}), facets)
        return Matches(top, int(first["hits"]["total"]["value"]), counts, bool(first.get("timed_out")))

    def total(self, query: tree.Node, filters: SearchFilters) -> int:
        return int(self._call("count", body={"query": _filtered(query, filters)})["count"])

    def highlight_terms(self, query: tree.Node) -> set[str]:
        return highlight_terms(query)

    # -- what the second look reads ------------------------------------------------------------

    def term_weight(self, term: str) -> float:
        count, frequency = self.count(), self._frequency(term)
        return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))

    def holding(self, term: str, docs: list[Any]) -> set[Any]:
        return set(self.positions(term, docs))

    def positions(self, term: str, docs: list[Any]) -> dict[Any, list[int]]:
        """Where ``term`` is in each of ``docs``: the terms were sent numbered as the embedded
        index numbers them (:mod:`.documents`), so the positions are the same. Each document's
        term vector is read once per view, for every word the second look asks about."""
        missing = [doc for doc in docs if doc not in self._vectors]
        if missing:
            body = {"ids": missing, "parameters": {"fields": ["text"], "positions": True, "offsets": False,
                                                    "payloads": False, "term_statistics": False, "field_statistics": False}}  # fmt: skip
            for doc in self._call("mtermvectors", body=body)["docs"]:
                terms = doc.get("term_vectors", {}).get("text", {}).get("terms", {})
                self._vectors[doc["_id"]] = {word: [token["position"] for token in info.get("tokens", ())] for word, info in terms.items()}
        return {doc: self._vectors[doc][term] for doc in docs if term in self._vectors.get(doc, {})}

    def word_counts(self, terms: list[str], docs: list[Any] | None) -> dict[str, int]:
        if not terms:
            return {}
        query = {"ids": {"values": list(docs)}} if docs is not None else {"match_all": {}}
        aggs = {"words": {"filters": {"filters": {term: {"term": {"text": term}} for term in terms}}}}
        answer = self._call("search", body={"size": 0, "query": query, "aggs": aggs})
        buckets = answer["aggregations"]["words"]["buckets"]
        return {term: int(buckets[term]["doc_count"]) for term in terms}

    # -- similar articles, check ----------------------------------------------------------------

    def similar(self, article_id: str, limit: int) -> tuple[list[tuple[Any, float]], set[str]] | None:
        if self.find(article_id) is None:
            return None
        words = self._key_terms(article_id)
        if not words:
            return [], set()
        query = {"bool": {"should": [{"term": {"text": word}} for word in words], "must_not": [{"ids": {"values": [article_id]}}]}}
        body = {"query": query, "size": limit, "_source": False}
        hits = self._call("search", body=body, search_type="dfs_query_then_fetch")["hits"]["hits"]
        return [(hit["_id"], float(hit["_score"] or 0.0)) for hit in hits], set(words)

    def _key_terms(self, article_id: str) -> list[str]:
        """The article's most distinctive text terms, weighed as the embedded engine weighs them
        (Whoosh's ``key_terms``: the Bo1 model of the article's frequency of a term against its
        frequency in the whole archive)."""
        body = {"fields": ["text"], "term_statistics": True, "field_statistics": False, "positions": False}
        vector = self._call("termvectors", id=article_id, body=body)
        terms = vector.get("term_vectors", {}).get("text", {}).get("terms", {})
        count = max(self.count(), 1)
        weights = {}
        for term, info in terms.items():
            share = max(info.get("ttf", 1), 1) / count
            weights[term] = info["term_freq"] * math.log2((1 + share) / share) + math.log2(1 + share)
        return sorted(weights, key=lambda term: (-weights[term], term))[:SIMILAR_WORDS]

    def check(self, samples: int) -> list[str]:
        """The index's health, that one index stands behind the name, and that a sample of
        articles reads back under its own id."""
        problems = []
        try:
            health = self.client.cluster.health(index=self.index)
            behind = list(self.client.indices.get_alias(name=self.index, ignore=[404]))
        except Exception as error:  # noqa: BLE001
            return [str(cluster_error(self.location, error))]
        if health["status"] == "red":
            problems.append(f"the index is red in the cluster: {health['unassigned_shards']} shard(s) unassigned")
        if len(behind) > 1:
            problems.append(f"{len(behind)} indexes stand behind {self.index}: {', '.join(sorted(behind))}")
        for article in islice(self.articles(), samples):
            if self.find(article.id) is None:
                problems.append(f"article {article.id!r} is stored but cannot be found by its id")
        return problems


_SORTS = {
    "date": {"date": {"order": "asc", "missing": "_last"}},
    "-date": {"date": {"order": "desc", "missing": "_last"}},
    "-added": {"added": {"order": "desc", "missing": "_last"}},
}


def _words_of(leaf: tree.Node) -> tuple[str, ...]:
    if isinstance(leaf, tree.Term):
        return (leaf.text,)
    return tuple(getattr(leaf, "words", ()))


def _key(source: dict[str, Any]) -> CopyKey:
    date = source.get("date")
    return (int(source["copy_hash"]) if source.get("copy_hash") else None,
            dt.date.fromisoformat(date).toordinal() if date else None)  # fmt: skip


def _filtered(query: tree.Node, filters: SearchFilters) -> dict[str, Any]:
    return {"bool": {"must": [to_dsl(query)], "filter": filter_dsl(filters)}}


def _facet_aggs(facets: tuple[str, ...]) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for name in facets:
        if name in NAMED:
            aggs[name] = {"terms": {"field": f"facet_{name}", "size": 10_000}}
        elif name in PERIODS:
            aggs["days"] = {"date_histogram": {"field": "date", "calendar_interval": "day", "min_doc_count": 1}}
    return aggs


def _facet_counts(aggregations: dict[str, Any], facets: tuple[str, ...]) -> dict[str, dict[str, int]]:
    named = {name: {b["key"]: b["doc_count"] for b in aggregations[name]["buckets"]} for name in NAMED if name in aggregations}
    days = None
    if "days" in aggregations:
        days = {dt.date.fromisoformat(b["key_as_string"][:10]): b["doc_count"] for b in aggregations["days"]["buckets"]}
    return shown(facets, named, days) if facets else {}

"""The best hits, the exact total and the facet counts of a search without scoring every match.

Whoosh's collector scores every article a query matches (about 4,000 for a typical two-word title
query on OrangeSum) one matcher call at a time, and its block-skipping optimisation cannot be used
with our proximity bonus. Here, for the queries people type (words and phrases in the title and
text fields: an OR of terms and phrases, whatever the boosts), searchlib:

- reads each word's postings once per searcher (document numbers and term weights, kept in a
  bounded cache): the union of the words' documents is the exact total and the set facets count;
- scores with the searcher's own BM25F formula (the same floating-point operations per word as
  Whoosh; only the order in which a document's word scores are added differs), and MaxScore:
  words are taken from the most to the least valuable, and once the k-th best score found is above
  anything the remaining words could add, documents holding only those words are not scored;
- adds the phrase and proximity bonuses (the sum of the phrase words' scores where the words
  stand as Whoosh's ``SpanNear2`` requires) only to documents that could still reach the top k, best first, and
  stops as soon as no remaining document can.

Any other query (wildcards, fuzzy terms, ``AND``/``NOT``, fields other than title and text,
another codec or weighting) returns None, and the caller runs it through Whoosh as before.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from heapq import heappop, heappush, heapreplace, nlargest, nsmallest
from itertools import accumulate, compress, islice
from math import inf
from operator import itemgetter
from time import monotonic
from typing import Any

from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

from .codec import CompactLeafMatcher, read_block

#: Postings kept in memory per searcher (8 bytes each: document number and weight).
CACHED_POSTINGS = 2_000_000
#: The date column's value for an article without a date.
NO_DATE = 2**64 - 1
# The date column holds microseconds since datetime.min.
_DAY = 86_400 * 1_000_000
#: Posting blocks kept decoded for phrase matching, per searcher (about 10 kB each).
DECODED_BLOCKS = 2_000
# Relative slack on score bounds: sums added in another order differ in their last bits.
_SLACK = 1e-9


@dataclass
class Found:
    """What a search found: the best ``(docnum, score)`` pairs in rank order, and every match."""

    top: list[tuple[int, float]]
    docs: set[int]
    #: True when the deadline stopped the ranking: ``top`` are the best scored by then.
    stopped: bool = False

    @property
    def total(self) -> int:
        return len(self.docs)


@dataclass
class _Leaf:
    fieldname: str
    words: tuple[bytes, ...]  # one word for a term
    boost: float
    slop: int = 0
    phrase: bool = False
    postings: list[_Postings] = field(default_factory=list)
    matched: set[int] | None = None  # a phrase's documents, once read


class _Postings:
    """One word's live postings in one field, over every segment (global document numbers)."""

    __slots__ = ("key", "ids", "weights", "blocks", "format", "maxweight", "size", "decoded", "scorer")

    def __init__(self, key: tuple[str, bytes]) -> None:
        self.key = key
        # Arrays, not lists: 8 bytes a posting in the cache instead of about 70.
        self.ids = array("i")
        self.weights = array("f")
        # (last global id, posting file, data offset, data length, compressed, segment offset)
        self.blocks: list[tuple[int, Any, int, int, Any, int]] = []
        self.format: Any = None
        self.maxweight = 0.0
        self.size = 0
        # Where decoded blocks are kept: the engine's LRU, shared by every word's postings.
        self.decoded: OrderedDict[tuple[tuple[str, bytes], int], tuple[list[int], Any]] | None = None
        # (idf, K1 + 1, norms, smallest norm): what scoring the word needs, the same for every
        # query of a searcher (Engine._scorer).
        self.scorer: tuple[float, float, list[float], float] | None = None

    def weight(self, docnum: int) -> float | None:
        i = bisect_left(self.ids, docnum)
        return self.weights[i] if i < len(self.ids) and self.ids[i] == docnum else None

    def positions(self, docnum: int) -> list[int]:
        i = bisect_left(self.blocks, docnum, key=itemgetter(0))
        _, postfile, offset, length, compressed, base = self.blocks[i]
        cache = self.decoded if self.decoded is not None else OrderedDict()
        key = (self.key, i)
        block = cache.get(key)
        if block is None:
            raw = postfile.get(offset, length)
            data = read_block(raw, compressed, None)
            block = cache[key] = (list(accumulate(data[0])), data[2])
            if len(cache) > DECODED_BLOCKS:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        local, values = block
        return self.format.decode_positions(values[bisect_left(local, docnum - base)])


class Engine:
    """Per-searcher state: field-length norms, columns, and the postings cache."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.segments = [(leaf, offset) for leaf, offset in self.reader.leaf_readers()]
        self.doc_count_all = self.reader.doc_count_all()
        self.weighting = searcher.weighting
        self._norms: dict[str, tuple[list[float], float]] = {}
        self._columns: dict[str, list[Any]] = {}
        self._column_readers: dict[str, list[Any]] = {}
        self._segment_starts = [offset for _, offset in self.segments]
        self._postings: OrderedDict[tuple[str, bytes], _Postings] = OrderedDict()
        self._decoded: OrderedDict[tuple[tuple[str, bytes], int], tuple[list[int], Any]] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()
        self._date_order: tuple[list[int], list[int]] | None = None
        # The document sets of the postings the current search uses (an engine serves one
        # searcher, and a searcher one thread at a time).
        self._sets: dict[int, set[int]] = {}

    def _docs(self, postings: _Postings) -> set[int]:
        found = self._sets.get(id(postings))
        if found is None:
            found = self._sets[id(postings)] = set(postings.ids)
        return found

    # -- planning ------------------------------------------------------------------------

    def supported(self) -> bool:
        """Whether the searcher scores with Whoosh's BM25F formula (any IDF), which this module
        reproduces."""
        return isinstance(self.weighting, BM25F) and type(self.weighting).scorer is BM25F.scorer

    def _leaves(self, q: wq.Query, fields: Iterable[str]) -> list[_Leaf] | None:
        """The terms and phrases of an OR-only query with their effective boosts, or None."""
        allowed = set(fields)
        leaves: list[_Leaf] = []

        def walk(node: wq.Query, boost: float) -> bool:
            if node is wq.NullQuery:
                return True
            kind = type(node)
            if kind is wq.Or:
                if getattr(node, "scale", None) or getattr(node, "minmatch", 0):
                    return False
                return all(walk(child, boost * node.boost) for child in node.subqueries)
            if kind is wq.Term and node.fieldname in allowed:
                fieldobj = self.schema[node.fieldname]
                leaves.append(_Leaf(node.fieldname, (fieldobj.to_bytes(node.text),), boost * node.boost))
                return True
            if kind is wq.Phrase and node.fieldname in allowed and node.words:
                fieldobj = self.schema[node.fieldname]
                if not (fieldobj.format and fieldobj.format.supports("positions")):
                    return False
                words = tuple(fieldobj.to_bytes(word) for word in node.words)
                leaves.append(_Leaf(node.fieldname, words, boost * node.boost, node.slop, phrase=True))
                return True
            return False

        try:
            return leaves if walk(q, 1.0) else None
        except ValueError:  # a word the field cannot hold
            return None

    # -- postings ------------------------------------------------------------------------

    def postings(self, fieldname: str, word: bytes) -> _Postings | None:
        """The postings of ``word`` (None when the codec is not one this module reads)."""
        key = (fieldname, word)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = _Postings(key)
        found.format = self.schema[fieldname].format
        found.decoded = self._decoded
        for leaf, offset in self.segments:
            if (fieldname, word) not in leaf:
                continue
            matcher = leaf.postings(fieldname, word)
            deleted = None
            if isinstance(matcher, FilterMatcher):
                deleted = matcher._ids
                matcher = matcher.child
            if type(matcher) is not CompactLeafMatcher or matcher._byteids:
                return None
            if not _read_blocks(matcher, found, offset, deleted):
                return None
        found.size = len(found.ids)
        found.maxweight = max(found.weights, default=0.0)
        with self._lock:
            self._postings[key] = found
            self._cached += found.size
            while self._cached > CACHED_POSTINGS and len(self._postings) > 1:
                _, old = self._postings.popitem(last=False)
                self._cached -= old.size
        return found

    def norms(self, fieldname: str) -> tuple[list[float], float]:
        """Per document ``K1 * ((1 - B) + B * length / average length)``, as Whoosh's BM25F
        computes it, and the smallest of them."""
        with self._lock:
            found = self._norms.get(fieldname)
        if found is not None:
            return found
        k1, b, avgfl = self._constants(fieldname)
        norms: list[float] = []
        for leaf, _ in self.segments:
            count = leaf.doc_count_all()
            lengths = _field_lengths(leaf, fieldname, count)
            norms.extend(k1 * ((1 - b) + b * fl / avgfl) for fl in lengths)
        found = (norms, min(norms, default=0.0))
        with self._lock:
            self._norms[fieldname] = found
        return found

    def _constants(self, fieldname: str) -> tuple[float, float, float]:
        weighting = self.weighting
        b = weighting._field_B.get(fieldname, weighting.B)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        return weighting.K1, b, avgfl

    # -- matching ------------------------------------------------------------------------

    def _load(self, leaves: list[_Leaf]) -> bool:
        self._sets = {}
        for leaf in leaves:
            leaf.postings = []
            for word in leaf.words:
                postings = self.postings(leaf.fieldname, word)
                if postings is None:
                    return False
                leaf.postings.append(postings)
        return True

    def docset(self, q: wq.Query, fields: Iterable[str]) -> set[int] | None:
        """Every document matching ``q`` (an OR of terms and phrases, or an AND of such), or None."""
        if type(q) is wq.And:
            parts = [self.docset(child, fields) for child in q.subqueries]
            if any(part is None for part in parts):
                return None
            return set.intersection(*parts) if parts else set()  # type: ignore[arg-type]
        leaves = self._leaves(q, fields)
        if leaves is None or not self._load(leaves):
            return None
        return self._matches(leaves, None)

    def _matches(self, leaves: list[_Leaf], allowed: set[int] | None) -> set[int]:
        terms = {(leaf.fieldname, leaf.words[0]) for leaf in leaves if not leaf.phrase}
        docs: set[int] = set()
        for leaf in leaves:
            if not leaf.phrase:
                docs |= self._docs(leaf.postings[0])
        for leaf in leaves:
            # A phrase whose words are all searched as terms in its field adds no document.
            if leaf.phrase and not all((leaf.fieldname, word) in terms for word in leaf.words):
                docs |= self._phrase_docs(leaf)
        return docs & allowed if allowed is not None else docs

    def _phrase_docs(self, leaf: _Leaf) -> set[int]:
        if leaf.matched is None:  # once per search: _matches and the scoring both ask
            leaf.matched = {docnum for docnum in self._holding(leaf) if self._phrase_at(leaf, docnum)}
        return leaf.matched

    def _holding(self, leaf: _Leaf) -> set[int]:
        """The documents holding every word of a phrase (where it may match)."""
        return set.intersection(*(self._docs(postings) for postings in leaf.postings))

    def _phrase_at(self, leaf: _Leaf, docnum: int) -> bool:
        """Whether the phrase matches in ``docnum``, as Whoosh's ``SpanNear2`` (ordered, mindist 1,
        ``slop``) decides: each next word must stand 1 to ``slop`` positions after the end of a
        match of the words before it. Only the ends of those matches matter."""
        slop = leaf.slop
        ends = leaf.postings[0].positions(docnum)
        for postings in leaf.postings[1:]:
            if not ends:
                return False
            positions = postings.positions(docnum)
            size = len(positions)
            found = set()
            for end in ends:
                j = bisect_right(positions, end)
                while j < size and positions[j] <= end + slop:
                    found.add(positions[j])
                    j += 1
            ends = sorted(found)
        return bool(ends)

    # -- scoring -------------------------------------------------------------------------

    def _scorer(self, fieldname: str, postings: _Postings) -> tuple[float, float, list[float], float]:
        """(idf, K1 + 1, norms, smallest norm) of a word in a field."""
        found = postings.scorer
        if found is None:
            k1, _, _ = self._constants(fieldname)
            text = self.schema[fieldname].from_bytes(postings.key[1])
            norms, smallest = self.norms(fieldname)
            found = postings.scorer = (self.searcher.idf(fieldname, text), k1 + 1, norms, smallest)
        return found

    def _raw(self, fieldname: str, postings: _Postings, docnum: int) -> float:
        idf, k1p1, norms, _ = self._scorer(fieldname, postings)
        w = postings.weight(docnum)
        if w is None:
            return 0.0
        return idf * ((w * k1p1) / (w + norms[docnum]))

    def search(
        self,
        q: wq.Query,
        k: int,
        allowed: set[int] | None,
        fields: Iterable[str],
        deadline: float | None = None,
    ) -> Found | None:
        """The ``k`` best documents for ``q`` (scores as Whoosh gives them), and all matches.

        Past ``deadline`` (a :func:`time.monotonic` time) the ranking stops with what it has.
        """
        leaves = self._leaves(q, fields) if self.supported() else None
        if leaves is None or not self._load(leaves):
            return None
        docs = self._matches(leaves, allowed)
        if k <= 0 or not docs:
            return Found([], docs)
        terms = [leaf for leaf in leaves if not leaf.phrase]
        term_keys = {(leaf.fieldname, leaf.words[0]): leaf for leaf in terms}
        bonuses = [leaf for leaf in leaves if leaf.phrase and all((leaf.fieldname, w) in term_keys for w in leaf.words)]
        own = [leaf for leaf in leaves if leaf.phrase and leaf not in bonuses]

        # Terms, most valuable first; each one's bound on what it adds to a document's score.
        ranked = []
        for leaf in terms:
            idf, k1p1, norms, smallest = self._scorer(leaf.fieldname, leaf.postings[0])
            mw = leaf.postings[0].maxweight
            bound = idf * ((mw * k1p1) / (mw + smallest)) * leaf.boost if mw else 0.0
            ranked.append((bound, leaf, idf, k1p1, norms))
        ranked.sort(key=lambda entry: entry[0], reverse=True)
        bound_of = {id(leaf): bound for bound, leaf, *_ in ranked}
        # A phrase bonus adds at most its boost times its words' scores (bounded likewise) ...
        potential = []
        for leaf in bonuses:
            needs = [term_keys[(leaf.fieldname, w)] for w in leaf.words]
            most = leaf.boost * sum(bound_of[id(t)] / t.boost if t.boost else float("inf") for t in needs)
            potential.append((most, {id(t) for t in needs}))
        # ... and at most ``ratio`` times the score of its words' terms in a document.
        ratio_by_field: Counter[str] = Counter()
        for leaf in bonuses:
            lowest = min(term_keys[(leaf.fieldname, w)].boost for w in leaf.words)
            ratio_by_field[leaf.fieldname] += leaf.boost / lowest if lowest else float("inf")
        ratio = max(ratio_by_field.values(), default=0.0)

        # MaxScore: score in full (every term) the documents of the most valuable terms, until a
        # document holding none of those terms could not reach the k-th best score found: its
        # terms are all among the rest, and a phrase needing one of the terms taken cannot match
        # it. Once k documents are scored, the k-th best score so far (a lower bound of the final
        # one) decides which terms to take, and their documents are scored together: each pass
        # walks every term's postings.
        acc: dict[int, float] = {}
        for leaf in own:  # phrases searched for themselves: their documents are known
            for docnum in self._phrase_docs(leaf):
                if allowed is None or docnum in allowed:
                    acc[docnum] = acc.get(docnum, 0.0) + self._phrase_score(leaf, docnum)
        self._add_terms(set(acc), acc, ranked)
        taken: set[int] = set()
        later: set[int] = set()  # documents of terms taken, to score together
        kth = None
        for i, (_, leaf, *_) in enumerate(ranked):
            if deadline is not None and monotonic() > deadline:
                return Found(_best(acc, k), docs, stopped=True)
            if kth is None and len(acc) >= k:
                kth = _best(acc, k)[-1][1]
            if kth is not None:
                rest = sum(entry[0] for entry in ranked[i:])
                rest += sum(most for most, needs in potential if not needs & taken)
                if rest * (1 + _SLACK) < kth:
                    break
            new = self._docs(leaf.postings[0]) - acc.keys()
            if allowed is not None:
                new &= allowed
            if kth is None:
                self._add_terms(new, acc, ranked)
            else:
                later |= new
            taken.add(id(leaf))
        self._add_terms(later, acc, ranked)

        if not bonuses:
            return Found(_best(acc, k), docs)
        return self._add_bonuses(acc, k, bonuses, ratio, docs, deadline)

    def _add_bonuses(
        self,
        acc: dict[int, float],
        k: int,
        bonuses: list[_Leaf],
        ratio: float,
        docs: set[int],
        deadline: float | None,
    ) -> Found:
        """The ``k`` best of ``acc`` once the phrase bonuses are added, reading as few phrase
        positions as it can.

        Documents come best partial score first; one that holds every word of a phrase waits (in
        ``waiting``) with its exact upper bound, the partial score plus what the phrases it may
        match would add, and its positions are read only when that bound is the highest left. It
        stops when no document left, waiting or not, can reach the top k.
        """
        holding = [(self._holding(leaf), leaf) for leaf in bonuses]
        heap: list[tuple[float, int]] = []  # (score, -docnum): the k best so far
        waiting: list[tuple[float, int, float, list[tuple[float, _Leaf]]]] = []  # (-bound, docnum, …)

        def keep(score: float, docnum: int) -> None:
            entry = (score, -docnum)
            if len(heap) < k:
                heappush(heap, entry)
            elif entry > heap[0]:
                heapreplace(heap, entry)

        def settle(entry: tuple[float, int, float, list[tuple[float, _Leaf]]]) -> None:
            _, docnum, score, possible = entry
            for add, leaf in possible:
                if self._phrase_at(leaf, docnum):
                    score += add
            keep(score, docnum)

        def found(stopped: bool = False) -> Found:
            return Found([(-negated, score) for score, negated in sorted(heap, reverse=True)], docs, stopped)

        def floor() -> float:  # below this, a partial score cannot reach the k-th best
            return heap[0][0] / ((1 + ratio) * (1 + _SLACK)) * (1 - _SLACK) if len(heap) >= k else -inf

        for docnum, partial in _best_first(acc, 4 * k + 16, floor):
            if deadline is not None and monotonic() > deadline:
                return found(stopped=True)
            bound = partial * (1 + ratio) * (1 + _SLACK)  # what this document or any after it can reach
            while waiting and -waiting[0][0] >= bound:
                settle(heappop(waiting))
            if len(heap) >= k and bound < heap[0][0]:
                break
            possible = [(self._phrase_score(leaf, docnum), leaf) for docs_of, leaf in holding if docnum in docs_of]
            if not possible:
                keep(partial, docnum)
                continue
            most = partial + sum(add for add, _ in possible)
            if len(heap) < k or most * (1 + _SLACK) >= heap[0][0]:
                heappush(waiting, (-most * (1 + _SLACK), docnum, partial, possible))
        while waiting and (len(heap) < k or -waiting[0][0] >= heap[0][0]):
            if deadline is not None and monotonic() > deadline:
                return found(stopped=True)
            settle(heappop(waiting))
        return found()

    def _add_terms(self, new: set[int], acc: dict[int, float], ranked: list[tuple[Any, ...]]) -> None:
        """Adds every term's score to the documents ``new`` (not scored by any term yet)."""
        if not new:
            return
        fresh = new.isdisjoint(acc)  # the first term's scores are the documents' first: no sum
        for _, leaf, idf, k1p1, norms in ranked:
            postings = leaf.postings[0]
            ids, weights, boost = postings.ids, postings.weights, leaf.boost
            get = acc.get
            if len(new) * 8 > len(ids):  # most of the postings: walk them (one loop per case)
                if fresh:
                    acc.update(
                        {d: idf * ((w * k1p1) / (w + norms[d])) for d, w in zip(ids, weights) if d in new}
                        if boost == 1.0
                        else {d: idf * ((w * k1p1) / (w + norms[d])) * boost for d, w in zip(ids, weights) if d in new}
                    )
                elif boost == 1.0:
                    for d, w in zip(ids, weights):
                        if d in new:
                            acc[d] = get(d, 0.0) + idf * ((w * k1p1) / (w + norms[d]))
                else:
                    for d, w in zip(ids, weights):
                        if d in new:
                            acc[d] = get(d, 0.0) + idf * ((w * k1p1) / (w + norms[d])) * boost
            else:  # a few documents: look each one up
                size = len(ids)
                for docnum in new:
                    i = bisect_left(ids, docnum)
                    if i < size and ids[i] == docnum:
                        w = weights[i]
                        s = idf * ((w * k1p1) / (w + norms[docnum]))
                        if boost != 1.0:
                            s = s * boost
                        acc[docnum] = get(docnum, 0.0) + s
            fresh = False

    def _phrase_score(self, leaf: _Leaf, docnum: int) -> float:
        score = 0.0
        for postings in leaf.postings:
            score += self._raw(leaf.fieldname, postings, docnum)
        return score * leaf.boost if leaf.boost != 1.0 else score

    def scores(self, q: wq.Query, docnums: Iterable[int], fields: Iterable[str]) -> dict[int, float] | None:
        """The exact score of each of ``docnums`` for ``q`` (0 for one it does not match)."""
        leaves = self._leaves(q, fields) if self.supported() else None
        if leaves is None or not self._load(leaves):
            return None
        found: dict[int, float] = {}
        for docnum in docnums:
            score = 0.0
            for leaf in leaves:
                if not leaf.phrase:
                    s = self._raw(leaf.fieldname, leaf.postings[0], docnum)
                    score += s * leaf.boost if leaf.boost != 1.0 else s
                elif all(docnum in self._docs(p) for p in leaf.postings) and self._phrase_at(leaf, docnum):
                    score += self._phrase_score(leaf, docnum)
            found[docnum] = score
        return found

    # -- columns -------------------------------------------------------------------------

    def column(self, name: str) -> list[Any] | None:
        """Every document's value in column ``name`` (None when no segment has the column)."""
        with self._lock:
            found = self._columns.get(name)
        if found is not None:
            return found
        if not self.reader.has_column(name):
            return None
        values: list[Any] = []
        for leaf, _ in self.segments:
            count = leaf.doc_count_all()
            if leaf.has_column(name):
                values.extend(_numbers(leaf.column_reader(name, translate=False), count))
            else:
                values.extend([self.schema[name].column_type.default_value()] * count)
        with self._lock:
            self._columns[name] = values
        return values

    def value(self, name: str, docnum: int, default: Any = None) -> Any:
        """One document's value in column ``name`` (``default`` when its segment has none),
        read alone: a search groups 30 candidates and need not load the whole column."""
        with self._lock:
            readers = self._column_readers.get(name)
        if readers is None:
            readers = [
                leaf.column_reader(name, translate=False) if leaf.has_column(name) else None
                for leaf, _ in self.segments
            ]
            with self._lock:
                self._column_readers[name] = readers
        i = bisect_right(self._segment_starts, docnum) - 1
        reader = readers[i]
        return default if reader is None else reader[docnum - self._segment_starts[i]]

    def copy_key(self, docnum: int) -> tuple[int | None, int | None]:
        """A document's SimHash (None when it has none) and day (days since year 1, None when
        undated), from their columns."""
        stamp = self.value("date", docnum, NO_DATE)
        return self.value("copy_hash", docnum, 0) or None, None if stamp == NO_DATE else stamp // _DAY

    def dated_between(self, start: dt.date | None, end: dt.date | None) -> set[int]:
        """Documents dated from ``start`` to ``end`` (inclusive; None: open)."""
        dates = self.column("date")
        if dates is None:
            return set()
        if self._date_order is None:
            order = sorted(range(len(dates)), key=dates.__getitem__)
            self._date_order = (order, [dates[d] for d in order])
        order, values = self._date_order
        low = datetime_to_long(dt.datetime.combine(start, dt.time())) if start else 0
        high = datetime_to_long(dt.datetime.combine(end, dt.time())) if end else NO_DATE - 1
        deleted = self.reader.is_deleted
        first, last = bisect_left(values, low), bisect_left(values, high + 1)
        found = set(order[first:last])
        if self.reader.has_deletions():
            found = {d for d in found if not deleted(d)}
        return found


def _contenders(scores: dict[int, float], n: int) -> Iterable[tuple[int, float]]:
    """The items of ``scores`` that may be among the ``n`` highest, in their order: when there
    are many, only those scoring at least the n-th highest of a slice of them (a lower bound of
    the n-th highest of all), picked in C. heapq's nlargest and nsmallest loop in Python."""
    if len(scores) <= 8 * n + 2000:
        return scores.items()
    low = nlargest(n, islice(scores.values(), 4 * n + 1000))[-1]
    return compress(scores.items(), map(low.__le__, scores.values()))


def _best(scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    """The ``k`` best (docnum, score) pairs: highest score first, then lowest docnum, as Whoosh."""
    return nsmallest(k, _contenders(scores, k), key=lambda item: (-item[1], item[0]))


def _best_first(
    scores: dict[int, float], first: int, floor: Callable[[], float]
) -> Iterable[tuple[int, float]]:
    """``scores`` items, highest first: the ``first`` best, then the others down to ``floor()``
    (asked once the first are taken: the lowest score still wanted)."""
    head = nlargest(first, _contenders(scores, first), key=itemgetter(1))
    yield from head
    if len(head) < len(scores):
        # nlargest gives the start of this stable sort, which a filter leaves in order: the rest
        # follows the head. The filter runs in C (low <= score), over thousands of items.
        low = floor()
        wanted = compress(scores.items(), map(low.__le__, scores.values()))
        yield from sorted(wanted, key=itemgetter(1), reverse=True)[len(head) :]


def _read_blocks(matcher: CompactLeafMatcher, into: _Postings, offset: int, deleted: Any) -> bool:
    """Appends the postings of a posting list, block by block, skipping deleted ones.
    Positions are left in the file: ``_Postings.positions`` reads the few blocks a phrase needs."""
    while True:
        raw = matcher._postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        data = read_block(raw, matcher._compression, None, values=False)
        local = list(accumulate(data[0]))
        count = len(local)
        weights = data[1]
        if weights is None:
            weights = [1.0] * count
        elif isinstance(weights, float):
            weights = [weights] * count
        elif isinstance(weights, array) and weights.typecode != "f":
            weights = list(weights)
        into.blocks.append(
            (
                local[-1] + offset,
                matcher._postfile,
                matcher._dataoffset,
                matcher._nextoffset - matcher._dataoffset,
                matcher._compression,
                offset,
            )
        )
        if deleted:
            kept = [(docnum + offset, w) for docnum, w in zip(local, weights) if docnum not in deleted]
            into.ids.extend([docnum for docnum, _ in kept])
            into.weights.extend([w for _, w in kept])
        else:
            into.ids.extend([docnum + offset for docnum in local] if offset else local)
            into.weights.extend(weights)
        if matcher._lastblock:
            return True
        matcher._goto(matcher._nextoffset)


_ENGINES_LOCK = threading.Lock()


def engine(searcher: Searcher) -> Engine:
    """The engine of ``searcher`` (one per searcher: its caches live and go with it)."""
    found: Engine | None = getattr(searcher, "_searchlib_engine", None)
    if found is None:
        with _ENGINES_LOCK:
            found = getattr(searcher, "_searchlib_engine", None)
            if found is None:
                found = Engine(searcher)
                searcher._searchlib_engine = found  # type: ignore[attr-defined]
    return found


# A field length is one byte per document in a column: decoded through a table, all at once.
_LENGTH_OF_BYTE = [byte_to_length(byte) for byte in range(256)]


def _field_lengths(leaf: Any, fieldname: str, count: int) -> list[int]:
    """Every document's length in ``fieldname``: one column read (whoosh3's per-document
    reader), not one ``doc_field_length`` call each — 0.15 s of a cold search on OrangeSum."""
    try:
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:  # another codec: the public, slower way
        return [leaf.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(count)]
    if column is None:
        return [0] * count
    return [_LENGTH_OF_BYTE[byte] for byte in _numbers(column, count)]


def _numbers(column: Any, count: int) -> Sequence[Any]:
    """Every document's value in a numeric column, read in one piece when it is Whoosh's
    NumericColumn (its ``load`` unpacks value by value: 0.13 s for a field's lengths on OrangeSum,
    most of a cold `searchlib search`)."""
    if type(column) is not NumericColumn.Reader:
        return [column[docnum] for docnum in range(count)]
    values = array(column._typecode)
    stored = min(column._count, count)
    values.frombytes(column._dbfile.get(column._basepos, stored * column._fixedlen))
    if sys.byteorder == "little" and values.itemsize > 1:
        values.byteswap()  # stored big-endian ("!")
    return values.tolist() + [column._default] * (count - stored)

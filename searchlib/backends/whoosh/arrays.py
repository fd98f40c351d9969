"""The best hits, the exact total and the facet counts of a search, computed on whole arrays.

Whoosh's collector scores every article a query matches (about 4,000 for a typical two-word title
query on OrangeSum, 14,000 for one with a common word) one matcher call at a time, and its
block-skipping optimisation cannot be used with our proximity bonus. Here, for the queries people
type (words and phrases in the title and text fields: an OR of terms and phrases, whatever the
boosts), searchlib:

- reads each word's postings once per searcher (document numbers, and each one's BM25F score for
  the word, computed once with the searcher's own formula: the same floating-point operations per
  word as Whoosh) into numpy arrays kept in a bounded cache;
- adds the words' scores for every document at once (numpy scatter-adds over a score per
  document), and marks the matches in a mask: its count is the exact total, its documents what the
  facets count. numpy does the per-posting work in C: the cost of a common word is a few
  microseconds per thousand postings, so the cost of a search barely grows with the archive;
- adds the phrase and proximity bonuses (the sum of the phrase words' scores where the words stand
  as Whoosh's ``SpanNear2`` requires) only to documents whose best possible score could still
  reach the top k, best bound first, reading their positions then; it stops as soon as no
  remaining document can.

Only the order in which a document's word scores are added differs from Whoosh's.
Any other query (wildcards, fuzzy terms, ``AND``/``NOT``, fields other than title and text,
another codec or weighting) returns None, and the caller runs it through Whoosh as before.
"""

# whoosh3 private names used here (pinned whoosh3==3.54.0; tests/backends/whoosh/test_arrays.py, test_phrases.py check the behaviour):
#   whoosh.codec.whoosh3: _lenfield
#   whoosh.codec.whoosh3.W3LeafMatcher (a CompactLeafMatcher): _byteids, _compression, _dataoffset, _goto, _lastblock,
#       _nextoffset, _postfile
#   whoosh.codec.whoosh3.W3PerDocReader (SegmentReader._perdoc): _cached_reader
#   whoosh.columns.NumericColumn.Reader: _basepos, _count, _dbfile, _default, _fixedlen, _typecode
#   whoosh.matching.wrappers.FilterMatcher: _ids
#   whoosh.reading.SegmentReader: _perdoc
#   whoosh.scoring.BM25F: _field_B

from __future__ import annotations

import datetime as dt
import threading
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from heapq import heappush, heapreplace
from itertools import accumulate
from operator import itemgetter
from time import monotonic
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

from . import phrases
from .near import Near, window_width, windows
from .schema import NO_DATE
from .codec import CompactLeafMatcher, CompactPositions, read_block, value_bounds

#: Postings kept in memory per searcher (12 bytes each: document number and score): at most
#: 72 MB, enough for the words of many searches on 100,000 articles (2,000,000 was not: with
#: three times OrangeSum, the 200 speed queries reread their postings at every round, p50 x2).
CACHED_POSTINGS = 6_000_000
# The date column holds microseconds since datetime.min.
_DAY = 86_400 * 1_000_000
#: Bytes of posting blocks kept decompressed for phrase matching, per searcher (a block of
#: positions is about 2 kB): the blocks the 200 speed queries read take 5.6 MB on OrangeSum and
#: 15.7 MB on three times OrangeSum, where a bound of 8,000 blocks (15.6 MB) had every round read
#: and decompress them all again (an LRU a little smaller than a cycle of reads keeps none of it).
DECODED_BYTES = 48 * 2**20
# Relative slack on score bounds: sums added in another order differ in their last bits.
_SLACK = 1e-9
#: Documents taken best bound first before the rest are sorted (most searches stop in these).
_FIRST_BOUNDS = 64


@dataclass
class Found:
    """What a search found: the best ``(docnum, score)`` pairs in rank order, and every match
    (a mask over the document numbers)."""

    top: list[tuple[int, float]]
    matches: np.ndarray
    #: True when the deadline stopped the ranking: ``top`` are the best scored by then.
    stopped: bool = False

    @cached_property
    def total(self) -> int:
        return int(np.count_nonzero(self.matches))

    @cached_property
    def docs(self) -> list[int]:
        """The document numbers of every match, ascending."""
        return np.flatnonzero(self.matches).tolist()


@dataclass
class _Leaf:
    fieldname: str
    words: tuple[bytes, ...]  # one word for a term
    boost: float
    slop: int = 0  # an ordered phrase's; a window's width for a Near
    phrase: bool = False
    unordered: bool = False  # a Near: the words within ``slop`` positions, in any order
    postings: list[_Postings] = field(default_factory=list)
    matched: np.ndarray | None = None  # a phrase's documents (ascending), once read


Block = tuple[array, array, bytes]


class _DecodedBlocks(OrderedDict[tuple[tuple[str, bytes], int], Block]):
    """Decompressed posting blocks (docnums, value bounds, bytes) by (word, block number): an
    LRU bounded by :data:`DECODED_BYTES`."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def keep(self, key: tuple[tuple[str, bytes], int], block: Block) -> None:
        self[key] = block
        self.size += _block_bytes(block)
        while self.size > DECODED_BYTES and len(self) > 1:
            _, old = self.popitem(last=False)
            self.size -= _block_bytes(old)


def _block_bytes(block: Block) -> int:
    docnums, bounds, data = block
    return len(docnums) * docnums.itemsize + len(bounds) * bounds.itemsize + len(data)


class _Postings:
    """One word's live postings in one field, over every segment (global document numbers)."""

    __slots__ = ("key", "ids", "weights", "scores", "blocks", "lasts", "format", "size", "decoded")

    def __init__(self, key: tuple[str, bytes]) -> None:
        self.key = key
        self.ids: Any = array("i")  # an int32 numpy array once read
        self.weights: Any = array("f")  # the term frequencies, until the scores replace them
        #: Each posting's BM25F score for the word (float64), computed once by ``Engine._score``.
        self.scores: np.ndarray | None = None
        # (last global id, posting file, data offset, data length, compressed, segment offset)
        self.blocks: list[tuple[int, Any, int, int, Any, int]] = []
        self.lasts: np.ndarray | None = None  # the blocks' last ids, once a phrase needs them
        self.format: Any = None
        self.size = 0
        # Where decoded blocks are kept: the engine's LRU, shared by every word's postings.
        self.decoded: _DecodedBlocks | None = None

    def _block(self, i: int) -> Block:
        """Block ``i`` decompressed: its docnums (segment-local), where each posting's value
        starts and ends, and the bytes; kept in the engine's LRU."""
        cache = self.decoded if self.decoded is not None else _DecodedBlocks()
        key = (self.key, i)
        block = cache.get(key)
        if block is not None:
            cache.move_to_end(key)
            return block
        _, postfile, offset, length, compressed, _ = self.blocks[i]
        raw = postfile.get(offset, length)
        data = zlib.decompress(raw) if compressed else bytes(raw)
        block = (*value_bounds(data), data)
        cache.keep(key, block)
        return block

    def positions(self, docnum: int) -> list[int]:
        i = bisect_left(self.blocks, docnum, key=itemgetter(0))
        local, ends, data = self._block(i)
        j = bisect_left(local, docnum - self.blocks[i][5])
        return self.format.decode_positions(data[ends[j] : ends[j + 1]])

    def position_keys(self, docs: np.ndarray) -> np.ndarray:
        """The word's positions in each of ``docs`` (ascending, all holding the word) as sorted
        keys ``doc << 32 | position`` (:mod:`searchlib.backends.whoosh.phrases`)."""
        if self.lasts is None:
            self.lasts = np.fromiter((block[0] for block in self.blocks), dtype=np.int64, count=len(self.blocks))
        which = np.searchsorted(self.lasts, docs)
        numbers, firsts = np.unique(which, return_index=True)
        parts, starts, stops, size = [], [], [], 0
        for i, lo, hi in zip(numbers.tolist(), firsts.tolist(), [*firsts[1:].tolist(), len(docs)]):
            local, ends, data = self._block(i)
            found = np.searchsorted(np.frombuffer(local, dtype=np.uint32), docs[lo:hi] - self.blocks[i][5])
            bounds = np.frombuffer(ends, dtype=np.uint32).astype(np.int64) + size
            starts.append(bounds[found])
            stops.append(bounds[found + 1])
            parts.append(data)
            size += len(data)
        buffer = np.frombuffer(b"".join(parts), dtype=np.uint8)
        counts, positions = phrases.decode_positions(buffer, np.concatenate(starts), np.concatenate(stops))
        return phrases.position_keys(docs, counts, positions)


class Engine:
    """Per-searcher state: field-length norms, columns, and the postings cache."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.segments = [(leaf, offset) for leaf, offset in self.reader.leaf_readers()]
        self.doc_count_all = self.reader.doc_count_all()
        self.weighting = searcher.weighting
        self._norms: dict[str, np.ndarray] = {}
        self._columns: dict[str, list[Any]] = {}
        self._factorised: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self._postings: OrderedDict[tuple[str, bytes], _Postings] = OrderedDict()
        self._decoded = _DecodedBlocks()
        self._cached = 0
        self._lock = threading.Lock()
        self._date_order: tuple[list[int], list[int]] | None = None

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
            if (kind is wq.Phrase or kind is Near) and node.fieldname in allowed and node.words:
                fieldobj = self.schema[node.fieldname]
                if not (fieldobj.format and fieldobj.format.supports("positions")):
                    return False
                words = tuple(fieldobj.to_bytes(word) for word in node.words)
                near = kind is Near
                slop = window_width(node.slop, len(words)) if near else node.slop
                leaves.append(_Leaf(node.fieldname, words, boost * node.boost, slop, phrase=True, unordered=near))
                return True
            return False

        try:
            return leaves if walk(q, 1.0) else None
        except ValueError:  # a word the field cannot hold
            return None

    # -- postings ------------------------------------------------------------------------

    def postings(self, fieldname: str, word: bytes) -> _Postings | None:
        """The postings of ``word``, scored (None when the codec is not one this module reads)."""
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
        found.ids = np.frombuffer(found.ids, dtype=np.int32) if len(found.ids) else np.zeros(0, np.int32)
        found.size = len(found.ids)
        found.scores = self._score(fieldname, word, found)
        found.weights = None
        with self._lock:
            self._postings[key] = found
            self._cached += found.size
            while self._cached > CACHED_POSTINGS and len(self._postings) > 1:
                _, old = self._postings.popitem(last=False)
                self._cached -= old.size
        return found

    def _score(self, fieldname: str, word: bytes, postings: _Postings) -> np.ndarray:
        """Each posting's BM25F score: ``idf * (tf * (K1 + 1)) / (tf + norm)``, as Whoosh's
        scorer computes it (in float64, the same operations in the same order)."""
        k1, _, _ = self._constants(fieldname)
        idf = self.searcher.idf(fieldname, self.schema[fieldname].from_bytes(word))
        tf = np.frombuffer(postings.weights, dtype=np.float32).astype(np.float64) if postings.size else np.zeros(0)
        norms = self.norms(fieldname)[postings.ids]
        return idf * ((tf * (k1 + 1)) / (tf + norms))

    def norms(self, fieldname: str) -> np.ndarray:
        """Per document ``K1 * ((1 - B) + B * length / average length)``, as Whoosh's BM25F
        computes it."""
        with self._lock:
            found = self._norms.get(fieldname)
        if found is not None:
            return found
        k1, b, avgfl = self._constants(fieldname)
        # The same operations in the same order as Whoosh's BM25F, on whole arrays: the same floats.
        norms = [k1 * ((1 - b) + b * _field_lengths(leaf, fieldname, leaf.doc_count_all()) / avgfl) for leaf, _ in self.segments]
        found = np.concatenate(norms) if norms else np.zeros(0, dtype=np.float64)
        with self._lock:
            self._norms[fieldname] = found
        return found

    def holding(self, fieldname: str, word: bytes, docs: Iterable[int]) -> set[int]:
        """Those of ``docs`` that hold ``word`` in the field (none when the postings are not ones
        this module reads)."""
        postings = self.postings(fieldname, word)
        if postings is None or postings.size == 0:
            return set()
        docs = list(docs)
        ids = postings.ids
        # A few documents each time (the best of a search): one lookup each beats array set operations.
        at = np.searchsorted(ids, docs).tolist()
        return {docnum for docnum, i in zip(docs, at) if i < postings.size and ids[i] == docnum}

    def positions(self, fieldname: str, word: bytes, docs: Iterable[int]) -> dict[int, list[int]]:
        """Where each of ``docs`` that holds ``word`` holds it in the field (the others are left
        out; so is everything when the postings are not ones this module reads)."""
        postings = self.postings(fieldname, word)
        held = self.holding(fieldname, word, docs)
        if postings is None or not held:
            return {}
        return {docnum: postings.positions(docnum) for docnum in held}

    def _constants(self, fieldname: str) -> tuple[float, float, float]:
        weighting = self.weighting
        b = weighting._field_B.get(fieldname, weighting.B)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        return weighting.K1, b, avgfl

    # -- matching ------------------------------------------------------------------------

    def _load(self, leaves: list[_Leaf]) -> bool:
        for leaf in leaves:
            leaf.postings = []
            for word in leaf.words:
                postings = self.postings(leaf.fieldname, word)
                if postings is None:
                    return False
                leaf.postings.append(postings)
        return True

    def _mask(self, docs: Iterable[int] | np.ndarray) -> np.ndarray:
        mask = np.zeros(self.doc_count_all, dtype=bool)
        if not isinstance(docs, np.ndarray):
            docs = np.fromiter(docs, dtype=np.int64)
        mask[docs] = True
        return mask

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
        return set(np.flatnonzero(self._matches(leaves)).tolist())

    def _matches(self, leaves: list[_Leaf]) -> np.ndarray:
        """The mask of the documents matching any leaf."""
        terms = {(leaf.fieldname, leaf.words[0]) for leaf in leaves if not leaf.phrase}
        mask = np.zeros(self.doc_count_all, dtype=bool)
        for leaf in leaves:
            if not leaf.phrase:
                mask[leaf.postings[0].ids] = True
            # A phrase whose words are all searched as terms in its field adds no document.
            elif not all((leaf.fieldname, word) in terms for word in leaf.words):
                mask[self._phrase_docs(leaf)] = True
        return mask

    def _phrase_docs(self, leaf: _Leaf) -> np.ndarray:
        if leaf.matched is None:  # once per search: the matching and the scoring both ask
            holding = self._holding(leaf).astype(np.int64)
            if len(leaf.postings) > 1 and leaf.postings[0].format.__class__ is CompactPositions and len(holding):
                keys = [postings.position_keys(holding) for postings in leaf.postings]
                match = phrases.window_docs if leaf.unordered else phrases.matching_docs
                leaf.matched = match(keys, leaf.slop)
            else:
                leaf.matched = np.array([d for d in holding.tolist() if self._phrase_at(leaf, d)], dtype=np.int64)
        return leaf.matched

    def _holding(self, leaf: _Leaf) -> np.ndarray:
        """The documents holding every word of a phrase (where it may match), ascending."""
        ids = sorted((postings.ids for postings in leaf.postings), key=len)
        found = ids[0]
        for other in ids[1:]:
            found = np.intersect1d(found, other, assume_unique=True)
        return found

    def _phrase_at(self, leaf: _Leaf, docnum: int) -> bool:
        """Whether the phrase matches in ``docnum``, as Whoosh's ``SpanNear2`` (ordered, mindist 1,
        ``slop``) decides: each next word must stand 1 to ``slop`` positions after the end of a
        match of the words before it. Only the ends of those matches matter."""
        slop = leaf.slop
        if leaf.unordered:
            return bool(windows([postings.positions(docnum) for postings in leaf.postings], slop))
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

    @staticmethod
    def _word_scores(postings: _Postings, docs: np.ndarray) -> np.ndarray:
        """A word's score in each of ``docs`` (ascending; 0 where the word is absent)."""
        at = np.searchsorted(postings.ids, docs)
        held = at < len(postings.ids)
        held[held] = postings.ids[at[held]] == docs[held]
        found = np.zeros(len(docs))
        found[held] = postings.scores[at[held]]
        return found

    def _phrase_scores(self, leaf: _Leaf, docs: np.ndarray) -> np.ndarray:
        """A phrase's score in each of ``docs`` (which hold all its words): the sum of its words'."""
        total = np.zeros(len(docs))
        for postings in leaf.postings:
            total += self._word_scores(postings, docs)
        return total * leaf.boost if leaf.boost != 1.0 else total

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
        matches = self._matches(leaves)
        if allowed is not None:
            matches &= self._mask(allowed)
        if k <= 0 or not matches.any():
            return Found([], matches)
        terms = [leaf for leaf in leaves if not leaf.phrase]
        term_keys = {(leaf.fieldname, leaf.words[0]): leaf for leaf in terms}
        bonuses = [leaf for leaf in leaves if leaf.phrase and all((leaf.fieldname, w) in term_keys for w in leaf.words)]
        own = [leaf for leaf in leaves if leaf.phrase and leaf not in bonuses]

        scores = np.zeros(self.doc_count_all)
        for leaf in terms:
            postings = leaf.postings[0]
            scores[postings.ids] += postings.scores if leaf.boost == 1.0 else postings.scores * leaf.boost
        for leaf in own:  # phrases searched for themselves: their documents are known
            docs = self._phrase_docs(leaf)
            scores[docs] += self._phrase_scores(leaf, docs)
        candidates = np.flatnonzero(matches)
        partial = scores[candidates]
        if not bonuses:
            return Found(_best(candidates, partial, k), matches)
        return self._add_bonuses(candidates, partial, k, bonuses, matches, deadline)

    def _add_bonuses(
        self,
        candidates: np.ndarray,
        partial: np.ndarray,
        k: int,
        bonuses: list[_Leaf],
        matches: np.ndarray,
        deadline: float | None,
    ) -> Found:
        """The ``k`` best of ``candidates`` once the phrase bonuses are added, reading as few
        phrase positions as it can.

        Each candidate's best possible score is its partial score plus the bonuses of the phrases
        whose words it holds (the bonus where it matches). Candidates come best bound first; the
        positions of one are read only when its bound could still reach the k best found, and it
        stops at the first that cannot: every later one has a lower bound.
        """
        possible = []  # per bonus phrase: (mask over candidates of those holding its words, bonus)
        most = partial.copy()
        for leaf in bonuses:
            holds = np.isin(candidates, self._holding(leaf), assume_unique=True)
            bonus = np.zeros(len(candidates))
            bonus[holds] = self._phrase_scores(leaf, candidates[holds])
            most += bonus
            possible.append((leaf, holds, bonus))
        heap: list[tuple[float, int]] = []  # (score, -docnum): the k best so far

        def found(stopped: bool = False) -> Found:
            return Found([(-negated, score) for score, negated in sorted(heap, reverse=True)], matches, stopped)

        for i in _by_bound(most, k, lambda: heap[0][0] if len(heap) >= k else None):
            bound = most[i] * (1 + _SLACK)
            if len(heap) >= k and bound < heap[0][0]:
                break
            if deadline is not None and monotonic() > deadline:
                return found(stopped=True)
            docnum = int(candidates[i])
            score = float(partial[i])
            for leaf, holds, bonus in possible:
                if holds[i] and self._phrase_at(leaf, docnum):
                    score += float(bonus[i])
            entry = (score, -docnum)
            if len(heap) < k:
                heappush(heap, entry)
            elif entry > heap[0]:
                heapreplace(heap, entry)
        return found()

    def scores(self, q: wq.Query, docnums: Iterable[int], fields: Iterable[str]) -> dict[int, float] | None:
        """The exact score of each of ``docnums`` for ``q`` (0 for one it does not match)."""
        leaves = self._leaves(q, fields) if self.supported() else None
        if leaves is None or not self._load(leaves):
            return None
        docs = np.sort(np.fromiter(docnums, dtype=np.int64))
        total = np.zeros(len(docs))
        for leaf in leaves:
            if not leaf.phrase:
                total += self._word_scores(leaf.postings[0], docs) * leaf.boost
            else:
                matched = np.isin(docs, self._phrase_docs(leaf))
                total[matched] += self._phrase_scores(leaf, docs[matched])
        return dict(zip(docs.tolist(), total.tolist()))

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

    def factorised(self, name: str) -> tuple[np.ndarray, list[Any]] | None:
        """Column ``name`` as a code per document and the distinct values the codes stand for
        (None when no segment has the column): what facets count with one ``bincount``."""
        with self._lock:
            found = self._factorised.get(name)
        if found is not None:
            return found
        values = self.column(name)
        if values is None:
            return None
        code_of: dict[Any, int] = {}
        codes = np.array([code_of.setdefault(value, len(code_of)) for value in values], dtype=np.intp)
        found = (codes, list(code_of))
        with self._lock:
            self._factorised[name] = found
        return found

    def copy_key(self, docnum: int) -> tuple[int | None, int | None]:
        """A document's SimHash (None when it has none) and day (days since year 1, None when
        undated), from their columns loaded whole once per searcher (3 ms and 2.8 MB for
        OrangeSum; read value by value, 7 µs a candidate and 30 candidates a search)."""
        hashes, stamps = self.column("copy_hash"), self.column("date")
        stamp = NO_DATE if stamps is None else stamps[docnum]
        return (hashes[docnum] or None) if hashes is not None else None, None if stamp == NO_DATE else stamp // _DAY

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


def _best(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (docnum, score) pairs: highest score first, then lowest docnum, as Whoosh."""
    if len(candidates) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth  # ties with the k-th best included: the docnum decides among them
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((candidates, -scores))[:k]
    return list(zip(candidates[order].tolist(), scores[order].tolist()))


def _by_bound(bounds: np.ndarray, k: int, kth: Any) -> Iterator[int]:
    """Indexes of ``bounds``, highest first: the first few, then — once ``kth()`` tells the k-th
    best score found (None: not k yet) — only those that can still reach it, sorted then."""
    first = min(len(bounds), max(_FIRST_BOUNDS, 4 * k))
    if first < len(bounds):
        head = np.argpartition(-bounds, first - 1)[:first]
    else:
        head = np.arange(len(bounds))
    head = head[np.argsort(-bounds[head], kind="stable")]
    yield from head.tolist()
    if first < len(bounds):
        low = kth()
        rest = np.ones(len(bounds), dtype=bool)
        rest[head] = False
        if low is not None:
            rest &= bounds * (1 + _SLACK) >= low
        left = np.flatnonzero(rest)
        yield from left[np.argsort(-bounds[left], kind="stable")].tolist()


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
_LENGTH_OF_BYTE = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)


def _field_lengths(leaf: Any, fieldname: str, count: int) -> np.ndarray:
    """Every document's length in ``fieldname`` (float64): one column read (whoosh3's
    per-document reader), not one ``doc_field_length`` call each — 0.15 s of a cold search on
    OrangeSum — and decoded on the whole array (a Python loop per document was 20 ms more)."""
    try:
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:  # another codec: the public, slower way
        return np.array([leaf.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(count)], dtype=np.float64)
    if column is None:
        return np.zeros(count, dtype=np.float64)
    lengths = _column_array(column, count)
    return _LENGTH_OF_BYTE[lengths if lengths is not None else [column[docnum] for docnum in range(count)]]


def _numbers(column: Any, count: int) -> Sequence[Any]:
    """Every document's value in a numeric column (Python numbers)."""
    values = _column_array(column, count)
    return values.tolist() if values is not None else [column[docnum] for docnum in range(count)]


def _column_array(column: Any, count: int) -> np.ndarray | None:
    """Every document's value in Whoosh's NumericColumn, read in one piece (its ``load`` unpacks
    value by value: 0.13 s for a field's lengths on OrangeSum, most of a cold `searchlib
    search`); None for another kind of column."""
    if type(column) is not NumericColumn.Reader:
        return None
    dtype = np.dtype(column._typecode).newbyteorder(">")  # stored big-endian ("!")
    stored = min(column._count, count)
    values = np.frombuffer(column._dbfile.get(column._basepos, stored * column._fixedlen), dtype=dtype)
    if stored < count:
        values = np.concatenate([values, np.full(count - stored, column._default, dtype=dtype)])
    return values

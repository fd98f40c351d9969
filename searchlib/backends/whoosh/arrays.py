"""The best hits, the exact total and the facet counts of a search, computed on whole arrays.

Whoosh's collector scores every article a query matches (about 4,000 for a typical two-word title
query on OrangeSum, 14,000 for one with a common word) one matcher call at a time, and its
block-skipping optimisation cannot be used with our proximity bonus. Here, for the queries people
type (words and phrases in the title and text fields: an OR of terms and phrases, whatever the
boosts; and queries of common words only: a phrase, and an AND of the same words in one field,
scored as a phrase that needs no positions), searchlib:

- reads each word's postings once per searcher, a term's bytes at once, block by block only for
  their headers and decompression (:func:`~.codec.read_postings`): document numbers, and each
  one's BM25F score for the word, computed once with the searcher's own formula (the same
  floating-point operations per word as Whoosh, the length norms from a 256-entry table) into
  numpy arrays kept in a cache bounded by bytes that keeps the words searched most
  (:mod:`.cache`);
- marks the matches in a mask: its count is the exact total, its documents what the facets count;
- scores only the documents that can still make the top k (:mod:`.pruning`: MaxScore over the
  terms' largest scores), or, where that saves nothing (queries of common words only), adds the
  words' scores for every document at once (numpy scatter-adds over a score per document). numpy
  does the per-posting work in C: a few microseconds per thousand postings;
- adds the phrase and proximity bonuses (the sum of the phrase words' scores where the words stand
  as Whoosh's ``SpanNear2`` requires) only to documents whose best possible score could still
  reach the top k, best bound first, reading their positions then; it stops as soon as no
  remaining document can. A title phrase whose words are searched in the text is such a bonus too:
  the text holds the title (:data:`~.schema.HELD_IN`), so it adds no match; so is a phrase whose
  words an AND in its field holds (the common-words query: "la une" as a phrase, then all its words).

Only the order in which a document's word scores are added differs from Whoosh's.
Any other query (wildcards, fuzzy terms, other ``AND``/``NOT``, fields other than :data:`~.schema.ARRAY_FIELDS`,
another codec or weighting) returns None, and the caller runs it through Whoosh as before.
"""

# whoosh3 private names used here (pinned whoosh3==3.54.0; tests/backends/whoosh/test_arrays.py, test_phrases.py check the behaviour):
#   whoosh.codec.whoosh3: _lenfield
#   whoosh.codec.whoosh3.W3LeafMatcher (a CompactLeafMatcher): _byteids, _length, _postfile, _startoffset
#   whoosh.matching.mcore.ListMatcher (a term's inlined postings): _ids, _values, _weights
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
from time import monotonic
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.times import datetime_to_long

from . import phrases
from .near import Near, fits, window_width
from . import pruning
from .cache import BoundedCache
from .schema import HELD_IN, NO_DATE
from .codec import CompactLeafMatcher, CompactPositions, PostingList, encode_block, read_postings, value_bounds

#: Bytes of postings kept in memory per searcher, the most used words' (12 bytes a posting:
#: document number and score): at least CACHED_BYTES, and CACHED_PER_ARTICLE for each article of
#: a larger archive. A word's postings grow with the archive, and so do those a stream of searches
#: reads: a bound that does not grow with them has searches read again what they read before. The
#: 200 speed queries' words take 154 MB at ten times OrangeSum (copies), 197 MB at ten times
#: recombined, 600 MB at thirty: at 72 MB the 10x rounds read them all again (p50 x2.4); at 30x,
#: 256 MB gave p50 59 ms and p95 275, 808 MB (800 bytes an article) 10.5 and 36 (with the decoded
#: blocks' bound below scaled the same way).
CACHED_BYTES = 256 * 2**20
CACHED_PER_ARTICLE = 800
# The date column holds microseconds since datetime.min.
_DAY = 86_400 * 1_000_000
#: Bytes of posting blocks kept decompressed for phrase matching, per searcher: at least
#: DECODED_BYTES, and DECODED_PER_ARTICLE for each article of a larger archive. The blocks the 200
#: speed queries read take 5.6 MB on OrangeSum and 15.7 MB on three times OrangeSum, where a bound
#: of 8,000 blocks (15.6 MB) had every round read and decompress them all again (an LRU a little
#: smaller than a cycle of reads keeps none of it). At ten times OrangeSum recombined they take
#: 48.8 MB: at 48 MB, p50 10.5 ms; at 64 MB, 6.6 ms.
DECODED_BYTES = 64 * 2**20
DECODED_PER_ARTICLE = 200
# Relative slack on score bounds: sums added in another order differ in their last bits.
_SLACK = 1e-9

#: A phrase that reads a word's positions in more than this share of its blocks decompresses them
#: all at once, kept as one entry of the decoded LRU (:meth:`_Postings.position_keys`).
WHOLE_SHARE = 0.25
#: Looking ``docs`` up in ``ids`` by a mask of ``ids`` rather than by searches once ``docs`` are
#: more than ``ids`` / this (:func:`_present`): 20 % faster at 1/20, 2.6x at 1/3, on 10^6 documents.
_DENSE_SHARE = 16
#: Documents taken best bound first before the rest are sorted (most searches stop in these).
_FIRST_BOUNDS = 64
#: A search scoring every match keeps every document's score, without listing the matches, once
#: they are more than 1 in this many documents (:meth:`Engine._every_partial`).
_DENSE_MATCHES = 8


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
    anywhere: bool = False  # an AND of words: all of them, at any positions (scored as a phrase)
    postings: list[_Postings] = field(default_factory=list)
    matched: np.ndarray | None = None  # a phrase's documents (ascending), once read


Block = tuple[array, array, bytes]


class _DecodedBlocks(OrderedDict[tuple[tuple[str, bytes], int], Block]):
    """Decompressed posting blocks (docnums, value bounds, bytes) by (word, block number): an
    LRU bounded by ``limit`` bytes (:data:`DECODED_BYTES` unless told)."""

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.size = 0
        self.limit = DECODED_BYTES if limit is None else limit

    def keep(self, key: tuple[tuple[str, bytes], int], block: Block) -> None:
        self[key] = block
        self.size += _block_bytes(block)
        while self.size > self.limit and len(self) > 1:
            _, old = self.popitem(last=False)
            self.size -= _block_bytes(old)


def _block_bytes(block: Block) -> int:
    docnums, bounds, data = block
    return len(docnums) * docnums.itemsize + len(bounds) * bounds.itemsize + len(data)


class _Postings:
    """One word's live postings in one field, over every segment (global document numbers)."""

    __slots__ = ("key", "ids", "weights", "scores", "top", "blocks", "lasts", "last_ids", "firsts", "format", "size", "decoded")

    def __init__(self, key: tuple[str, bytes]) -> None:
        self.key = key
        self.ids: np.ndarray = np.zeros(0, np.int32)  # global docnums, ascending
        self.weights: np.ndarray | None = None  # the term frequencies, until the scores replace them
        #: Each posting's BM25F score for the word (float64), computed once by ``Engine._score``.
        self.scores: np.ndarray | None = None
        self.top = 0.0  # the largest of the scores
        # (last global id, posting file, data offset, data length, compressed, segment offset)
        self.blocks: list[tuple[int, Any, int, int, Any, int]] = []
        self.lasts: np.ndarray | None = None  # the blocks' last ids, once a phrase needs them
        self.last_ids: list[int] | None = None  # the same as a list, for one document's lookups
        #: Where each block's first posting is in ``ids``; None when deleted documents were left out.
        self.firsts: np.ndarray | None = None
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
        if self.last_ids is None:
            self.last_ids = [block[0] for block in self.blocks]
        i = bisect_left(self.last_ids, docnum)
        local, ends, data = self._block(i)
        j = bisect_left(local, docnum - self.blocks[i][5])
        return self.format.decode_positions(data[ends[j] : ends[j + 1]])

    def _places(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The block of each of ``docs`` and, when every posting of the word is live, each one's
        place in its block (else None: the block's own docnums tell)."""
        if self.firsts is not None:
            at = _search(self.ids, docs)
            which = np.searchsorted(self.firsts, at, side="right") - 1
            return which, at - self.firsts[which]
        if self.lasts is None:
            self.lasts = np.fromiter((block[0] for block in self.blocks), dtype=np.int64, count=len(self.blocks))
        return np.searchsorted(self.lasts, docs), None

    def position_keys(self, docs: np.ndarray) -> np.ndarray:
        """The word's positions in each of ``docs`` (ascending, all holding the word) as sorted
        keys ``doc << 32 | position`` (:mod:`searchlib.backends.whoosh.phrases`): from the word's
        blocks decompressed whole when a phrase reads most of them, else block by block."""
        whole = self._whole(docs)
        if whole is not None:
            ids, spans, buffer = whole
            at = 2 * _search(ids, docs)
            counts, positions = phrases.decode_positions(buffer, spans[at], spans[at + 1])
            return phrases.position_keys(docs, counts, positions)
        which, within = self._places(docs)
        numbers, firsts = np.unique(which, return_index=True)
        parts, starts, stops, size = [], [], [], 0
        for i, lo, hi in zip(numbers.tolist(), firsts.tolist(), [*firsts[1:].tolist(), len(docs)]):
            local, ends, data = self._block(i)
            if within is None:
                found = np.searchsorted(np.frombuffer(local, dtype=np.uint32), docs[lo:hi] - self.blocks[i][5])
            else:
                found = within[lo:hi]
            bounds = np.frombuffer(ends, dtype=np.uint32).astype(np.int64) + size
            starts.append(bounds[found])
            stops.append(bounds[found + 1])
            parts.append(data)
            size += len(data)
        buffer = np.frombuffer(b"".join(parts), dtype=np.uint8)
        counts, positions = phrases.decode_positions(buffer, np.concatenate(starts), np.concatenate(stops))
        return phrases.position_keys(docs, counts, positions)

    def _whole(self, docs: np.ndarray) -> Block | None:
        """Every block of the word decompressed into one entry of the engine's LRU: each
        posting's global docnum (deleted documents' too), where its value starts and ends
        (interleaved), and the bytes; built when ``docs`` are in more than :data:`WHOLE_SHARE`
        of the blocks, else None unless kept already."""
        cache = self.decoded if self.decoded is not None else _DecodedBlocks()
        key = (self.key, -1)
        whole = cache.get(key)
        if whole is not None:
            cache.move_to_end(key)
            return whole
        if len(docs) <= WHOLE_SHARE * len(self.blocks):
            return None
        which = self._places(docs)[0]
        if np.count_nonzero(np.diff(which)) + 1 <= WHOLE_SHARE * len(self.blocks):
            return None
        ids, spans, parts, size = [], [], [], 0
        for _, postfile, offset, length, compressed, segment in self.blocks:
            raw = postfile.get(offset, length)
            data = zlib.decompress(raw) if compressed else bytes(raw)
            local, ends = value_bounds(data)
            ids.append(np.frombuffer(local, dtype=np.uint32).astype(np.int32) + segment)
            bounds = np.frombuffer(ends, dtype=np.uint32) + np.uint32(size)
            spans.append(np.stack((bounds[:-1], bounds[1:]), axis=1).ravel())
            parts.append(data)
            size += len(data)
        whole = (np.concatenate(ids), np.concatenate(spans), np.frombuffer(b"".join(parts), dtype=np.uint8))
        cache.keep(key, whole)
        return whole


class Engine:
    """Per-searcher state: field-length norms, columns, and the postings cache."""

    #: Score every match (the search before pruning): what the equivalence tests compare with.
    exhaustive = False

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.segments = [(leaf, offset) for leaf, offset in self.reader.leaf_readers()]
        self.doc_count_all = self.reader.doc_count_all()
        self.weighting = searcher.weighting
        self._lengths: dict[str, np.ndarray] = {}  # each field's length bytes
        self._columns: dict[str, list[Any]] = {}
        self._factorised: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self._postings = BoundedCache(max(CACHED_BYTES, CACHED_PER_ARTICLE * self.doc_count_all))
        self._decoded = _DecodedBlocks(max(DECODED_BYTES, DECODED_PER_ARTICLE * self.doc_count_all))
        self._lock = threading.Lock()
        self._arrays: dict[str, np.ndarray | None] = {}
        self._date_order: tuple[np.ndarray, np.ndarray] | None = None

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
            if kind is wq.And:  # words that must all be there: a phrase that needs no positions
                return walk_all(node, boost * node.boost)
            return False

        def walk_all(node: wq.And, boost: float) -> bool:
            children = node.subqueries
            if not children or any(type(child) is not wq.Term for child in children):
                return False
            first = children[0]
            if first.fieldname not in allowed or any((c.fieldname, c.boost) != (first.fieldname, first.boost) for c in children):
                return False
            fieldobj = self.schema[first.fieldname]
            words = tuple(fieldobj.to_bytes(child.text) for child in children)
            leaves.append(_Leaf(first.fieldname, words, boost * first.boost, phrase=True, anywhere=True))
            return True

        try:
            return leaves if walk(q, 1.0) else None
        except ValueError:  # a word the field cannot hold
            return None

    # -- postings ------------------------------------------------------------------------

    def postings(self, fieldname: str, word: bytes) -> _Postings | None:
        """The postings of ``word``, scored (None when the codec is not one this module reads)."""
        key = (fieldname, word)
        found = self._postings.get(key)
        if found is not None:
            return found
        found = _Postings(key)
        found.format = self.schema[fieldname].format
        found.decoded = self._decoded
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        whole = True  # no posting left out for a deleted document
        for leaf, offset in self.segments:
            if (fieldname, word) not in leaf:
                continue
            part = _segment_postings(leaf, fieldname, word)
            if part is None:
                return None
            postfile, postings, deleted = part
            found.blocks.extend((last + offset, postfile, at, size, compressed, offset) for last, at, size, compressed in postings.blocks)
            counts.append(postings.counts)
            if deleted:
                kept = ~np.isin(postings.ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
                whole = whole and bool(kept.all())
                postings.ids, postings.weights = postings.ids[kept], postings.weights[kept]
            ids.append((postings.ids + offset).astype(np.int32))
            weights.append(postings.weights)
        found.ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
        found.weights = np.concatenate(weights) if weights else np.zeros(0, np.float32)
        found.size = len(found.ids)
        if whole and counts:
            found.firsts = np.concatenate(([0], np.cumsum(np.concatenate(counts))[:-1]))
        found.scores = self._score(fieldname, word, found)
        found.top = float(found.scores.max()) if found.size else 0.0
        found.weights = None
        self._postings.put(key, found, found.ids.nbytes + found.scores.nbytes + 64 * len(found.blocks))
        return found

    def _score(self, fieldname: str, word: bytes, postings: _Postings) -> np.ndarray:
        """Each posting's BM25F score: ``idf * (tf * (K1 + 1)) / (tf + norm)``, as Whoosh's
        scorer computes it (in float64, the same operations in the same order)."""
        k1, _, _ = self._constants(fieldname)
        idf = self.searcher.idf(fieldname, self.schema[fieldname].from_bytes(word))
        tf = postings.weights.astype(np.float64)
        norms = self._norm_table(fieldname)[self.length_bytes(fieldname)[postings.ids]]
        return idf * ((tf * (k1 + 1)) / (tf + norms))

    def _norm_table(self, fieldname: str) -> np.ndarray:
        """``K1 * ((1 - B) + B * length / average length)`` for each of the 256 lengths a
        document's length byte stands for, as Whoosh's BM25F computes it: the same floats as one
        per document, for 2 kB instead of 8 bytes a document."""
        k1, b, avgfl = self._constants(fieldname)
        return k1 * ((1 - b) + b * _LENGTH_OF_BYTE / avgfl)

    def length_bytes(self, fieldname: str) -> np.ndarray:
        """Every document's length byte in ``fieldname`` (uint8): one column read per segment."""
        with self._lock:
            found = self._lengths.get(fieldname)
        if found is not None:
            return found
        parts = [_length_bytes(leaf, fieldname, leaf.doc_count_all()) for leaf, _ in self.segments]
        found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
        with self._lock:
            self._lengths[fieldname] = found
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
        at = _search(ids, np.asarray(docs, dtype=ids.dtype)).tolist()
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
        if not isinstance(docs, np.ndarray):
            docs = np.fromiter(docs, dtype=np.int64)
        return _mask_of(self.doc_count_all, docs)

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
        return set(np.flatnonzero(self._matches(_plan(leaves).scorers, None)).tolist())

    def _matches(self, scorers: list[_Leaf], only: np.ndarray | None) -> np.ndarray:
        """The mask of the documents matching any scorer (a bonus phrase's documents are a
        scorer's already), among those ``only`` allows (a mask; None: any)."""
        mask = np.zeros(self.doc_count_all, dtype=bool)
        for leaf in scorers:
            mask[_index(leaf.postings[0].ids) if not leaf.phrase else self._phrase_docs(leaf)] = True
        return mask if only is None else mask & only

    def _phrase_docs(self, leaf: _Leaf) -> np.ndarray:
        if leaf.matched is None:  # once per search: the matching and the scoring both ask
            holding = self._holding(leaf).astype(np.int64)
            if leaf.anywhere:
                leaf.matched = holding
            elif len(leaf.postings) > 1 and leaf.postings[0].format.__class__ is CompactPositions and len(holding):
                keys = [postings.position_keys(holding) for postings in leaf.postings]
                match = phrases.window_docs if leaf.unordered else phrases.matching_docs
                leaf.matched = match(keys, leaf.slop)
            else:
                leaf.matched = np.array([d for d in holding.tolist() if self._phrase_at(leaf, d)], dtype=np.int64)
        return leaf.matched

    @staticmethod
    def _holding(leaf: _Leaf) -> np.ndarray:
        """The documents holding every word of a phrase (where it may match), ascending: the
        rarest word's, looked up in the others."""
        ids = sorted((postings.ids for postings in leaf.postings), key=len)
        found = ids[0]
        for other in ids[1:]:
            found = found[_present(other, found)]
        return found

    def _phrase_at(self, leaf: _Leaf, docnum: int, read: dict[tuple[Any, int], list[int]] | None = None) -> bool:
        """Whether the phrase matches in ``docnum``, as Whoosh's ``SpanNear2`` (ordered, mindist 1,
        ``slop``) decides: each next word must stand 1 to ``slop`` positions after the end of a
        match of the words before it. Only the ends of those matches matter. ``read`` keeps the
        positions read, for the other phrases of the same words (the title's two windows)."""
        if leaf.anywhere:
            return True
        read = {} if read is None else read

        def positions(postings: _Postings) -> list[int]:
            found = read.get((postings.key, docnum))
            if found is None:
                found = read[postings.key, docnum] = postings.positions(docnum)
            return found

        slop = leaf.slop
        if leaf.unordered:
            return fits([positions(postings) for postings in leaf.postings], slop)
        ends = positions(leaf.postings[0])
        for postings in leaf.postings[1:]:
            if not ends:
                return False
            positions_ = positions(postings)
            size = len(positions_)
            found = set()
            for end in ends:
                j = bisect_right(positions_, end)
                while j < size and positions_[j] <= end + slop:
                    found.add(positions_[j])
                    j += 1
            ends = sorted(found)
        return bool(ends)

    # -- scoring -------------------------------------------------------------------------

    @staticmethod
    def _word_scores(postings: _Postings, docs: np.ndarray) -> np.ndarray:
        """A word's score in each of ``docs`` (ascending; 0 where the word is absent)."""
        at = _search(postings.ids, docs)
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
        only = None if allowed is None else self._mask(allowed)
        plan = _plan(leaves)
        scorers, bonuses = plan.scorers, plan.bonuses
        if k <= 0:
            return Found([], self._matches(scorers, only))
        terms = [leaf for leaf in scorers if not leaf.phrase]
        candidates = None
        if not self.exhaustive and sum(leaf.postings[0].size for leaf in terms) >= pruning.MIN_POSTINGS:
            candidates = pruning.candidates(
                [self._scorer(leaf) for leaf in scorers],
                [pruning.Bonus(_phrase_bound(leaf), plan.needs[id(leaf)]) for leaf in bonuses],
                only, k, lambda which, docs: self._partial([scorers[i] for i in which], docs),
            )
        if candidates is not None:
            matches = self._matches(scorers, only)
            partial = self._partial(scorers, candidates)
        else:  # every match scored, on whole arrays
            candidates, partial, matches = self._every_partial(scorers, only)
        if candidates is None:  # where the matches holding a phrase's words are: their numbers
            places = [held[matches[held]] for held in self._held(bonuses)]
        else:
            places = [_places(candidates, held) for held in self._held(bonuses)]
        keep = _within_reach(partial, places, k, bonuses)
        if keep is None:  # every match may make the k best
            keep = np.flatnonzero(matches) if candidates is None else np.arange(len(candidates))
        docs = keep if candidates is None else candidates[keep]
        if not len(docs):
            return Found([], matches)
        if not bonuses:
            return Found(_best(docs, partial[keep], k), matches)
        holding = [_marked(keep, at) for at in places]
        return self._add_bonuses(docs, partial[keep], holding, k, bonuses, matches, deadline)

    def _every_partial(self, scorers: list[_Leaf], only: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """Every match's score without the bonuses (summed on one score per document), and the
        mask of the matches: those scoring above 0 (every BM25F score is), and those of the
        scorers of boost 0, in one pass over the postings instead of two. ``np.add.at`` adds each
        posting's score as ``scores[docs] +=`` would (a word's documents are distinct), at less
        than half its time in numpy 2.

        The matches and their scores, as ``(candidates, partial, matches)``; or, when the
        matches are a large share of the archive, ``(None, scores, matches)``: every document's
        score (0 for the others), a document's number its index, which spares listing them all."""
        scores = np.zeros(self.doc_count_all)
        unscored = []  # the documents of scorers that add no score: matches all the same
        for leaf in scorers:  # the terms, then the phrases searched for themselves (their documents known)
            if not leaf.phrase:
                postings = leaf.postings[0]
                docs = _index(postings.ids)
                np.add.at(scores, docs, postings.scores if leaf.boost == 1.0 else postings.scores * leaf.boost)
            else:
                docs = self._phrase_docs(leaf)
                np.add.at(scores, docs, self._phrase_scores(leaf, docs))
            if leaf.boost == 0:
                unscored.append(docs)
        if any(leaf.boost < 0 for leaf in scorers):  # a score may fall to 0 or below: count them apart
            matches = self._matches(scorers, only)
        else:
            matches = scores > 0
            for docs in unscored:
                matches[docs] = True
            if only is not None:
                matches &= only
        if np.count_nonzero(matches) * _DENSE_MATCHES >= len(matches):
            if only is not None:
                scores[~matches] = 0.0  # the k best among the matches only
            return None, scores, matches
        candidates = np.flatnonzero(matches)
        return candidates, scores[candidates], matches

    def _partial(self, scorers: list[_Leaf], docs: np.ndarray) -> np.ndarray:
        """The score of ``docs`` (ascending) without the bonuses: the same sums, added in the same
        order, as :meth:`_every_partial` gives them."""
        total = np.zeros(len(docs))
        for leaf in scorers:
            if not leaf.phrase:
                postings = leaf.postings[0]
                found = self._word_scores(postings, docs)
                total += found if leaf.boost == 1.0 else found * leaf.boost
            else:
                held = np.isin(docs, self._phrase_docs(leaf), assume_unique=True)
                total[held] += self._phrase_scores(leaf, docs[held])
        return total

    def _scorer(self, leaf: _Leaf) -> pruning.Scorer:
        if not leaf.phrase:
            postings = leaf.postings[0]
            return pruning.Scorer(postings.ids, postings.top * leaf.boost)
        return pruning.Scorer(self._phrase_docs(leaf), _phrase_bound(leaf))

    def _held(self, bonuses: list[_Leaf]) -> list[np.ndarray]:
        """Per bonus phrase, the documents holding its words (ascending, as indexes); the title's
        two windows hold the same words and share one lookup."""
        found: dict[tuple[int, ...], np.ndarray] = {}
        held = []
        for leaf in bonuses:
            key = tuple(id(postings) for postings in leaf.postings)
            if key not in found:
                found[key] = _index(self._holding(leaf))
            held.append(found[key])
        return held

    def _add_bonuses(
        self,
        candidates: np.ndarray,
        partial: np.ndarray,
        holding: list[np.ndarray],
        k: int,
        bonuses: list[_Leaf],
        matches: np.ndarray,
        deadline: float | None,
    ) -> Found:
        """The ``k`` best of ``candidates`` once the phrase bonuses are added, reading as few
        phrase positions as it can (``holding``: per bonus phrase, the mask of the candidates
        holding its words).

        Each candidate's best possible score is its partial score plus the bonuses of the phrases
        whose words it holds (the bonus where it matches). Candidates come best bound first; the
        positions of one are read only when its bound could still reach the k best found, and it
        stops at the first that cannot: every later one has a lower bound.
        """
        possible = []  # per bonus phrase: (mask over candidates of those holding its words, bonus)
        most = partial.copy()
        for leaf, holds in zip(bonuses, holding):
            bonus = np.zeros(len(candidates))
            bonus[holds] = self._phrase_scores(leaf, candidates[holds])
            most += bonus
            possible.append((leaf, holds, bonus))
        heap: list[tuple[float, int]] = []  # (score, -docnum): the k best so far
        read: dict[tuple[Any, int], list[int]] = {}  # positions read, by (word, docnum)

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
                if holds[i] and self._phrase_at(leaf, docnum, read):
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

    def column_array(self, name: str) -> np.ndarray | None:
        """Every document's value in the numeric column ``name`` as one array (None when no
        segment has the column or it is not numeric): read in one piece per segment."""
        with self._lock:
            if name in self._arrays:
                return self._arrays[name]
        found = None
        if self.reader.has_column(name):
            parts: list[np.ndarray | int] = []  # a count where a segment has no such column
            for leaf, _ in self.segments:
                count = leaf.doc_count_all()
                part = _column_array(leaf.column_reader(name, translate=False), count) if leaf.has_column(name) else count
                if part is None:
                    break
                parts.append(part)
            else:
                found = _joined(parts, self.schema[name].column_type.default_value())
        with self._lock:
            self._arrays[name] = found
        return found

    def copy_key(self, docnum: int) -> tuple[int | None, int | None]:
        """A document's SimHash (None when it has none) and day (days since year 1, None when
        undated), from their columns read whole once per searcher as arrays (2.7 MB each for
        330,000 articles, a few milliseconds; as Python lists, 39 ms of a cold search)."""
        hashes, stamps = self.column_array("copy_hash"), self.column_array("date")
        stamp = NO_DATE if stamps is None else int(stamps[docnum])
        copy_hash = int(hashes[docnum]) if hashes is not None else 0
        return copy_hash or None, None if stamp == NO_DATE else stamp // _DAY

    def dated_between(self, start: dt.date | None, end: dt.date | None) -> set[int]:
        """Documents dated from ``start`` to ``end`` (inclusive; None: open)."""
        dates = self.column_array("date")
        if dates is None:
            return set()
        if self._date_order is None:
            order = np.argsort(dates, kind="stable")
            self._date_order = (order, dates[order])
        order, values = self._date_order
        low = datetime_to_long(dt.datetime.combine(start, dt.time())) if start else 0
        high = datetime_to_long(dt.datetime.combine(end, dt.time())) if end else NO_DATE - 1
        first, last = np.searchsorted(values, np.uint64(low)), np.searchsorted(values, np.uint64(high + 1))
        found = order[first:last]
        if self.reader.has_deletions():
            deleted = self.reader.is_deleted
            return {d for d in found.tolist() if not deleted(d)}
        return set(found.tolist())


def _joined(parts: list[np.ndarray | int], default: Any) -> np.ndarray:
    """Segments' column arrays as one, a segment without the column (given by its count)
    holding ``default`` in the others' type."""
    arrays = [part for part in parts if isinstance(part, np.ndarray)]
    dtype = arrays[0].dtype if arrays else np.dtype(np.uint64)
    return np.concatenate([part if isinstance(part, np.ndarray) else np.full(part, default, dtype=dtype) for part in parts] or [np.zeros(0, dtype)])


def _within_reach(partial: np.ndarray, places: list[np.ndarray], k: int, bonuses: list[_Leaf]) -> np.ndarray | None:
    """Which of the scored (indexes of ``partial``, ascending) may still reach the k best once the
    bonuses are added; None when every match may. ``places``: per bonus phrase, the indexes of
    those holding its words.

    A bonus only adds, so the k-th best partial score is at most the k-th best score; a document
    whose partial score plus the most its phrases can add (those whose words it holds) stays below
    it cannot be among the k best. Most documents hold few of the words: the bonuses are then read
    for a few thousand documents, not for every match."""
    if len(partial) <= k:
        return None
    floor, above = _above(partial, k)
    among = partial if above is None else partial[above]
    kth = float(np.partition(among, len(among) - k)[len(among) - k])
    if kth <= 0 or any(leaf.boost < 0 for leaf in bonuses):  # (negative scores: the slack would not hold)
        return None
    if above is not None and floor <= kth / (1 + 2 * _SLACK):  # every one reaching kth is above the floor
        reach = above[among * (1 + _SLACK) >= kth]
    else:
        reach = np.flatnonzero(partial * (1 + _SLACK) >= kth)
    held = phrases.union(places)
    most = partial[held]
    for leaf, at in zip(bonuses, places):
        most[_marked(held, at)] += _phrase_bound(leaf)
    return phrases.union([reach, held[most * (1 + _SLACK) >= kth]])


def _best(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (docnum, score) pairs: highest score first, then lowest docnum, as Whoosh."""
    if len(candidates) > k:
        kth = scores[_largest(scores, k)].min()
        keep = scores >= kth  # ties with the k-th best included: the docnum decides among them
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((candidates, -scores))[:k]
    return list(zip(candidates[order].tolist(), scores[order].tolist()))


def _search(ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Where each of ``docs`` goes in ``ids`` (ascending): ``docs`` taken in the type of ``ids``
    (numpy would otherwise convert the whole of ``ids``, a word's every posting, at each search)."""
    return np.searchsorted(ids, docs.astype(ids.dtype, copy=False))


def _index(ids: np.ndarray) -> np.ndarray:
    """Document numbers as an index: numpy's own conversion of int32 indexes costs twice this one."""
    return ids.astype(np.intp, copy=False)


def _present(ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` are in ``ids`` (both ascending): a search per document of ``docs``, or,
    when they are many against ``ids`` and against the mask's size, a mask of ``ids`` read at them
    (a search costs about as much as :data:`_DENSE_SHARE` writes to the mask)."""
    size = max(int(ids[-1]), int(docs[-1])) + 1 if len(ids) and len(docs) else 0
    if len(docs) * _DENSE_SHARE > max(len(ids), size // 4):
        return _mask_of(size, _index(ids))[_index(docs)]
    at = _search(ids, docs)
    found = at < len(ids)
    found[found] = ids[at[found]] == docs[found]
    return found


def _marked(among: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """A mask over ``among`` of those in ``docs`` (both ascending): :func:`_present` the other way
    round, a search per document of ``docs`` (the fewer) rather than one per document of ``among``."""
    return _mask_of(len(among), _places(among, docs))


def _places(among: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Where those of ``docs`` that are in ``among`` stand in it (both ascending), ascending."""
    at = _search(among, docs)
    inside = at < len(among)
    return at[inside][among[at[inside]] == docs[inside]]


def _mask_of(size: int, places: np.ndarray) -> np.ndarray:
    """A mask of ``size`` entries, true at ``places``."""
    mask = np.zeros(size, dtype=bool)
    mask[places] = True
    return mask


def _phrase_bound(leaf: _Leaf) -> float:
    """The most a phrase can score in a document: its words' largest scores, summed, times its boost."""
    return sum(postings.top for postings in leaf.postings) * leaf.boost


@dataclass
class _Plan:
    """How a query's leaves are scored: the scorers (its terms, then the phrases searched for
    themselves, the ANDs of words among them first), whose documents are the matches, and the bonus
    phrases, each with the scorers (indexes) a document must all be in to match it."""

    scorers: list[_Leaf]
    bonuses: list[_Leaf]
    needs: dict[int, frozenset[int]]


def _plan(leaves: list[_Leaf]) -> _Plan:
    terms = [leaf for leaf in leaves if not leaf.phrase]
    indexes = _term_indexes(terms)
    needs = {id(leaf): _needs(leaf, indexes) for leaf in leaves if leaf.phrase}
    own = sorted((leaf for leaf in leaves if leaf.phrase and needs[id(leaf)] is None), key=lambda leaf: not leaf.anywhere)
    for i, every in enumerate(own):  # a phrase of words an AND of the same field holds matches only where it does
        if not every.anywhere:
            break
        for leaf in own[i + 1 :]:
            if not leaf.anywhere and leaf.fieldname == every.fieldname and set(leaf.words) <= set(every.words):
                needs[id(leaf)] = frozenset([len(terms) + i])
    scorers = terms + [leaf for leaf in own if needs[id(leaf)] is None]
    bonuses = [leaf for leaf in leaves if leaf.phrase and needs[id(leaf)] is not None]
    return _Plan(scorers, bonuses, needs)  # type: ignore[arg-type]


def _term_indexes(leaves: list[_Leaf]) -> dict[tuple[str, bytes], int]:
    """The position of each term (field, word) among the terms of ``leaves``."""
    terms = [leaf for leaf in leaves if not leaf.phrase]
    return {(leaf.fieldname, leaf.words[0]): i for i, leaf in enumerate(terms)}


def _needs(phrase: _Leaf, terms: dict[tuple[str, bytes], int]) -> frozenset[int] | None:
    """The terms a document must hold to match ``phrase`` when its every word is searched as a
    term, in its field or in the field holding it (:data:`~.schema.HELD_IN`); None otherwise."""
    needed = set()
    for word in phrase.words:
        found = terms.get((phrase.fieldname, word))
        if found is None and phrase.fieldname in HELD_IN:
            found = terms.get((HELD_IN[phrase.fieldname], word))
        if found is None:
            return None
        needed.add(found)
    return frozenset(needed)


def _by_bound(bounds: np.ndarray, k: int, kth: Any) -> Iterator[int]:
    """Indexes of ``bounds``, highest first: the first few, then — once ``kth()`` tells the k-th
    best score found (None: not k yet) — only those that can still reach it, sorted then."""
    first = min(len(bounds), max(_FIRST_BOUNDS, 4 * k))
    if first < len(bounds):
        head = _largest(bounds, first)
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


def _largest(values: np.ndarray, count: int) -> np.ndarray:
    """Indexes of the ``count`` largest ``values`` (``count`` < their number), in no order."""
    _, above = _above(values, count)
    if above is None:
        return np.argpartition(-values, count - 1)[:count]
    return above[np.argpartition(-values[above], count - 1)[:count]]


def _above(values: np.ndarray, count: int) -> tuple[float, np.ndarray | None]:
    """A floor and the indexes of ``values`` at or above it (ascending; above it when it is 0),
    among which the ``count`` largest are; (0, None) to look among all. Of many values, the floor
    is a strided sample's fourth largest: partitioning those above it, not all, is the cheaper way
    when at least ``count`` are."""
    size = len(values)
    if size > 32 * count:
        sample = values[:: size // (8 * count)]
        floor = float(np.partition(sample, len(sample) - 4)[len(sample) - 4])
        if floor <= 0:  # of every document's score, mostly 0: the matches, above 0, are the fewer
            floor, above = 0.0, np.flatnonzero(values > 0)
        else:
            above = np.flatnonzero(values >= floor)
        if len(above) >= count:
            return floor, above
    return 0.0, None


def _segment_postings(leaf: Any, fieldname: str, word: bytes) -> tuple[Any, PostingList, Any] | None:
    """A word's postings in one segment: where they lie, read whole (:func:`read_postings`), and
    the segment's deleted docnums (None when the codec is not one this module reads)."""
    matcher = leaf.postings(fieldname, word)
    deleted = None
    if isinstance(matcher, FilterMatcher):
        deleted = matcher._ids
        matcher = matcher.child
    if type(matcher) is ListMatcher and matcher._ids:  # one posting, inlined in the term's entry
        inline = _Inline(encode_block(list(matcher._ids), array("f", matcher._weights), matcher._values or None, None))
        ids = np.array(matcher._ids, dtype=np.int64)
        weights = np.array(matcher._weights, dtype=np.float32)
        return inline, PostingList(ids, weights, [(int(ids[-1]), 0, len(inline.data), 0)], np.ones(1, np.int64)), deleted
    if type(matcher) is not CompactLeafMatcher or matcher._byteids:
        return None
    found = read_postings(matcher._postfile, matcher._startoffset, matcher._length)
    return (matcher._postfile, found, deleted) if found is not None else None


class _Inline:
    """The one posting of a word inlined in its term entry, as a block of its own (for positions)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def get(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]


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


def _length_bytes(leaf: Any, fieldname: str, count: int) -> np.ndarray:
    """Every document's length byte in ``fieldname``: one column read (whoosh3's per-document
    reader), not one ``doc_field_length`` call each — 0.15 s of a cold search on OrangeSum."""
    try:
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:  # another codec: the public, slower way
        lengths = [leaf.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(count)]
        return np.array([length_to_byte(length) for length in lengths], dtype=np.uint8)
    if column is None:
        return np.zeros(count, dtype=np.uint8)
    lengths = _column_array(column, count)
    return lengths.astype(np.uint8) if lengths is not None else np.array([column[d] for d in range(count)], dtype=np.uint8)


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

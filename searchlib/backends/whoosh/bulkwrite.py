"""Writing Whoosh segments in bulk: postings kept in memory per term, written as whole W3 blocks.

Whoosh's :class:`~whoosh.writing.SegmentWriter` sends every posting through Python calls three
times: into a ``PostingPool`` (marshalled to temporary files, sorted, merged back), then one
``add_posting`` call each into the W3 postings writer, and the same again when segments are merged.
On OrangeSum that was ~8 ms of the ~10 ms an article cost. :class:`BulkWriter` keeps each term's
postings in one flat list (docnum, weight, value, docnum, …) and at commit slices whole blocks of
128 out of it (:func:`searchlib.backends.whoosh.codec.encode_block`); merging reads the old segments' blocks whole
(a zlib stream per 128 postings), shifts their document numbers and writes them again, term by term, so that a merge's
memory is one term's postings, not the index's. A term in one merged segment only (most of them)
has its blocks copied, only their docnums shifted (:meth:`_Merged.copied`).

The files are byte for byte what Whoosh's own writer writes for the same documents with
:class:`searchlib.backends.whoosh.codec.CompactCodec` (the tests compare them): Whoosh's searcher and
:mod:`searchlib.backends.whoosh.arrays` read them unchanged. Only that codec's layout is written here;
:func:`supports` tells when another codec is in use.

Memory stays bounded: past ``limitmb`` of postings the writer closes the segment it is writing and
starts another, committed together with it (a crash before the commit leaves neither).

The French text fields (title, text) keep no postings per article: their words, numbered, wait in
a :class:`searchlib.backends.whoosh.postings.WordBuffer` whose postings are built with numpy, all at once, when
the segment is written (and the word list counted from it).
"""

# whoosh3 private names used here (pinned whoosh3==3.54.0; tests/backends/whoosh/test_bulkwrite.py checks the behaviour):
#   whoosh.codec.whoosh3: _lenfield
#   whoosh.codec.whoosh3.W3Codec (self.codec, a CompactCodec): _blocklimit, _compression, _inlinelimit
#   whoosh.codec.whoosh3.W3FieldWriter (self.fieldwriter): _postfile, _tindex
#   whoosh.codec.whoosh3.W3PerDocReader (SegmentReader._perdoc): _cached_reader
#   whoosh.codec.whoosh3.W3PerDocWriter (self.perdocwriter): _create_column, _get_column, _has_column
#   whoosh.codec.whoosh3.W3TermInfo: _struct
#   whoosh.codec.whoosh3.W3TermsReader (SegmentReader._terms): _fieldmap, _fieldunmap, _postfile, _tindex
#   whoosh.columns.WrappedColumnReader (a PickleColumn.Reader): _child
#   whoosh.columns.WrappedColumnWriter (a PickleColumn.Writer): _child
#   whoosh.filedb.filetables.OrderedHashReader (W3TermsReader._tindex): _get_pos
#   whoosh.reading.SegmentReader: _perdoc, _terms
#   whoosh.writing.IndexWriter (self in BulkWriter): _doc_boost, _field_boost
#   whoosh.writing.SegmentWriter (self in BulkWriter): _added, _check_fields, _check_state, _flush_segment (overridden),
#       _merge_segments (overridden, super)

from __future__ import annotations

import heapq
import multiprocessing
import os
import pickle
import signal
import struct
import tempfile
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import partial
from hashlib import md5
from itertools import chain
from typing import Any

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.columns import TranslatingColumnReader, VarBytesColumn
from whoosh.formats import Frequency
from whoosh.filedb.filetables import md5_hash
from whoosh.reading import SegmentReader
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

from .codec import (
    STORED_COLUMN,
    CompactCodec,
    CompactPerDocReader,
    CompactPositions,
    encode_block,
    extend_postings,
    shift_block,
)
from ...analysis.copy_keys import BodyKey, simhash_of_keys
from .postings import WORD_BYTES, Grouped, WordBuffer, build_folded, shared_numbers
from .schema import FoldedWords, FrenchText
from ...analysis.vocabulary import WordCounter

#: Values whose postings a writer remembers (see BulkWriter._postings_of_value), and how many
#: values of a field it looks at before it decides whether they repeat.
VALUE_POSTINGS_LIMIT = 20_000
VALUE_TRIAL = 1_000
#: Estimated bytes of memory per posting kept (list slots, the weight, the value's bytes object).
POSTING_BYTES = 110

_TERMINFO = W3TermInfo._struct
_SIZES = struct.Struct("!QQ")  # a range's postings bytes and pickled term entries

#: A term as (its field's number, its bytes): the order of the term dictionary.
_Key = tuple[int, bytes]
#: Work of writing a term, counted in postings (a term costs ~10 µs of Python, a posting less).
TERM_COST = 8
#: Work of copying a merged document's stored fields and columns, counted in postings.
DOCUMENT_COST = 15
#: Below this much work (postings) a segment's postings are written by one process.
PARALLEL_MIN_WORK = 200_000
#: Terms read from the merged segments to estimate where the work is (in all: a merge of many
#: segments samples fewer of each, and its memory stays bounded).
SAMPLES = 40_000
#: The read windows of all the segments of one merge, in each process writing it (bytes).
WINDOWS_BYTES = 48 << 20
MAX_WINDOW = 1 << 20
MIN_WINDOW = 64 << 10
_LENGTHS = struct.Struct("!ii")  # HashWriter's key and value lengths
_POINTER = struct.Struct("!qi")  # a W3TermInfo's offset and length in the postings file
_IDS = struct.Struct("!II")  # a W3TermInfo's last fields: its first and last docnum
_INT = struct.Struct("!i")  # a block's length (negative for a term's last block)
_FLOAT32 = struct.Struct("f")

#: A term's postings: docnums (increasing), weights, and values (a list of bytes, or for a format
#: of fixed-size values their concatenation, or None when values are empty).
Postings = tuple[list[int], list[float], Any]


def supports(codec: Any) -> bool:
    """Whether :class:`BulkWriter` writes this codec's layout (searchlib's compact W3)."""
    return type(codec) is CompactCodec and codec._inlinelimit <= 1


class BulkWriter(SegmentWriter):
    """A :class:`~whoosh.writing.SegmentWriter` that writes postings in whole blocks.

    Used like Whoosh's writer (``ix.writer()``): ``BulkWriter(ix, limitmb=256, compound=False)``.
    """

    def __init__(
        self,
        ix: Any,
        *,
        limitmb: int = 128,
        compress: bool = True,
        count_words: str | None = None,
        procs: int = 1,
        **kwargs: Any,
    ) -> None:
        """``compress=False`` writes blocks without zlib (legal W3: each block says whether it is
        compressed), for segments that a merge will soon rewrite: compressing them, then
        decompressing them to merge, was a tenth of a first build's time.

        ``count_words`` names a field whose words (as written, folded) are counted in
        :attr:`words` for each document added, from the same pass over the text as its postings:
        the field's type must have an ``index_and_words`` method
        (:class:`searchlib.backends.whoosh.schema.FrenchText`).

        ``procs`` > 1 writes a large segment's postings (the merge at the end of a run, mostly)
        with that many processes, each a range of the terms (see :class:`_RangeWriter`)."""
        kwargs.setdefault("codec", CompactCodec())
        super().__init__(ix, limitmb=limitmb, **kwargs)
        if not supports(self.codec):
            raise ValueError(f"BulkWriter writes searchlib's compact codec only, not {type(self.codec).__name__}")
        if count_words is not None and not hasattr(self.schema[count_words], "index_and_words"):
            raise ValueError(f"cannot count the words of field {count_words!r}: it has no index_and_words")
        self._count_words = count_words
        self._procs = procs
        #: The words of the documents added, for the archive's word list.
        self.words = WordCounter()
        self._limit = limitmb * 1024 * 1024 // POSTING_BYTES
        self._blocklimit = self.codec._blocklimit
        self._compression = self.codec._compression if compress else 0
        self._reset_postings()
        #: (field name, value) → its postings (see _postings_of_value), how many values of each
        #: field were looked up and not found, and the fields whose values do not repeat.
        self._value_postings: dict[tuple[str, Any], list[Any]] = {}
        self._values_seen: dict[str, int] = {}
        self._values_missed: dict[str, int] = {}
        self._unrepeated: set[str] = set()
        #: Segments closed when memory ran out, committed with the last one.
        self._spilled: list[Any] = []

    def _reset_postings(self) -> None:
        #: field name → term → [docnum, weight, value, docnum, weight, value, …]
        self._postings: dict[str, defaultdict[bytes, list[Any]]] = {}
        #: field name → the words of a French text field (its postings built when written)
        self._buffers: dict[str, WordBuffer] = {}
        #: field name → the postings built from its buffer (see _build_buffered)
        self._built: dict[str, Grouped] = {}
        #: The words of the French text fields, numbered (see WordBuffer)
        self._numbers = shared_numbers()
        #: field name → length byte of each document (by docnum), for the blocks' length bounds
        self._lengths: dict[str, bytearray] = {}
        #: Segments being merged into this one
        self._merging: list[_Merged] = []
        self._count = 0

    # -- adding ----------------------------------------------------------------------------

    def add_document(self, **fields: Any) -> None:
        """As :meth:`SegmentWriter.add_document`, the postings kept in memory."""
        # Kept long on purpose: every field of every article indexed passes through this one
        # frame, its attributes read once into locals (benchmarks/speed.py, articles/s).
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        fieldnames.sort(key=lambda name: type(fields[name]) is BodyKey)  # read from the text's words: after it
        self._check_fields(schema, fieldnames)
        count = 0
        words = None
        same_text: tuple[str, WordBuffer] | None = None  # the text buffered last, and where
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if type(value) is partial:  # a value computed here (in a worker process, if any)
                    value = value()
                elif type(value) is BodyKey:
                    value = self._body_key(value, docnum)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    terms = self._terms_of(fieldname)
                    scorable = field.scorable
                    buffer = self._buffer_of(fieldname, field) if type(value) is str else None
                    if buffer is not None:  # its words counted and postings built when written
                        before = len(buffer)
                        if type(field) is FoldedWords and same_text is not None and same_text[0] == value:
                            kept = buffer.add_words_of(docnum, same_text[1], fieldboost)  # numbered already
                        else:
                            kept = buffer.add(docnum, value, fieldboost)
                            same_text = (value, buffer)
                        length = kept if scorable else 0
                        count += (len(buffer) - before) * WORD_BYTES // POSTING_BYTES
                        postings = ()
                    elif fieldname == self._count_words:
                        postings, words = field.index_and_words(value)
                    else:
                        postings = self._postings_of_value(fieldname, field, value)
                    for tbytes, freq, weight, vbytes in postings:
                        if scorable:
                            length += freq
                        terms[tbytes] += (docnum, weight * fieldboost, vbytes)
                        count += 1
                    if length:
                        self._set_length(fieldname, docnum, length_to_byte(length))
                if field.separate_spelling():
                    spelling = self._terms_of(field.spelling_fieldname(fieldname))
                    for word in field.spellable_words(value):
                        spelling[utf8encode(word)[0]] += (0, 1, None)
                if field.vector:
                    vitems = field.vector.word_values(value, field.analyzer, mode="index")
                    vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                    perdocwriter.add_vector_items(fieldname, field, vitems)
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            self._forget(docnum)
            raise
        perdocwriter.finish_doc()
        if words is not None:
            self.words.add_words(words)
        self._added = True
        self.docnum += 1
        self._count += count
        if self._count > self._limit:
            self._spill()

    def _body_key(self, key: BodyKey, docnum: int) -> int | None:
        """A body's wire-copy key from the words numbered for its text field (the same value as
        computing it from the body: 0.07 ms an article instead of 0.2)."""
        buffer = self._buffers.get(key.field)
        if buffer is None or not buffer.docnums or buffer.docnums[-1] != docnum:
            return key()
        return simhash_of_keys(self._numbers.copy_keys(buffer.last_words()[key.skip() :]))

    def _postings_of_value(self, fieldname: str, field: Any, value: Any) -> Any:
        """``field.index(value)``, remembered for the fields whose values repeat from article to
        article (a date, a source, a section): a date's eight range terms take 22 µs to encode, a
        name's analysis 10 µs: 1.5 % of the CPU an OrangeSum article costs to index. A unique
        field (the id) is never remembered, nor a field whose values turn out not to repeat (a
        title's words): after :data:`VALUE_TRIAL` values, one in two must have been seen before."""
        if field.unique or fieldname in self._unrepeated:
            return field.index(value)
        cache = self._value_postings
        key = (fieldname, value)
        try:
            postings = cache.get(key)
        except TypeError:  # a value that is not hashable (a list of keywords)
            return field.index(value)
        seen = self._values_seen[fieldname] = self._values_seen.get(fieldname, 0) + 1
        if postings is None:
            misses = self._values_missed[fieldname] = self._values_missed.get(fieldname, 0) + 1
            if seen >= VALUE_TRIAL and misses * 2 > seen:
                self._unrepeated.add(fieldname)
                for stale in [k for k in cache if k[0] == fieldname]:
                    del cache[stale]
                return field.index(value)
            if len(cache) >= VALUE_POSTINGS_LIMIT:
                cache.clear()
            postings = cache[key] = list(field.index(value))
        return postings

    def _terms_of(self, fieldname: str) -> defaultdict[bytes, list[Any]]:
        terms = self._postings.get(fieldname)
        if terms is None:
            terms = self._postings[fieldname] = defaultdict(list)
        return terms

    def _buffer_of(self, fieldname: str, field: Any) -> WordBuffer | None:
        """The word buffer of a French text field (None for other fields: their postings are
        kept per term as they come)."""
        buffer = self._buffers.get(fieldname)
        if buffer is None:
            french = type(field) is FrenchText and type(field.format) is CompactPositions
            as_written = type(field) is FoldedWords and type(field.format) is Frequency
            if not (french or as_written):
                return None
            buffer = self._buffers[fieldname] = WordBuffer(self._numbers)
        return buffer

    def _build_buffered(self) -> None:
        """The buffered fields' postings, grouped by term, and the counted field's words."""
        for fieldname, buffer in self._buffers.items():
            if fieldname == self._count_words:
                self.words.add_counts(buffer.folded_counts(), len(buffer.docnums))
            field = self.schema[fieldname]
            build = build_folded if type(field) is FoldedWords else WordBuffer.build
            self._built[fieldname] = build(buffer, field.format.field_boost)
        self._buffers = {}

    def _set_length(self, fieldname: str, docnum: int, byte: int) -> None:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = bytearray()
        if len(lengths) <= docnum:
            lengths.extend(bytes(docnum + 1 - len(lengths)))
        lengths[docnum] = byte

    def _forget(self, docnum: int) -> None:
        """Drops the postings of a document whose fields failed half way (always the last one)."""
        for terms in self._postings.values():
            for tbytes in [t for t, flat in terms.items() if flat and flat[-3] == docnum]:
                del terms[tbytes][-3:]
                if not terms[tbytes]:
                    del terms[tbytes]
        for buffer in self._buffers.values():
            buffer.forget(docnum)
        for lengths in self._lengths.values():
            if len(lengths) > docnum:
                lengths[docnum] = 0

    def add_reader(self, reader: Any) -> None:
        """As :meth:`SegmentWriter.add_reader` (a segment merged into this one), the documents'
        stored fields and columns copied when the segment is written (:meth:`_flush_segment`),
        once any other process writing postings has started."""
        self._check_state()
        startdoc = self.docnum
        fieldnames = set(self.schema.names()) | {name for name in reader.indexed_field_names() if name in self.schema}
        docmap = None
        if reader.has_deletions():  # the numbers write_per_doc gives, in the same order
            docmap = {old: startdoc + new for new, old in enumerate(reader.all_doc_ids())}
        self.add_postings_to_pool(reader, startdoc, docmap)
        self._merging[-1].fieldnames = fieldnames
        self.docnum = startdoc + (len(docmap) if docmap is not None else reader.doc_count_all())
        self._added = True

    def write_per_doc(self, fieldnames: set[str], reader: Any) -> dict[int, int] | None:
        """As :meth:`SegmentWriter.write_per_doc` (a merged segment's lengths, columns and stored
        fields), the stored fields copied as they lie (compressed pickles) instead of read and
        written again: that was two thirds of the copy's time."""
        schema = self.schema
        perdoc = getattr(reader, "_perdoc", None)
        stored = perdoc._cached_reader("_stored", STORED_COLUMN) if type(perdoc) is CompactPerDocReader else None
        if stored is None or any(schema[name].vector for name in fieldnames):  # another codec's segment
            return super().write_per_doc(fieldnames, reader)  # type: ignore[no-any-return]
        raw_stored = partial(VarBytesColumn.Reader.__getitem__, stored._child)
        pdw = self.perdocwriter
        if not pdw._has_column("_stored"):
            pdw._create_column("_stored", STORED_COLUMN)
        add_stored = partial(VarBytesColumn.Writer.add, pdw._get_column("_stored")._child)
        lengths = [(name, schema[name], perdoc.doc_field_length_reader(name)) for name in fieldnames]
        columns = []
        for name in fieldnames:
            column_type = schema[name].column_type
            if column_type and reader.has_column(name):
                column = reader.column_reader(name, column_type)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                columns.append((name, column_type, column))
        docmap: dict[int, int] | None = {} if reader.has_deletions() else None
        for docnum in reader.all_doc_ids():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            for name, fieldobj, length_of in lengths:
                if length := length_of(docnum):
                    pdw.add_field(name, fieldobj, None, length)
            for name, column_type, column in columns:
                pdw.add_column_value(name, column_type, column[docnum])
            if value := raw_stored(docnum):
                add_stored(self.docnum, value)
            pdw.finish_doc()
            self.docnum += 1
        return docmap

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        """Called by ``add_reader`` (segment merges): the segment's postings are read at commit,
        block by block, from a reader of our own (the merge policy closes its reader)."""
        segment = reader.segment()
        own = SegmentReader(self.storage, self.schema, segment)
        self._merging.append(_Merged(own, startdoc, docmap))
        for fieldname in own.indexed_field_names():
            column = own._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if fieldname not in self.schema or column is None:
                continue
            # The length bytes of the merged documents, at their new numbers.
            for old in range(own.doc_count_all()):
                new = docmap.get(old) if docmap is not None else startdoc + old
                if new is not None and (byte := column[old]):
                    self._set_length(fieldname, new, byte)

    # -- writing ---------------------------------------------------------------------------

    def _flush_segment(self) -> None:
        helpers: list[_RangeWriter] = []
        for merged in self._merging:
            merged.resize(window_size(len(self._merging)))
        try:
            fields = self._number_fields()
            splits = self._split_keys(fields)
            ranges = list(zip([None, *splits], [*splits, None]))
            self.fieldwriter._postfile.flush()  # nothing buffered for a forked process to inherit
            helpers = [_RangeWriter.start(self, fields, low, high, self.storage.folder) for low, high in ranges[1:]]
            end = self.docnum
            for merged in self._merging:  # the merged documents' stored fields and columns
                self.docnum = merged.startdoc
                if self.write_per_doc(merged.fieldnames, merged.reader) != merged.docmap:
                    raise AssertionError("documents renumbered unlike their postings")
            self.docnum = end
            self.perdocwriter.close()
            self._write_postings(fields, ranges[0], helpers)
        finally:
            for helper in helpers:
                helper.stop()
            for merged in self._merging:
                merged.reader.close()
        self.fieldwriter.close()

    def _spill(self) -> None:
        """Closes the segment being written (it is committed with the last one) and starts another."""
        self._flush_segment()
        self._spilled.append(self.get_segment())
        self._added = False  # until a document comes into the new segment
        self._reset_postings()
        self.newsegment = self.codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = self.codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = self.codec.field_writer(self.storage, self.newsegment)
        self.docnum = self.docbase

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        segments: list[Any] = super()._merge_segments(mergetype, optimize, merge)
        return segments + self._spilled

    def _number_fields(self) -> list[str]:
        """The fields with terms, numbered in name order (a term's key starts with its field's
        number), so that ranges of terms may be written by other processes."""
        self._build_buffered()  # before any other process starts writing
        fieldwriter = self.fieldwriter
        names = set(self._postings)
        for merged in self._merging:
            names.update(name for name in merged.reader.indexed_field_names() if name in self.schema)
        fields = sorted(names)
        for fieldname in fields:
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            fieldwriter.finish_field()
        return fields

    def _write_postings(self, fields: list[str], own: tuple[_Key | None, _Key | None], helpers: list[_RangeWriter]) -> None:
        """The postings of the ``own`` range of terms, then those the helpers wrote."""
        postfile = self.fieldwriter._postfile
        tindex = self.fieldwriter._tindex
        _write_entries(postfile, tindex, self._term_postings(fields, *own, postfile.tell()))
        for helper in helpers:
            helper.append_to(postfile, tindex)

    def _term_postings(
        self, fields: list[str], low: _Key | None, high: _Key | None, offset: int
    ) -> Iterator[tuple[bytes, bytes, bytes]]:
        """(postings bytes, term key, term info) of every term from ``low`` (included) to ``high``
        (excluded), or from the first or to the last; the postings start at ``offset``."""
        write_term = self._write_term
        compression = self._compression
        merging = self._merging
        # Merged segments numbered in docnum order (as add_reader numbers them), none renumbered.
        in_order = all(merged.docmap is None for merged in merging) and all(
            a.startdoc < b.startdoc for a, b in zip(merging, merging[1:])
        )
        for number, fieldname in enumerate(fields):
            if (low and number < low[0]) or (high and number > high[0]):
                continue
            fieldobj = self.schema[fieldname]
            prefix = pack_ushort(number)
            fixedsize = fieldobj.format.fixed_value_size()
            lengths = self._lengths.get(fieldname, b"")
            first = low[1] if low and number == low[0] else None
            stop = high[1] if high and number == high[0] else None
            for tbytes, found in self._terms(fieldname, first, stop):
                written = None
                if len(found) == 1 and found[0][0] > 0:  # in one merged segment only (most terms)
                    written = merging[found[0][0] - 1].copied(found[0][1], offset, compression)
                if written is None:
                    postings = self._postings_of(found, fixedsize, in_order)
                    if postings is None:  # every posting deleted
                        continue
                    written = write_term(offset, postings, fixedsize, lengths)
                chunk, info = written
                offset += len(chunk)
                yield chunk, prefix + tbytes, info

    def _split_keys(self, fields: list[str]) -> list[_Key]:
        """Where to cut the terms into :attr:`_procs` ranges of about equal work (none when the
        work is too small to be worth another process, or the index is not in files)."""
        if self._procs < 2 or getattr(self.storage, "folder", None) is None:
            return []
        weights: list[tuple[_Key, float]] = []
        for number, fieldname in enumerate(fields):
            in_memory = self._postings.get(fieldname) or {}
            weights.extend(((number, t), TERM_COST + len(flat) // 3) for t, flat in in_memory.items())
            if built := self._built.get(fieldname):
                weights.extend(((number, t), TERM_COST + e - s) for t, (s, e) in built.spans.items())
        each = max(16, SAMPLES // max(1, len(self._merging)))
        for merged in self._merging:
            weights.extend(merged.sample(fields, each))
        postings = sum(weight for _, weight in weights)
        if postings < PARALLEL_MIN_WORK:
            return []
        # This process also copies the merged documents' stored fields: its range is smaller.
        documents = DOCUMENT_COST * sum(merged.reader.doc_count() for merged in self._merging)
        share = (postings + documents) / self._procs
        weights.sort()
        splits: list[_Key] = []
        done = 0.0
        for key, weight in weights:
            if done >= share * (len(splits) + 1) - documents and (not splits or key > splits[-1]):
                splits.append(key)
                if len(splits) == self._procs - 1:
                    break
            done += weight
        return splits

    def _terms(
        self, fieldname: str, first: bytes | None = None, stop: bytes | None = None
    ) -> Iterator[tuple[bytes, list[tuple[int, Any]]]]:
        """Every term of the field in byte order (from ``first``, before ``stop``), with where its
        postings are: (0, its flat list in memory) and (a merged segment's number from 1, its term
        info bytes there), or (-1, (a French text field's postings built, its span there)), in
        docnum order."""
        sources: list[Iterator[tuple[bytes, int, Any]]] = []
        in_memory = self._postings.get(fieldname)
        if in_memory:
            chosen = sorted(t for t in in_memory if (first is None or t >= first) and (stop is None or t < stop))
            sources.append(((t, 0, in_memory[t]) for t in chosen))
        built = self._built.get(fieldname)
        if built is not None and built.spans:
            chosen = sorted(t for t in built.spans if (first is None or t >= first) and (stop is None or t < stop))
            sources.append(((t, -1, (built, built.spans[t])) for t in chosen))
        for number, merged in enumerate(self._merging, 1):
            if fieldname in merged.fields:
                sources.append(merged.terms(fieldname, number, first))
        # (term, source's number) is unique: the tuples are ordered without a key function, and
        # without ever comparing the payloads.
        items = heapq.merge(*sources) if len(sources) > 1 else sources[0] if sources else iter(())
        current: bytes | None = None
        found: list[tuple[int, Any]] = []
        for tbytes, number, payload in items:
            if stop is not None and tbytes >= stop:
                break
            if tbytes != current:
                if found:
                    yield current, found  # type: ignore[misc]
                current, found = tbytes, []
            found.append((number, payload))
        if found:
            yield current, found  # type: ignore[misc]

    def _postings_of(self, found: list[tuple[int, Any]], fixedsize: int | None, in_order: bool) -> Postings | None:
        """A term's postings from where :meth:`_terms` found them (None if all were deleted).
        ``in_order``: the merged segments' documents keep their order, none deleted."""
        if in_order and found[0][0] > 0:  # the segments' postings follow each other: appended
            ids: list[int] = []
            weights: list[float] = []
            values: Any = bytearray() if fixedsize else []
            merging = self._merging
            for number, payload in found:
                merging[number - 1].extend(payload, fixedsize, ids, weights, values)
            return ids, weights, None if fixedsize == 0 else bytes(values) if fixedsize else values
        if len(found) == 1 and not found[0][0]:  # in memory only (a batch's segment)
            return _from_flat(found[0][1], fixedsize)
        parts: list[Postings] = []
        for number, payload in found:
            if number == 0:
                parts.append(_from_flat(payload, fixedsize))
            elif number < 0:
                grouped, span = payload
                parts.append(grouped.postings(span))
            else:
                part = self._merging[number - 1].postings(payload, fixedsize)
                if len(part[0]):  # not every posting deleted
                    parts.append(part)
        return _joined(parts, fixedsize) if parts else None

    def _write_term(self, start: int, postings: Postings, fixedsize: int | None, lengths: Any) -> tuple[bytes, bytes]:
        """One term's blocks as W3PostingsWriter writes them at offset ``start`` of the postings
        file, and its W3TermInfo bytes."""
        # Kept long on purpose: called once per term of a merge (hundreds of thousands), it follows
        # W3PostingsWriter's layout in one pass (benchmarks/speed.py, the final merge's time).
        ids, weights, values = postings
        n = len(ids)
        if n == 1:
            return self._write_one(start, ids[0], weights[0], values, fixedsize, lengths)
        step = self._blocklimit
        out = [WHOOSH3_HEADER_MAGIC]
        total = 0.0
        top_weight: float = 0
        term_min = 256
        term_max = 0
        have_lengths = len(lengths)
        dumps = pickle.dumps
        for s in range(0, n, step):
            e = s + step if s + step < n else n
            block_ids = ids[s:e] if n > step else ids
            block_raw = weights[s:e] if n > step else weights
            block_weights = array("f", block_raw)
            size = e - s
            if n <= step:
                block_values: Any = None if fixedsize == 0 else values
            elif fixedsize is None or fixedsize < 0:
                block_values = values[s:e]
            elif fixedsize == 0:
                block_values = None
            else:
                block_values = values[s * fixedsize : e * fixedsize]
            data = encode_block(block_ids, block_weights, block_values, fixedsize)
            comp = self._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if comp:
                data = zlib.compress(data, comp)
            # The block's shortest and longest document (length bytes; 0 is "no length")
            if not have_lengths:
                low = high = 0
            elif size == 1:
                low = high = lengths[block_ids[0]] if block_ids[0] < have_lengths else 0
            else:
                if block_ids[-1] < have_lengths:
                    block_lengths = bytes(map(lengths.__getitem__, block_ids))
                else:
                    block_lengths = bytes(lengths[d] if d < have_lengths else 0 for d in block_ids)
                high = max(block_lengths)
                low = min(block_lengths)
                if not low and high:
                    low = min(block_lengths.replace(b"\0", b""))
            raw_max = max(block_raw)
            block_weight = raw_max if raw_max > 0 else 0
            info = dumps((size, block_ids[-1], block_weight, comp, low, high), 2)
            length = len(info) + len(data)
            out.append(pack_int(-length if e == n else length))
            out.append(info)
            out.append(data)
            total += sum(block_weights)
            if block_weight > top_weight:
                top_weight = block_weight
            if low and low < term_min:
                term_min = low
            if high > term_max:
                term_max = high
        data = b"".join(out)
        head = _TERMINFO.pack(False, total, n, term_min if term_max else 0, term_max, top_weight, ids[0], ids[-1])
        return data, head + pack_long(start) + pack_int(len(data))

    def _write_one(
        self, start: int, docnum: int, weight: float, values: Any, fixedsize: int | None, lengths: Any
    ) -> tuple[bytes, bytes]:
        """:meth:`_write_term` of a term in one document (most terms of a batch's segment): the
        same bytes, without the block loop's slices and arrays."""
        stored = array("f", (weight,))[0]  # the weight as the block stores it (float32)
        data = encode_block((docnum,), (stored,), values, fixedsize)
        comp = self._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            data = zlib.compress(data, comp)
        low = lengths[docnum] if docnum < len(lengths) else 0
        block_weight = weight if weight > 0 else 0
        info = pickle.dumps((1, docnum, block_weight, comp, low, low), 2)
        chunk = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-(len(info) + len(data))), info, data))
        head = _TERMINFO.pack(False, 0.0 + stored, 1, low, low, block_weight, docnum, docnum)
        return chunk, head + pack_long(start) + pack_int(len(chunk))


def _write_entries(postfile: Any, tindex: Any, terms: Iterable[tuple[bytes, bytes, bytes]]) -> None:
    """Writes (postings bytes, key, term info) in order, a few thousand terms at a time."""
    chunks: list[bytes] = []
    entries: list[tuple[bytes, bytes]] = []
    for chunk, key, info in terms:
        chunks.append(chunk)
        entries.append((key, info))
        if len(chunks) >= 4096:
            postfile.write(b"".join(chunks))
            chunks.clear()
            _add_terms(tindex, entries)
            entries.clear()
    postfile.write(b"".join(chunks))
    _add_terms(tindex, entries)


def _add_terms(tindex: Any, entries: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for each (key, value), in one write: the keys are in order."""
    if not entries:
        return
    if entries[0][0] <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{entries[0][0]!r}")
    dbfile = tindex.dbfile
    pos = dbfile.tell()
    buckets = tindex.buckets
    hashfn = _md5_low32 if tindex.hashfn is md5_hash else tindex.hashfn
    positions = []
    records = []
    for key, value in entries:
        positions.append(pos)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        record = _LENGTHS.pack(len(key), len(value)) + key + value
        records.append(record)
        pos += len(record)
    dbfile.write(b"".join(records))
    tindex.index.extend(positions)
    tindex.lastkey = entries[-1][0]


def _md5_low32(key: bytes) -> int:
    """Whoosh's ``md5_hash`` (the low 32 bits of the key's MD5) without the hex digest parsed."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")


def _from_flat(flat: list[Any], fixedsize: int | None) -> Postings:
    values = flat[2::3]
    if fixedsize == 0:
        return flat[0::3], flat[1::3], None
    if not all(values):  # W3 keeps no empty value
        values = [v for v in values if v]
    return flat[0::3], flat[1::3], emptybytes.join(values) if fixedsize else values


def _joined(parts: list[Postings], fixedsize: int | None) -> Postings:
    if len(parts) == 1:
        return parts[0]
    parts.sort(key=lambda part: part[0][0])
    if any(a[0][-1] >= b[0][0] for a, b in zip(parts, parts[1:])):  # documents added between merged segments
        return _sorted_postings(parts, fixedsize)
    ids = list(chain.from_iterable(part[0] for part in parts))
    weights = list(chain.from_iterable(part[1] for part in parts))
    if fixedsize == 0:
        return ids, weights, None
    if fixedsize:
        return ids, weights, emptybytes.join(part[2] for part in parts)
    return ids, weights, list(chain.from_iterable(part[2] for part in parts))


def _sorted_postings(parts: list[Postings], fixedsize: int | None) -> Postings:
    rows = sorted(row for part in parts for row in zip(part[0], part[1], _split_values(part, fixedsize)))
    ids, weights, values = (list(column) for column in zip(*rows))
    return ids, weights, None if fixedsize == 0 else emptybytes.join(values) if fixedsize else values


def _split_values(part: Postings, fixedsize: int | None) -> list[Any]:
    if fixedsize == 0:
        return [None] * len(part[0])
    if fixedsize:
        blob = part[2]
        return [blob[i : i + fixedsize] for i in range(0, len(blob), fixedsize)]
    return list(part[2])


class _Merged:
    """A segment being merged: its terms and postings read front to back in large chunks.

    A term dictionary's records and the posting lists follow each other in term order, so one
    pass reads each file once, rather than several small reads and a TermInfo object per term.
    """

    def __init__(
        self, reader: SegmentReader, startdoc: int, docmap: dict[int, int] | None, window: int = MAX_WINDOW
    ) -> None:
        self.reader = reader
        self.segment = reader.segment()
        #: The fields whose stored values and columns are copied (see BulkWriter.add_reader).
        self.fieldnames: set[str] = set()
        self.startdoc = startdoc
        self.docmap = docmap
        terms = reader._terms
        self.fields = set(terms._fieldmap)
        self._names = terms._fieldunmap
        # Fields numbered in name order (as Whoosh's writers and this one number them) are read in
        # one pass; otherwise each field is looked up in the term dictionary.
        self._in_order = self._names == sorted(self._names)
        self._tindex = terms._tindex
        self.window = window
        self._terms = _Window(self._tindex.dbfile, window)
        self._postings = _Window(terms._postfile, window)
        self._pos = self._tindex.startofdata

    def reopened(self, storage: Any, schema: Any) -> _Merged:
        """The same segment through files of its own (for another process: a file's position
        is shared with the process it was opened in)."""
        return _Merged(SegmentReader(storage, schema, self.segment), self.startdoc, self.docmap, self.window)

    def resize(self, window: int) -> None:
        """Reads ``window`` bytes at a time (see :func:`window_size`)."""
        self.window = self._terms.chunk = self._postings.chunk = window

    def sample(self, fields: list[str], terms: int) -> list[tuple[_Key, float]]:
        """((field's number in ``fields``, term), estimated work) for evenly spaced terms of the
        segment, each standing for the terms up to the next (to cut the work into ranges)."""
        tindex = self._tindex
        count = tindex.indexlen
        step = max(1, count // terms)
        numbers = {name: fields.index(name) for name in self.fields if name in fields}
        dbfile = tindex.dbfile
        found = []
        for i in range(0, count, step):
            pos = tindex._get_pos(tindex.indexbase + i * tindex.indexsize)
            keylen, valuelen = _LENGTHS.unpack(dbfile.get(pos, 8))
            record = dbfile.get(pos + 8, keylen + valuelen)
            name = self._names[(record[0] << 8) | record[1]]
            if name in numbers:
                doc_freq = _TERMINFO.unpack(record[keylen : keylen + _TERMINFO.size])[2]
                found.append(((numbers[name], record[2:keylen]), (TERM_COST + doc_freq) * step))
        return found

    def terms(self, fieldname: str, number: int, first: bytes | None = None) -> Iterator[tuple[bytes, int, bytes]]:
        """(term, ``number``, term info bytes) of the field's terms, in byte order (from ``first``)."""
        prefix = pack_ushort(self.reader._terms._fieldmap[fieldname])
        if not self._in_order:
            for key, value in self._tindex.items_from(prefix + (first or b"")):
                if not key.startswith(prefix):
                    return
                yield key[2:], number, value
            return
        if first is not None:  # straight to it
            pos = self._tindex.closest_key_pos(prefix + first)
            self._pos = self._tindex.endofdata if pos is None else max(pos, self._pos)
        window = self._terms
        end = self._tindex.endofdata
        names = self._names
        while self._pos < end:
            keylen, valuelen = _LENGTHS.unpack(window.get(self._pos, 8))
            record = window.get(self._pos + 8, keylen + valuelen)
            name = names[(record[0] << 8) | record[1]]
            if name > fieldname:
                return
            self._pos += 8 + keylen + valuelen
            if name == fieldname:
                yield record[2:keylen], number, record[keylen:]

    def copied(self, info: bytes, start: int, compression: int) -> tuple[bytes, bytes] | None:
        """A term's blocks and term info as :meth:`BulkWriter._write_term` writes them at offset
        ``start``, copied from this segment with only their docnums shifted, or None when they
        cannot be (documents deleted).

        A term in one merged segment has the same postings, so the same blocks, with the same
        weights, lengths and sums: only the blocks' first gaps (a block's first docnum) and
        last docnums change, and compression. Decoding and encoding them again was most of a
        merge's time, and most terms (the rare ones) are in one segment."""
        if self.docmap is not None or info[0]:
            return None
        head = _TERMINFO.size
        offset, length = _POINTER.unpack_from(info, head)
        shift = self.startdoc
        out = [WHOOSH3_HEADER_MAGIC]
        for block, data, is_last in self._blocks(offset, length):
            count, last, weight, comp, low, high = block
            if comp:
                data = zlib.decompress(data)
            # The new weight is the max of the weights as the blocks store them (float32): the
            # old one (the max of the weights given) rounded, as rounding keeps their order.
            weight = _FLOAT32.unpack(_FLOAT32.pack(weight))[0]
            if weight != weight:  # NaN: which one max() keeps depends on the order
                return None
            data = shift_block(data, shift)
            comp = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if comp:
                data = zlib.compress(data, comp)
            block_info = pickle.dumps((count, last + shift, weight if weight > 0 else 0, comp, low, high), 2)
            length = len(block_info) + len(data)
            out += (pack_int(-length if is_last else length), block_info, data)
        chunk = b"".join(out)
        first_id, last_id = _IDS.unpack_from(info, head - _IDS.size)
        term_info = info[: head - _IDS.size] + _IDS.pack(first_id + shift, last_id + shift)
        return chunk, term_info + pack_long(start) + pack_int(len(chunk))

    def postings(self, info: bytes, fixedsize: int | None) -> Postings:
        """A term's postings at their new docnums, from its term info bytes."""
        ids: list[int] = []
        weights: list[float] = []
        blobs: Any = bytearray() if fixedsize else []
        self.extend(info, fixedsize, ids, weights, blobs)
        blobs = None if fixedsize == 0 else bytes(blobs) if fixedsize else blobs
        docmap = self.docmap
        if docmap is None:
            return ids, weights, blobs
        keep = [i for i, d in enumerate(ids) if d in docmap]
        values = _split_values((ids, weights, blobs), fixedsize)
        kept_values = [values[i] for i in keep]
        return (
            [docmap[ids[i]] for i in keep],
            [weights[i] for i in keep],
            None if fixedsize == 0 else emptybytes.join(kept_values) if fixedsize else kept_values,
        )

    def extend(self, info: bytes, fixedsize: int | None, ids: list[int], weights: list[float], values: Any) -> None:
        """Appends a term's postings, from its term info bytes, to lists (values: a bytearray for
        a fixed size): at their new docnums, or with a docmap at their numbers in this segment."""
        head = _TERMINFO.size
        base = self.startdoc if self.docmap is None else 0
        if info[0]:  # inlined in the term info
            found_ids, found_weights, found_values = pickle.loads(info[head:])
            ids += [d + base for d in found_ids]
            weights += found_weights
            if fixedsize:
                values += emptybytes.join(found_values)
            elif fixedsize != 0:
                values += found_values
            return
        offset, length = _POINTER.unpack_from(info, head)
        for block, data, _ in self._blocks(offset, length):
            extend_postings(zlib.decompress(data) if block[3] else data, fixedsize, base, ids, weights, values)

    def _blocks(self, offset: int, length: int) -> Iterator[tuple[tuple[Any, ...], bytes, bool]]:
        """The blocks of the posting list at ``offset``: each block's info (count, last docnum,
        max weight, compression, shortest and longest length), its data as stored, and whether
        it is the last."""
        raw = self._postings.get(offset, length)
        if raw[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"not a W3 posting list at offset {offset}")
        view = memoryview(raw)
        pos = 4
        size = 0
        while size >= 0:
            size = _INT.unpack_from(raw, pos)[0]
            pos += 4
            end = pos + (size if size >= 0 else -size)
            block = pickle.loads(view[pos:end])
            yield block, raw[pos + len(pickle.dumps(block, 2)) : end], size < 0
            pos = end


class _RangeWriter:
    """Another process writing the postings of a range of terms (for :meth:`BulkWriter._write_postings`).

    Forked, it reads the merged segments through files of its own and writes the postings of
    its terms, then their keys and term infos, to an unnamed temporary file beside the index;
    the writer then copies them after its own, shifting the postings' offsets. A merge at the
    end of a run was a quarter of its time on one core while the other waited.
    """

    def __init__(self, process: Any, output: Any) -> None:
        self.process = process
        self.output = output

    @classmethod
    def start(cls, writer: BulkWriter, fields: list[str], low: _Key | None, high: _Key | None, folder: str) -> _RangeWriter:
        output = tempfile.TemporaryFile(dir=folder)
        context = multiprocessing.get_context("fork")
        parent = os.getpid()
        process = context.Process(target=cls._run, args=(writer, fields, low, high, output, parent), daemon=True)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        try:
            process.start()
        finally:
            signal.signal(signal.SIGINT, previous)
        return cls(process, output)

    @staticmethod
    def _run(writer: BulkWriter, fields: list[str], low: _Key | None, high: _Key | None, output: Any, parent: int) -> None:
        writer._merging = [merged.reopened(writer.storage, writer.schema) for merged in writer._merging]
        entries: list[tuple[bytes, bytes]] = []
        size = 0
        for done, (chunk, key, info) in enumerate(writer._term_postings(fields, low, high, 0)):
            output.write(chunk)
            size += len(chunk)
            entries.append((key, info))
            if not done % 4096 and os.getppid() != parent:
                os._exit(1)  # the writer is gone: nothing will read this
        trailer = pickle.dumps(entries, pickle.HIGHEST_PROTOCOL)
        output.write(trailer)
        output.write(_SIZES.pack(size, len(trailer)))
        output.flush()
        for merged in writer._merging:
            merged.reader.close()

    def append_to(self, postfile: Any, tindex: Any) -> None:
        """Waits for the process, then writes its postings at the end of ``postfile`` and its
        terms into the term index."""
        self.process.join()
        if self.process.exitcode != 0:
            raise OSError(f"a process writing postings ended with exit code {self.process.exitcode}")
        output = self.output
        output.seek(-_SIZES.size, os.SEEK_END)
        size, trailer = _SIZES.unpack(output.read(_SIZES.size))
        output.seek(size)
        entries = pickle.loads(output.read(trailer))
        base = postfile.tell()
        output.seek(0)
        left = size
        while left:
            piece = output.read(min(left, 1 << 22))
            postfile.write(piece)
            left -= len(piece)
        head = _TERMINFO.size
        for start in range(0, len(entries), 4096):
            shifted = []
            for key, info in entries[start : start + 4096]:
                offset, length = _POINTER.unpack(info[head:])
                shifted.append((key, info[:head] + _POINTER.pack(offset + base, length)))
            _add_terms(tindex, shifted)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.output.close()


class _Window:
    """Reads a file mostly front to back, ``chunk`` bytes at a time."""

    def __init__(self, dbfile: Any, chunk: int) -> None:
        self._file = dbfile
        self.chunk = chunk
        self._start = 0
        self._data = b""

    def get(self, pos: int, size: int) -> bytes:
        i = pos - self._start
        if i < 0 or i + size > len(self._data):
            self._start = pos
            self._data = b""  # let the old chunk go before reading the next
            self._data = self._file.get(pos, max(size, self.chunk))
            i = 0
        return self._data[i : i + size]


def window_size(segments: int) -> int:
    """Bytes each of a merge's read windows (two per merged segment) takes: a megabyte while
    that fits in :data:`WINDOWS_BYTES`, less for a merge of many segments — a 100,000-article
    first build merges ~100 batch segments, and 1 MB windows held 200 MB in each process."""
    return max(MIN_WINDOW, min(MAX_WINDOW, WINDOWS_BYTES // max(1, 2 * segments)))

"""Whoosh's W3 index format with compact posting blocks and compact positions.

whoosh3 writes each block of up to 128 postings as a pickled tuple — the docnum gaps as Python
ints, the weights as 9-byte floats, each posting's positions as a bytes object of its own (a
4-byte count and a pickled list) — and compresses that with zlib. On OrangeSum the ``text``
field's postings took 16.7 bytes each. Here a block is fixed-width arrays (gaps, integral weights,
value lengths, each in the narrowest of 1, 2 or 4 bytes) followed by the values joined into one
bytes string, then compressed; positions are their gaps in the same narrow arrays.

Stored fields are compressed per article as in W3, but with zstd from a dictionary trained on
French Wikinews articles as searchlib stores them (``data/stored.zstd``, made by
``scripts/make_stored_dictionary.py``): on OrangeSum 0.41 of their pickled size, where zlib from a
32 KB preset dictionary of French words (the format before) gave 0.47 and took nine times as long
(136 against 17.5 µs an article written; 22 against 7.5 µs read). Articles written in that earlier
format (``data/stored.zdict``) are still read: a zstd frame and a zlib stream tell themselves
apart by their first byte.

Everything else is W3 unchanged: the term dictionary, block headers, the other columns.
The codec and format are pickled into the index (a segment keeps its codec, a field its format):
these class paths, and the dictionaries' bytes, are on-disk format (see ``schema.SCHEMA_VERSION``).
"""

# whoosh3 private names used here (pinned whoosh3==3.54.0; tests/backends/whoosh/test_codec.py, test_bulkwrite.py check the behaviour):
#   whoosh.codec.whoosh3.W3Codec (self in CompactCodec): _blocklimit, _compression, _inlinelimit
#   whoosh.codec.whoosh3.W3LeafMatcher (self in CompactLeafMatcher): _compression, _data, _dataoffset, _fixedsize, _ids,
#       _nextoffset, _postfile, _read_data (overridden), _read_ids (overridden)
#   whoosh.codec.whoosh3.W3PerDocReader (self in CompactPerDocReader): _cached_reader
#   whoosh.codec.whoosh3.W3PerDocWriter (self in CompactPerDocWriter): _create_column (overridden, super)
#   whoosh.codec.whoosh3.W3PostingsWriter (self in CompactPostingsWriter): _blockcount, _byteids, _compression, _format,
#       _ids, _maxlength, _maxweight, _minlength, _new_block, _postfile, _terminfo, _values, _weights,
#       _write_block (overridden, super)

from __future__ import annotations

import io
import struct
import sys
import threading
import zlib
from array import array
from importlib.resources import files
from itertools import accumulate
from operator import sub
from dataclasses import dataclass
from pickle import dumps, load
from typing import Any

import numpy as np

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
)
from whoosh.columns import PickleColumn, VarBytesColumn
from whoosh.formats import Positions
from whoosh.system import emptybytes
from whoosh.util.numeric import length_to_byte

from ...errors import DamagedIndex

_LITTLE = sys.byteorder == "little"
# Block header: posting count, gaps' typecode, weights' kind and typecode, values' kind and
# lengths' typecode.
_HEADER = struct.Struct("<HcBcBc")
_FLOAT = struct.Struct("<f")

# Weights: all 1.0 (none stored), one float for all, integers, or floats.
_ONES, _SAME, _INTS, _FLOATS = range(4)
# Values: none, all of one size (joined), or of any size (lengths, then joined).
_NONE, _FIXED, _SIZED = range(3)


def narrow(numbers: Any) -> array:
    """``numbers`` (non-negative ints) in the narrowest unsigned array that holds them."""
    numbers = list(numbers)
    top = max(numbers, default=0)
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"
    return array(code, numbers)


def _bytes(numbers: array) -> bytes:
    if not _LITTLE:
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers.tobytes()


def _numbers(code: bytes, data: bytes | memoryview, start: int, count: int) -> tuple[array, int]:
    numbers = array(code.decode("ascii"))
    end = start + count * numbers.itemsize
    numbers.frombytes(data[start:end])
    if not _LITTLE:
        numbers.byteswap()
    return numbers, end


def encode_block(ids: Any, weights: Any, values: Any, fixedsize: int | None) -> bytes:
    """One block of postings: docnums ascending, their weights and encoded values (a list of
    bytes, or for a format of fixed-size values possibly their concatenation)."""
    if len(ids) == 1:
        return _encode_one(ids[0], weights[0], values, fixedsize)
    # The tests below run over every posting of every term written: in C (count, map, min/max)
    # rather than a generator step per posting, with the same outcome.
    gap_code, gaps = _narrowed(list(map(sub, ids, [0, *ids])))
    parts = [b"", gaps]
    count = len(weights)
    first = weights[0] if count else 1.0
    if count >= NUMPY_WEIGHTS and type(weights) is array and weights.typecode == "f":
        weight_kind, weight_code, weight_bytes = _float32_weights(weights)
        if weight_bytes:
            parts.append(weight_bytes)
    elif weights.count(1.0) == count:
        weight_kind, weight_code = _ONES, b"B"
    elif first == first and weights.count(first) == count:  # (NaN is unequal to itself)
        weight_kind, weight_code = _SAME, b"B"
        parts.append(_FLOAT.pack(first))
    elif all(map(float.is_integer, weights)) and min(weights) >= 0 and max(weights) < 1 << 32:
        weight_code, ints = _narrowed(list(map(int, weights)))
        weight_kind = _INTS
        parts.append(ints)
    else:
        weight_kind, weight_code = _FLOATS, b"f"
        parts.append(_bytes(array("f", weights)))
    if not values or fixedsize == 0:
        value_kind, length_code = _NONE, b"B"
    elif fixedsize is not None and fixedsize > 0:
        value_kind, length_code = _FIXED, b"B"
    else:
        length_code, lengths = _narrowed(list(map(len, values)))
        value_kind = _SIZED
        parts.append(lengths)
    if value_kind != _NONE:
        parts.append(values if isinstance(values, (bytes, bytearray)) else emptybytes.join(values))
    parts[0] = _HEADER.pack(len(ids), gap_code, weight_kind, weight_code, value_kind, length_code)
    return emptybytes.join(parts)


def _float32_weights(weights: array) -> tuple[int, bytes, bytes]:
    """The kind, typecode and bytes of a block's weights given as float32 (``array("f")``):
    :func:`encode_block`'s tests and conversions run with numpy, the same outcome."""
    found = np.frombuffer(weights, dtype=np.float32)
    first = float(found[0])
    if (found == 1.0).all():
        return _ONES, b"B", b""
    if first == first and (found == first).all():  # (NaN is unequal to itself)
        return _SAME, b"B", _FLOAT.pack(first)
    # float.is_integer() is False for infinities and NaN: np.floor keeps them.
    if np.isfinite(found).all() and (np.floor(found) == found).all():
        top = float(found.max())
        if found.min() >= 0 and top < 1 << 32:
            code = b"B" if top < 1 << 8 else b"H" if top < 1 << 16 else b"I"
            return _INTS, code, found.astype(_UNSIGNED[code]).tobytes()
    return _FLOATS, b"f", _bytes(weights)


#: Below this many postings a block's weights are tested in Python (numpy's calls cost more).
NUMPY_WEIGHTS = 64
_UNSIGNED = {b"B": np.dtype("<u1"), b"H": np.dtype("<u2"), b"I": np.dtype("<u4")}


def _narrowed(numbers: list[int]) -> tuple[bytes, bytes]:
    """The typecode and little-endian bytes of :func:`narrow` (numbers): the one-byte case,
    the most common, without an array (``bytes`` of a list is several times faster)."""
    top = max(numbers)
    if top < 1 << 8:
        return b"B", bytes(numbers)
    code = "H" if top < 1 << 16 else "I"
    return code.encode("ascii"), _bytes(array(code, numbers))


def _encode_one(docnum: int, weight: float, values: Any, fixedsize: int | None) -> bytes:
    """:func:`encode_block` of a single posting, the same bytes without the lists and arrays:
    most terms of a batch's segment are in one document."""
    gap_code, gap = _narrowest(docnum)
    if weight == 1.0:
        weight_kind, weight_code, weight_bytes = _ONES, b"B", b""
    elif weight == weight:  # one weight is "all the same" (NaN is unequal to itself)
        weight_kind, weight_code, weight_bytes = _SAME, b"B", _FLOAT.pack(weight)
    else:
        weight_kind, weight_code, weight_bytes = _FLOATS, b"f", _FLOAT.pack(weight)
    if not values or fixedsize == 0:
        header = _HEADER.pack(1, gap_code, weight_kind, weight_code, _NONE, b"B")
        return header + gap + weight_bytes
    if fixedsize is not None and fixedsize > 0:
        value = values if isinstance(values, (bytes, bytearray)) else emptybytes.join(values)
        return _HEADER.pack(1, gap_code, weight_kind, weight_code, _FIXED, b"B") + gap + weight_bytes + value
    value = values[0]
    length_code, length = _narrowest(len(value))
    return _HEADER.pack(1, gap_code, weight_kind, weight_code, _SIZED, length_code) + gap + weight_bytes + length + value


def _narrowest(number: int) -> tuple[bytes, bytes]:
    """The typecode and little-endian bytes of :func:`narrow` ([number])."""
    if number < 1 << 8:
        return b"B", number.to_bytes(1, "little")
    if number < 1 << 16:
        return b"H", number.to_bytes(2, "little")
    return b"I", number.to_bytes(4, "little")


def decode_block(data: bytes, fixedsize: int | None, values: bool = True) -> tuple[array, Any, Any]:
    """``(docnum gaps, weights, values)`` of a block, shaped as whoosh3's unpickled tuple
    (values None when not asked for: most searches need no positions)."""
    count, gap_code, weight_kind, weight_code, value_kind, length_code = _HEADER.unpack_from(data)
    gaps, offset = _numbers(gap_code, data, _HEADER.size, count)
    weights: Any = None
    if weight_kind == _SAME:
        weights = _FLOAT.unpack_from(data, offset)[0]
        offset += _FLOAT.size
    elif weight_kind in (_INTS, _FLOATS):
        numbers, offset = _numbers(weight_code, data, offset, count)
        weights = numbers if weight_kind == _FLOATS else array("f", numbers)
    if not values:
        return gaps, weights, None
    found: Any = () if fixedsize is None or fixedsize < 0 else None
    if value_kind == _FIXED:
        found = data[offset:]
    elif value_kind == _SIZED:
        lengths, offset = _numbers(length_code, data, offset, count)
        ends = list(accumulate(lengths, initial=offset))
        found = tuple(data[start:end] for start, end in zip(ends, ends[1:]))
    return gaps, weights, found


def extend_postings(data: bytes, fixedsize: int | None, base: int, ids: list[int], weights: list[float], values: Any) -> None:
    """Appends a block's postings to a term's lists (a merge reading its terms): docnums plus
    ``base``, weights as :func:`decode_block` gives them, values to a list of bytes or, for a
    fixed size, a bytearray. The same as decoding the block, without its arrays and tuples."""
    count, gap_code, weight_kind, weight_code, value_kind, length_code = _HEADER.unpack_from(data)
    if not _LITTLE:
        gaps, found_weights, found = decode_block(data, fixedsize)
    else:
        view = memoryview(data)
        offset = _HEADER.size + count * _SIZES[gap_code[0]]
        gaps = view[_HEADER.size : offset].cast(_FORMATS[gap_code[0]])
        if weight_kind == _ONES:
            found_weights = None
        elif weight_kind == _SAME:
            found_weights = _FLOAT.unpack_from(data, offset)[0]
            offset += _FLOAT.size
        else:
            end = offset + count * _SIZES[weight_code[0]]
            found_weights = view[offset:end].cast(_FORMATS[weight_code[0]])
            if weight_kind == _INTS:
                found_weights = array("f", found_weights)
            offset = end
        found = None
        if fixedsize is not None and fixedsize >= 0:
            if fixedsize and value_kind == _FIXED:
                found = data[offset:]
        elif value_kind == _SIZED:
            end = offset + count * _SIZES[length_code[0]]
            ends = list(accumulate(view[offset:end].cast(_FORMATS[length_code[0]]), initial=end))
            found = [data[start:stop] for start, stop in zip(ends, ends[1:])]
    ids += accumulate(gaps, initial=base)
    del ids[-count - 1]  # the base
    if found_weights is None:
        weights += [1.0] * count
    elif isinstance(found_weights, float):
        weights += [found_weights] * count
    else:
        weights += found_weights
    if found:
        values += found


def shift_block(data: bytes, shift: int) -> bytes:
    """A block (decompressed) with its docnums ``shift`` more: only its first gap, the block's
    first docnum, changes, and the gaps' width when that outgrows it (a merge copying a term's
    blocks as they are)."""
    count, gap_code = _HEADER.unpack_from(data)[:2]
    width = _SIZES[gap_code[0]]
    start = _HEADER.size
    first = int.from_bytes(data[start : start + width], "little") + shift
    if not first >> (8 * width):
        return b"".join((data[:start], first.to_bytes(width, "little"), data[start + width :]))
    gaps, end = _numbers(gap_code, data, start, count)
    gaps = narrow([first, *gaps[1:]])
    header = _HEADER.pack(count, gaps.typecode.encode("ascii"), *_HEADER.unpack_from(data)[2:])
    return b"".join((header, _bytes(gaps), data[end:]))


def value_bounds(data: bytes) -> tuple[array, array]:
    """The docnums (block-local, ascending) of a decompressed block of variable-size values (as
    positions always are) and where each posting's value starts and ends in ``data``: a phrase
    check reads a few postings' positions of a block, and slicing all 128 costs more."""
    count, gap_code, weight_kind, weight_code, value_kind, length_code = _HEADER.unpack_from(data)
    if value_kind != _SIZED:
        raise ValueError("not a block of variable-size values")
    gaps, offset = _numbers(gap_code, data, _HEADER.size, count)
    if weight_kind == _SAME:
        offset += _FLOAT.size
    elif weight_kind in (_INTS, _FLOATS):
        offset += count * _SIZES[weight_code[0]]
    lengths, offset = _numbers(length_code, data, offset, count)
    return array("I", accumulate(gaps)), array("I", accumulate(lengths, initial=offset))


def read_block(raw: bytes, compressed: Any, fixedsize: int | None, values: bool = True) -> tuple[array, Any, Any]:
    """:func:`decode_block` of a block as it lies in the postings file (zlib'd or not)."""
    return decode_block(zlib.decompress(raw) if compressed else bytes(raw), fixedsize, values)


@dataclass
class PostingList:
    """A term's postings in one segment, read whole by :func:`read_postings`: docnums (segment-
    local, ascending, int64), weights (float32), and per block where its bytes lie and its last
    docnum (for the positions a phrase reads later)."""

    ids: np.ndarray
    weights: np.ndarray
    #: Per block: (last docnum, data offset, data length, compressed).
    blocks: list[tuple[int, int, int, Any]]
    #: Per block, its number of postings.
    counts: np.ndarray


_BLOCK_LENGTH = struct.Struct("!i")
_GAP_TYPES = {ord(code): np.dtype(f"<u{array(code).itemsize}") for code in "BHI"}
_WEIGHT_TYPES = {**_GAP_TYPES, ord("f"): np.dtype("<f4")}


def read_postings(postfile: Any, start: int, length: int) -> PostingList | None:
    """Every posting of the term whose postings lie at ``start`` (``length`` bytes) in
    ``postfile``, as whole arrays: one read of the term's bytes, then per block only its header,
    its decompression and two array views; the docnums and weights are put together by numpy.
    None when a block is not one of :class:`CompactPostingsWriter` (term vectors' byte ids)."""
    raw = postfile.get(start, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise DamagedIndex(f"a postings list at offset {start} is damaged (no block tag); rebuild the index")
    stream = io.BytesIO(raw)
    gaps: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    blocks: list[tuple[int, int, int, Any]] = []
    position = 4
    while position < length:
        size = _BLOCK_LENGTH.unpack_from(raw, position)[0]
        end = position + 4 + abs(size)
        stream.seek(position + 4)
        count, last, _, compressed = load(stream)[:4]
        at = stream.tell()
        data = zlib.decompress(raw[at:end]) if compressed else raw[at:end]
        block = _HEADER.unpack_from(data)
        if block[0] != count or block[1][0] not in _GAP_TYPES:
            return None
        gaps.append(np.frombuffer(data, _GAP_TYPES[block[1][0]], count, _HEADER.size))
        weights.append(_block_weights(data, block, _HEADER.size + count * gaps[-1].itemsize))
        blocks.append((last, start + at, end - at, compressed))
        position = end
        if size < 0:
            break
    counts = np.fromiter((len(part) for part in gaps), dtype=np.int64, count=len(gaps))
    running = np.concatenate(gaps, dtype=np.int64).cumsum() if gaps else np.zeros(0, np.int64)
    # Each block's gaps start from 0: take off the sum of the blocks before it.
    before = np.repeat(np.concatenate(([0], running[np.cumsum(counts)[:-1] - 1])), counts)
    found = np.concatenate(weights, dtype=np.float32) if weights else np.zeros(0, np.float32)
    return PostingList(running - before, found, blocks, counts)


def _block_weights(data: bytes, header: tuple[Any, ...], offset: int) -> np.ndarray:
    count, _, kind, code = header[:4]
    if kind == _ONES:
        return np.ones(count, dtype=np.float32)
    if kind == _SAME:
        return np.full(count, _FLOAT.unpack_from(data, offset)[0], dtype=np.float32)
    return np.frombuffer(data, _WEIGHT_TYPES[code[0]], count, offset)


class CompactPostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        if self._byteids:  # term vectors (unused here) keep whoosh3's blocks
            super()._write_block(last)
            return
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = encode_block(self._ids, self._weights, self._values, self._format.fixed_value_size())
        comp = self._compression if len(databytes) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = dumps(
            (len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength), length_to_byte(self._maxlength)),
            2,
        )
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class CompactLeafMatcher(W3LeafMatcher):
    def _read_data(self) -> None:
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = read_block(data, self._compression, self._fixedsize)

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        self._ids = tuple(accumulate(self._data[0]))


#: zstd's compression level for stored articles: 3 (its default) is within 4 % of level 9's size on
#: OrangeSum for a sixth of the time.
STORED_LEVEL = 3
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class _Zstd(threading.local):
    """A zstd compressor and decompressor from the stored-articles dictionary, one pair a thread
    (zstandard's are not safe to share between threads), made at first use: zstandard is imported
    only when stored articles are read or written."""

    dictionary: Any = None

    def __init__(self) -> None:
        import zstandard

        if _Zstd.dictionary is None:
            _Zstd.dictionary = zstandard.ZstdCompressionDict(files(__package__).joinpath("data/stored.zstd").read_bytes())
        self.compressor = zstandard.ZstdCompressor(level=STORED_LEVEL, dict_data=_Zstd.dictionary, write_checksum=True)
        self.decompressor = zstandard.ZstdDecompressor(dict_data=_Zstd.dictionary)
        self.error = zstandard.ZstdError


_zstd: _Zstd | None = None


def _codecs() -> _Zstd:
    global _zstd  # noqa: PLW0603 - one thread-local holder, made at first use
    if _zstd is None:
        _zstd = _Zstd()
    return _zstd


class StoredDataError(DamagedIndex):
    """A stored article's bytes are damaged: they do not decompress, or fail their checksum."""


def compress_stored(data: bytes) -> bytes:
    return _codecs().compressor.compress(data)


def decompress_stored(data: bytes) -> bytes:
    if data[:4] == _ZSTD_MAGIC:
        zstd = _codecs()
        # A streaming decompressor checks the frame's checksum in every case (``decompress``
        # trusts a header that says the content is empty) and tells where the frame ends.
        frame = zstd.decompressor.decompressobj()
        try:
            out = frame.decompress(data)
        except zstd.error as error:
            raise StoredDataError(f"a stored article cannot be read ({error})") from None
        if not frame.eof or frame.unused_data:
            raise StoredDataError("a stored article cannot be read (cut short, or with bytes after its end)")
        return out
    return _decompress_zlib(data)


# The format before zstd: zlib from a preset dictionary of French words.
_STORED_DICTIONARY = files(__package__).joinpath("data/stored.zdict").read_bytes()


def _decompress_zlib(data: bytes) -> bytes:
    # A zlib stream from the preset dictionary is a 2-byte header, the dictionary's Adler-32, raw
    # deflate and the data's Adler-32. zlib checks the dictionary by summing its 32 KB again at
    # every call (9 of the ~28 µs an article takes): the stream is inflated raw here, after the
    # header and the dictionary's sum (computed once) are checked, and the data's sum after.
    # Anything else goes to zlib, which reads it or finds it damaged.
    if len(data) > 10 and data[0] == 0x78 and data[1] & _FDICT and (data[0] << 8 | data[1]) % 31 == 0:
        if data[2:6] == _DICTIONARY_ID:
            raw = zlib.decompressobj(-15, _STORED_DICTIONARY)
            try:
                out = raw.decompress(memoryview(data)[6:])
            except zlib.error:
                out = None
            if out is not None and raw.eof and raw.unused_data == zlib.adler32(out).to_bytes(4, "big"):
                return out
    decompressor = zlib.decompressobj(15, _STORED_DICTIONARY)
    try:
        out = decompressor.decompress(data) + decompressor.flush()
    except zlib.error as error:
        raise StoredDataError(f"a stored article cannot be read ({error})") from None
    if not decompressor.eof or decompressor.unused_data:
        raise StoredDataError("a stored article cannot be read (cut short, or with bytes after its end)")
    return out


_DICTIONARY_ID = zlib.adler32(_STORED_DICTIONARY).to_bytes(4, "big")
_FDICT = 0x20  # the header's flag: a preset dictionary's id follows


class StoredBytesColumn(VarBytesColumn):
    """Byte strings compressed one by one from the stored-articles dictionary."""

    def writer(self, dbfile: Any) -> Any:
        return self.Writer(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> Any:
        return self.Reader(dbfile, basepos, length, doccount)

    class Writer(VarBytesColumn.Writer):
        def add(self, docnum: int, v: bytes) -> None:
            VarBytesColumn.Writer.add(self, docnum, compress_stored(v))

    class Reader(VarBytesColumn.Reader):
        def __getitem__(self, docnum: int) -> bytes:
            v = VarBytesColumn.Reader.__getitem__(self, docnum)
            return decompress_stored(v) if v else v

        def __iter__(self) -> Any:
            for v in VarBytesColumn.Reader.__iter__(self):
                yield decompress_stored(v) if v else v

        def load(self) -> list[bytes]:
            return list(self)


STORED_COLUMN = PickleColumn(StoredBytesColumn())


class CompactPerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname: str, column: Any) -> None:
        super()._create_column(fieldname, STORED_COLUMN if fieldname == "_stored" else column)


class CompactPerDocReader(W3PerDocReader):
    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._cached_reader("_stored", STORED_COLUMN)[docnum] or {}


class CompactCodec(W3Codec):
    """W3 with :class:`CompactPostingsWriter` blocks and dictionary-compressed stored fields
    (see the module's docstring)."""

    def per_document_writer(self, storage: Any, segment: Any) -> W3PerDocWriter:
        return CompactPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> W3PerDocReader:
        return CompactPerDocReader(storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        return CompactPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        if isinstance(length, tuple):  # whoosh3's W3TermInfo.from_bytes keeps unpack_int's 1-tuple
            length = length[0]
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class CompactPositions(Positions):
    """Positions as their gaps in the narrowest array (a typecode byte, then the numbers)."""

    def encode(self, poslist: Any) -> bytes:
        # What narrow(delta_encode(poslist)) gives, without its generator and copies: this runs
        # for every posting indexed, and most words occur once in an article.
        if len(poslist) == 1:
            position = poslist[0]
            if position < 1 << 8:
                return _ONE_BYTE[position]
            if position < 1 << 16:
                return b"H" + position.to_bytes(2, "little")
            return b"I" + position.to_bytes(4, "little")
        gaps = list(map(sub, poslist, [0, *poslist]))
        top = max(gaps)
        if top < 1 << 8:
            return b"B" + bytes(gaps)
        code = "H" if top < 1 << 16 else "I"
        return code.encode("ascii") + _bytes(array(code, gaps))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        size = len(valuestring)
        if size == 2:  # one position below 256 (a "B" and one gap): most words stand once in a title
            return [valuestring[1]]
        if size == 3 and valuestring[0] == _H:  # one position below 65,536, as most in a text
            return [valuestring[1] | valuestring[2] << 8]
        if _LITTLE:  # the gaps are little-endian: read in place (a phrase check reads thousands)
            return list(accumulate(memoryview(valuestring)[1:].cast(chr(valuestring[0]))))
        gaps, _ = _numbers(valuestring[:1], valuestring, 1, (len(valuestring) - 1) // _SIZES[valuestring[0]])
        return list(accumulate(gaps))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // _SIZES[valuestring[0]]


_SIZES = {ord(code): array(code).itemsize for code in "BHIf"}
_H = ord("H")
_FORMATS = {ord(code): code for code in "BHIf"}  # typecode byte → memoryview.cast format
_ONE_BYTE = [b"B" + bytes([position]) for position in range(1 << 8)]

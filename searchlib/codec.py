"""Whoosh's W3 index format with compact posting blocks and compact positions.

whoosh3 writes each block of up to 128 postings as a pickled tuple — the docnum gaps as Python
ints, the weights as 9-byte floats, each posting's positions as a bytes object of its own (a
4-byte count and a pickled list) — and compresses that with zlib. On OrangeSum the ``text``
field's postings took 16.7 bytes each. Here a block is fixed-width arrays (gaps, integral weights,
value lengths, each in the narrowest of 1, 2 or 4 bytes) followed by the values joined into one
bytes string, then compressed; positions are their gaps in the same narrow arrays.

Stored fields are compressed per article as in W3, but from a preset dictionary of French news
words (``data/stored.zdict``, made by ``scripts/make_stored_dictionary.py``): 0.45 of their
pickled size instead of 0.55 on OrangeSum, for about 20 µs more per article written.

Everything else is W3 unchanged: the term dictionary, block headers, the other columns.
The codec and format are pickled into the index (a segment keeps its codec, a field its format):
these class paths, and the dictionary's bytes, are on-disk format (see ``schema.SCHEMA_VERSION``).
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from importlib.resources import files
from itertools import accumulate
from operator import sub
from pickle import dumps
from typing import Any

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
from whoosh.util.numlists import delta_encode

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
    gaps = narrow(delta_encode(ids))
    parts = [b"", _bytes(gaps)]
    if all(w == 1.0 for w in weights):
        weight_kind, weight_code = _ONES, b"B"
    elif all(w == weights[0] for w in weights):
        weight_kind, weight_code = _SAME, b"B"
        parts.append(_FLOAT.pack(weights[0]))
    elif all(w.is_integer() and 0 <= w < 1 << 32 for w in weights):
        ints = narrow([int(w) for w in weights])
        weight_kind, weight_code = _INTS, ints.typecode.encode("ascii")
        parts.append(_bytes(ints))
    else:
        weight_kind, weight_code = _FLOATS, b"f"
        parts.append(_bytes(array("f", weights)))
    if not values or fixedsize == 0:
        value_kind, length_code = _NONE, b"B"
    elif fixedsize is not None and fixedsize > 0:
        value_kind, length_code = _FIXED, b"B"
    else:
        lengths = narrow([len(v) for v in values])
        value_kind, length_code = _SIZED, lengths.typecode.encode("ascii")
        parts.append(_bytes(lengths))
    if value_kind != _NONE:
        parts.append(values if isinstance(values, (bytes, bytearray)) else emptybytes.join(values))
    parts[0] = _HEADER.pack(len(ids), gaps.typecode.encode("ascii"), weight_kind, weight_code, value_kind, length_code)
    return emptybytes.join(parts)


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


_STORED_DICTIONARY = files(__package__).joinpath("data/stored.zdict").read_bytes()
# Priming a compressor hashes the whole dictionary (about 100 µs); copying a primed one is cheap.
_PRIMED = zlib.compressobj(3, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, _STORED_DICTIONARY)


def compress_stored(data: bytes) -> bytes:
    compressor = _PRIMED.copy()
    return compressor.compress(data) + compressor.flush()


def decompress_stored(data: bytes) -> bytes:
    # A zlib stream from the preset dictionary is a 2-byte header, the dictionary's Adler-32, raw
    # deflate and the data's Adler-32. zlib checks the dictionary by summing its 32 KB again at
    # every call (9 of the ~28 µs an article takes): the stream is inflated raw here, after the
    # header and the dictionary's sum (computed once) are checked, and the data's sum after.
    # Anything else, a damaged stream included, goes to zlib as before (same result or error).
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
    return decompressor.decompress(data) + decompressor.flush()


_DICTIONARY_ID = zlib.adler32(_STORED_DICTIONARY).to_bytes(4, "big")
_FDICT = 0x20  # the header's flag: a preset dictionary's id follows


class StoredBytesColumn(VarBytesColumn):
    """Byte strings compressed one by one from the preset dictionary."""

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
        if _LITTLE:  # the gaps are little-endian: read in place (a phrase check reads thousands)
            return list(accumulate(memoryview(valuestring)[1:].cast(chr(valuestring[0]))))
        gaps, _ = _numbers(valuestring[:1], valuestring, 1, (len(valuestring) - 1) // _SIZES[valuestring[0]])
        return list(accumulate(gaps))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // _SIZES[valuestring[0]]


_SIZES = {ord(code): array(code).itemsize for code in "BHIf"}
_ONE_BYTE = [b"B" + bytes([position]) for position in range(1 << 8)]

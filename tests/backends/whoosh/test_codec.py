"""The index's compact format (searchlib/backends/whoosh/codec.py): what is written is read back exactly."""

from __future__ import annotations

import sys
import zlib
from array import array
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.util.numlists import delta_encode

from searchlib import Archive, Article
from searchlib.backends.whoosh import codec
from searchlib.backends.whoosh.codec import _STORED_DICTIONARY as STORED_DICTIONARY
from searchlib.backends.whoosh.codec import (
    CompactPositions,
    StoredDataError,
    compress_stored,
    decode_block,
    decompress_stored,
    encode_block,
    extend_postings,
    narrow,
    shift_block,
    value_bounds,
)

docnums = st.lists(st.integers(0, 2**31), min_size=1, max_size=128, unique=True).map(sorted)


def _weights(wt: object, count: int) -> list[float]:
    if wt is None:
        return [1.0] * count
    if isinstance(wt, float):
        return [wt] * count
    return list(wt)  # type: ignore[call-overload]


@settings(max_examples=300, deadline=None)
@given(ids=docnums, data=st.data())
def test_a_block_reads_back_its_docnums_weights_and_values(ids: list[int], data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["ones", "same", "ints", "floats"]))
    weight = {"ones": st.just(1.0), "same": st.just(2.5), "ints": st.integers(0, 100_000).map(float),
              "floats": st.floats(0, 1000, width=32)}[kind]
    weights = array("f", data.draw(st.lists(weight, min_size=len(ids), max_size=len(ids))))
    fixedsize = data.draw(st.sampled_from([None, 0, 4]))
    size = st.integers(1, 300) if fixedsize is None else st.just(fixedsize or 0)
    values = [] if fixedsize == 0 else [data.draw(st.binary(min_size=n, max_size=n))
                                        for n in data.draw(st.lists(size, min_size=len(ids), max_size=len(ids)))]
    gaps, read_weights, read_values = decode_block(encode_block(array("I", ids), weights, values, fixedsize), fixedsize)
    assert list(accumulate(gaps)) == ids
    assert _weights(read_weights, len(ids)) == list(weights)
    if fixedsize is None:
        assert list(read_values) == values
        # What a phrase check reads: one posting's value, found without slicing the others.
        block = encode_block(array("I", ids), weights, values, fixedsize)
        local, ends = value_bounds(block)  # type: ignore[misc]
        assert list(local) == ids
        assert [block[start:end] for start, end in zip(ends, ends[1:])] == values
    elif fixedsize:
        assert read_values == b"".join(values)


@pytest.mark.equivalence
@given(
    st.lists(st.integers(0, 2**31), min_size=1, max_size=60, unique=True).map(sorted)
    | st.lists(st.integers(0, 300), min_size=1, max_size=3, unique=True).map(sorted)
    | st.sampled_from([0, 255, 256, 65_535, 65_536]).map(lambda position: [position])  # one of each width
)
def test_positions_read_back(positions: list[int]) -> None:
    encoded = CompactPositions().encode(positions)
    gaps = narrow(delta_encode(positions))  # the format: a typecode, then the gaps, little-endian
    assert encoded == gaps.typecode.encode("ascii") + (gaps if sys.byteorder == "little" else _swapped(gaps)).tobytes()
    assert CompactPositions().decode_positions(encoded) == positions
    assert CompactPositions().decode_frequency(encoded) == len(positions)


def _swapped(numbers: array) -> array:
    numbers = array(numbers.typecode, numbers)
    numbers.byteswap()
    return numbers


@given(st.binary(max_size=5000))
def test_stored_bytes_read_back(data: bytes) -> None:
    assert decompress_stored(compress_stored(data)) == data


def _zlib_stream(data: bytes) -> bytes:
    """``data`` as searchlib stored it before zstd: zlib from the preset dictionary of French words."""
    compressor = zlib.compressobj(3, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, STORED_DICTIONARY)
    return compressor.compress(data) + compressor.flush()


@given(st.binary(max_size=5000))
def test_stored_bytes_of_the_zlib_format_still_read(data: bytes) -> None:
    assert decompress_stored(_zlib_stream(data)) == data


@pytest.mark.parametrize("compress", [compress_stored, _zlib_stream], ids=["zstd", "zlib"])
@settings(max_examples=300)
@given(data=st.binary(max_size=3000), draw=st.data())
def test_damaged_stored_bytes_are_an_error_never_other_bytes(compress: Any, data: bytes, draw: st.DataObject) -> None:
    stream = bytearray(compress(data))
    cut = draw.draw(st.integers(1, len(stream) - 1))  # nothing at all is an empty value, not a stream
    flipped = draw.draw(st.integers(0, len(stream) - 1))
    bit = 1 << draw.draw(st.integers(0, 7))
    for damaged in (bytes(stream[:cut]), bytes(stream) + b"x", bytes(stream[:flipped]) + bytes([stream[flipped] ^ bit]) + bytes(stream[flipped + 1 :])):
        try:
            assert decompress_stored(damaged) == data
        except StoredDataError:
            pass


def test_an_archive_written_in_the_zlib_format_reads_and_merges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = [Article(id=f"a{n}", title=f"Pékin n°{n}", body="Œuvre d'art à Zürich. " * (n + 1)) for n in range(10)]
    with monkeypatch.context() as before_zstd:
        before_zstd.setattr(codec, "compress_stored", _zlib_stream)
        with Archive(tmp_path / "index") as archive:
            archive.add_many(written[:5])
    with Archive(tmp_path / "index") as archive:
        archive.add_many(written[5:])
        assert [archive.get(f"a{n}") for n in range(10)] == written
        with archive._backend._batch() as merging:  # the merge rewrites the old segment's articles with zstd
            merging.commit(merge=True)
        assert [archive.get(f"a{n}") for n in range(10)] == written
        assert archive.check() == []


def test_articles_read_back_whole_after_a_merge(tmp_path: Path) -> None:
    written = [
        Article(id=f"a{n}", title=f"Pékin n°{n} — « sécurité »", body="Œuvre d'art à Zürich. " * (n + 1), source="AFP")
        for n in range(40)
    ]
    with Archive(tmp_path / "index") as archive:
        archive.add_many(written[:20])
        archive.add_many(written[20:])
        with archive._backend._batch() as merging:  # what index_paths does after a large run
            merging.commit(merge=True)
        assert archive._backend._searcher().reader().is_atomic()
        assert [archive.get(f"a{n}") for n in range(40)] == written
        assert archive.search('"sécurité"').total == 40


@pytest.mark.equivalence
@settings(max_examples=200, deadline=None)
@given(ids=docnums, data=st.data())
def test_a_blocks_float32_weights_are_encoded_alike_with_or_without_numpy(ids: list[int], data: st.DataObject) -> None:
    special = st.sampled_from([0.0, -0.0, 1.0, 3.0, 2.0**24, 2.0**32, -1.0, float("inf"), float("nan")])
    weight = data.draw(st.sampled_from([st.just(1.0), st.just(2.5), st.integers(0, 2**32).map(float),
                                        st.floats(width=32), special]))
    weights = array("f", data.draw(st.lists(weight, min_size=len(ids), max_size=len(ids))))
    values = [b"v"] * len(ids)
    expected = codec.encode_block(ids, weights, values, None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codec, "NUMPY_WEIGHTS", 2)
        assert codec.encode_block(ids, weights, values, None) == expected


@pytest.mark.equivalence
@settings(max_examples=200, deadline=None)
@given(ids=docnums.filter(lambda ids: ids[-1] < 2**31), shift=st.sampled_from([0, 1, 200, 300, 70_000, 2**31]),
       fixedsize=st.sampled_from([None, 0, 4]))
def test_a_block_shifted_is_the_block_of_the_shifted_docnums(ids: list[int], shift: int, fixedsize: int | None) -> None:
    weights = array("f", [float(n % 3) for n in range(len(ids))])
    values = [] if fixedsize == 0 else [bytes([n % 256]) * (fixedsize or 1 + n % 5) for n in range(len(ids))]
    block = encode_block(ids, weights, values, fixedsize)
    assert shift_block(block, shift) == encode_block([d + shift for d in ids], weights, values, fixedsize)
    # A merge reads it back into a term's lists as decode_block reads it.
    read: tuple[list[int], list[float], Any] = ([7], [0.5], bytearray(b"x") if fixedsize else [b"x"])
    extend_postings(block, fixedsize, shift, *read)
    gaps, read_weights, read_values = decode_block(block, fixedsize)
    assert read[0] == [7, *(d + shift for d in accumulate(gaps))]
    assert read[1] == [0.5, *_weights(read_weights, len(ids))]
    if fixedsize is None:
        assert read[2] == [b"x", *read_values]
    elif fixedsize:
        assert read[2] == b"x" + read_values

"""The bulk writer writes what Whoosh's own writer writes, and merges what Whoosh's merges."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from searchlib import Archive
from searchlib.bulkwrite import BulkWriter
from searchlib.codec import CompactCodec
from searchlib.models import Article
from searchlib.schema import build_schema, to_document
from searchlib.sources import read_file

from .conftest import SAMPLES


def _documents() -> list[dict[str, Any]]:
    articles = [a for a in read_file(SAMPLES / "wikinews_fr_sample.jsonl") if isinstance(a, Article)][:40]
    # Many short variants too: posting lists of several blocks (128 postings), equal weights.
    extra = [Article(id=f"x{n}", title=f"Dépêche {n}", body=f"Pékin, le {n}. " + "Mot répété. " * (n % 7)) for n in range(200)]
    return [to_document(a) for a in articles + extra]


def _build(folder: Path, writer: Callable[..., Any], batches: int, delete: bool, **options: Any) -> dict[str, str]:
    """Writes the documents in ``batches`` commits (deleting one of them on the way), merges them,
    and returns a digest of each file of the merged segment by its kind."""
    ix = FileStorage(str(folder)).create_index(build_schema(), indexname="t")
    documents = _documents()
    size = len(documents) // batches + 1
    for b in range(batches):
        w = writer(ix, compound=False, codec=CompactCodec(), **options)
        for document in documents[b * size : (b + 1) * size]:
            w.add_document(**document)
        if delete and b == 1:
            w.delete_by_term("id", documents[3]["id"])
        w.commit(merge=False)
    writer(ix, compound=False, codec=CompactCodec()).commit(optimize=True)
    return {
        f.name.split(".", 1)[1]: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in folder.iterdir()
        if f.suffix in (".trm", ".pst", ".col")
    }


@pytest.mark.parametrize(("batches", "delete"), [(1, False), (3, False), (4, True)])
def test_segments_are_byte_for_byte_those_of_whooshs_writer(tmp_path: Path, batches: int, delete: bool) -> None:
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "bulk").mkdir()
    expected = _build(tmp_path / "whoosh", SegmentWriter, batches, delete)
    assert _build(tmp_path / "bulk", BulkWriter, batches, delete) == expected


def test_a_writer_out_of_memory_starts_a_new_segment_committed_with_the_others(tmp_path: Path) -> None:
    ix = FileStorage(str(tmp_path)).create_index(build_schema(), indexname="t")
    documents = _documents()
    writer = BulkWriter(ix, limitmb=0, compound=False)  # every document fills the memory
    for document in documents[:5]:
        writer.add_document(**document)
    assert ix.doc_count() == 0  # nothing is committed before the commit
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 5
        assert len(searcher.reader().leaf_readers()) >= 4
        assert {searcher.stored_fields(d)["id"] for d in range(5)} == {d["id"] for d in documents[:5]}


def test_documents_added_then_segments_merged_in_one_commit(tmp_path: Path) -> None:
    """Whoosh's default merge policy merges small segments into the writer after its documents."""
    with Archive(tmp_path / "ix") as archive:
        for n in range(8):
            archive.add(Article(id=f"a{n}", title=f"Dépêche {n} de Pékin", body=f"Pékin, le {n}."))
        assert archive.search("pekin", limit=20).total == 8
        assert [hit.id for hit in archive.search("dépêche 5").hits][:1] == ["a5"]
        assert archive.check() == []


def test_a_document_that_fails_half_way_leaves_no_postings(tmp_path: Path) -> None:
    ix = FileStorage(str(tmp_path)).create_index(build_schema(), indexname="t")
    writer = BulkWriter(ix, compound=False)
    writer.add_document(id="a", title="Pékin", text="Pékin")
    with pytest.raises(ValueError):
        writer.add_document(id="b", title="Pékin", text="Pékin", date="not a date")
    writer.add_document(id="c", title="Pékin", text="Pékin")
    writer.commit()
    with ix.searcher() as searcher:
        assert [searcher.stored_fields(d)["id"] for d in searcher.reader().postings("title", b"pekin").all_ids()] == ["a", "c"]


@pytest.mark.parametrize("batch_size", [50, 1000])
def test_a_first_build_ends_with_compressed_postings(tmp_path: Path, batch_size: int) -> None:
    """Its batches are written without zlib for the final merge, which compresses them."""
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([SAMPLES / "wikinews_fr_sample.jsonl"], batch_size=batch_size)
        reader = archive._ix.reader()
        try:
            assert reader.is_atomic()
            compressed = {bool(reader.postings("text", term)._compression) for term in reader.lexicon("text")}
        finally:
            reader.close()
        assert True in compressed
        assert archive.search("valence").total >= 1

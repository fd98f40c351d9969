"""The bulk writer writes what Whoosh's own writer writes, and merges what Whoosh's merges."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from searchlib import Archive
from searchlib.backends.whoosh import bulkwrite
from searchlib.backends.whoosh.bulkwrite import BulkWriter
from searchlib.errors import IndexWriteError
from searchlib.backends.whoosh.codec import CompactCodec
from searchlib.backends.whoosh.writing import ParallelWriter
from searchlib.models import Article
from searchlib.backends.whoosh.schema import build_schema, to_document
from searchlib.ingest.sources import read_file

from tests.conftest import SAMPLES
from tests.corpora import shared_articles


def _documents(corpus: str = "samples") -> list[dict[str, Any]]:
    if corpus == "shared":
        articles = list(shared_articles())
    else:
        articles = [a for a in read_file(SAMPLES / "wikinews_fr_sample.jsonl") if isinstance(a, Article)][:40]
    # Many short variants too: posting lists of several blocks (128 postings), equal weights.
    extra = [Article(id=f"x{n}", title=f"Dépêche {n}", body=f"Pékin, le {n}. " + "Mot répété. " * (n % 7)) for n in range(200)]
    return [to_document(a) for a in articles + extra]


def _build(
    folder: Path,
    writer: Callable[..., Any],
    batches: int,
    delete: bool,
    merge: dict[str, Any] | None = None,
    merger: Callable[..., Any] | None = None,
    corpus: str = "samples",
    **options: Any,
) -> dict[str, Any]:
    """Writes the documents of ``corpus`` in ``batches`` commits (deleting one of them on the way),
    merges them (with ``merger``, by default the same writer), and returns a digest of each file
    of the merged segment by its kind."""
    ix = FileStorage(str(folder)).create_index(build_schema(), indexname="t")
    documents = _documents(corpus)
    size = len(documents) // batches + 1
    for b in range(batches):
        w = writer(ix, compound=False, codec=CompactCodec(), **options)
        for document in documents[b * size : (b + 1) * size]:
            w.add_document(**document)
        if delete and b == 1:
            w.delete_by_term("id", documents[3]["id"])
        w.commit(merge=False)
    (merger or writer)(ix, compound=False, codec=CompactCodec(), **(merge or {})).commit(optimize=True)
    digests: dict[str, Any] = {
        f.name.split(".", 1)[1]: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in folder.iterdir()
        if f.suffix in (".trm", ".pst", ".col")
    }
    # Stored fields are compared as what they hold: Whoosh's merge pickles each document's
    # fields again in the order of a set of names (which changes with PYTHONHASHSEED), the bulk
    # writer copies the pickles as they were written.
    with ix.searcher() as searcher:
        digests["_stored.col"] = [searcher.stored_fields(d) for d in range(searcher.doc_count_all())]
    return digests


@pytest.mark.equivalence
@pytest.mark.parametrize(("batches", "delete"), [(1, False), (3, False), (4, True)])
def test_segments_are_byte_for_byte_those_of_whooshs_writer(tmp_path: Path, corpus: str, batches: int, delete: bool) -> None:
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "bulk").mkdir()
    expected = _build(tmp_path / "whoosh", SegmentWriter, batches, delete, corpus=corpus)
    assert _build(tmp_path / "bulk", BulkWriter, batches, delete, corpus=corpus) == expected


@pytest.mark.equivalence
@pytest.mark.parametrize("delete", [False, True])
def test_segments_of_whooshs_writer_merged_are_those_of_whooshs_merge(tmp_path: Path, corpus: str, delete: bool) -> None:
    # The merge copies the blocks of a term in one segment (its docnums shifted) instead of
    # decoding them: blocks that Whoosh's writer wrote too.
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "bulk").mkdir()
    expected = _build(tmp_path / "whoosh", SegmentWriter, 4, delete, corpus=corpus)
    assert _build(tmp_path / "bulk", SegmentWriter, 4, delete, merger=BulkWriter, corpus=corpus) == expected


@pytest.mark.equivalence
@pytest.mark.parametrize(("procs", "delete"), [(2, False), (3, True)])
def test_a_merge_written_by_several_processes_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: str, procs: int, delete: bool
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "several").mkdir()
    expected = _build(tmp_path / "one", BulkWriter, 4, delete, corpus=corpus)
    monkeypatch.setattr(bulkwrite, "PARALLEL_MIN_WORK", 0)  # however small the merge
    monkeypatch.setattr(bulkwrite, "SAMPLES", 7)
    splits: list[Any] = []
    split_keys = BulkWriter._split_keys
    monkeypatch.setattr(BulkWriter, "_split_keys", lambda self, fields: splits.append(split_keys(self, fields)) or splits[-1])
    assert _build(tmp_path / "several", BulkWriter, 4, delete, merge={"procs": procs}, corpus=corpus) == expected
    assert len(splits[-1]) == procs - 1  # the final merge was cut into ranges


@pytest.mark.slow
def test_a_merge_whose_other_process_dies_commits_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([SAMPLES / "wikinews_fr_sample.jsonl"], batch_size=50)
        archive.add(Article(id="more", title="Un de plus", body="Pékin."))  # two segments now
        before = archive._backend._ix.latest_generation()
        monkeypatch.setattr(bulkwrite, "PARALLEL_MIN_WORK", 0)
        monkeypatch.setattr(bulkwrite._RangeWriter, "_run", staticmethod(lambda *args: os._exit(3)))
        with pytest.raises(IndexWriteError, match="exit code 3"), archive._backend._batch(merge_jobs=2) as merging:
            merging.commit(merge=True)
        assert archive._backend._ix.latest_generation() == before
        assert len(archive) == 200 and archive.check() == []
        assert archive.search("pekin").total >= 1


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


def test_workers_out_of_memory_commit_every_segment_they_closed(tmp_path: Path) -> None:
    # A worker whose memory fills up returns more segments than one: the batch is whole, not refused
    # (at 336,880 articles, runs failed with "an indexing worker process failed (exit codes 0, 0)").
    ix = FileStorage(str(tmp_path)).create_index(build_schema(), indexname="t")
    documents = _documents()[:12]
    writer = ParallelWriter(ix, 2, limitmb=0, compound=False)  # every document fills a worker's memory
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 12
        assert {searcher.stored_fields(d)["id"] for d in range(12)} == {d["id"] for d in documents}


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
        reader = archive._backend._ix.reader()
        try:
            assert reader.is_atomic()
            compressed = {bool(reader.postings("text", term)._compression) for term in reader.lexicon("text")}
        finally:
            reader.close()
        assert True in compressed
        assert archive.search("valence").total >= 1


def test_a_merge_of_many_segments_reads_through_smaller_windows() -> None:
    # A first build of 100,000 articles merges ~100 batch segments at its end: with a megabyte
    # read window per file of each, every merging process held 200 MB more (peak 1.05 GB).
    assert bulkwrite.window_size(2) == bulkwrite.MAX_WINDOW
    for segments in (100, 300):
        assert 2 * segments * bulkwrite.window_size(segments) <= bulkwrite.WINDOWS_BYTES
    assert bulkwrite.window_size(100_000) == bulkwrite.MIN_WINDOW


def test_the_writer_remembers_only_the_values_that_repeat(tmp_path: Path) -> None:
    """The postings of a date or a section are computed once and reused; a title's every word, which
    rarely repeats, is not kept (it would fill the memory for nothing)."""
    import datetime as dt

    ix = FileStorage(str(tmp_path)).create_index(build_schema(), indexname="t")
    writer = BulkWriter(ix, compound=False, codec=CompactCodec())
    for n in range(bulkwrite.VALUE_TRIAL + 200):
        article = Article(id=f"a{n}", title=f"Dépêche numéro {n}", body="Pékin.", date=dt.date(2023, 1, 1 + n % 3), section="monde")
        writer.add_document(**to_document(article))
    remembered = {field for field, _ in writer._value_postings}
    assert remembered == {"date", "section"} and "title_all_words" in writer._unrepeated
    assert len(writer._value_postings) == 3 + 1
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.doc_frequency("section", "monde") == bulkwrite.VALUE_TRIAL + 200
        assert searcher.doc_frequency("title_words", "depeche") == bulkwrite.VALUE_TRIAL + 200

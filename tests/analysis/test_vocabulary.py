"""The archive's words as written, kept beside the index for "did you mean" and fuzzy terms."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from searchlib import Archive, Article
from searchlib.analysis.vocabulary import HEADER, MAX_CHUNKS, Vocabulary, _chunks, vocabulary_of
from searchlib.backends.whoosh.words import add_words, file_name, load


def _articles(prefix: str, body: str, n: int) -> list[Article]:
    return [Article(id=f"{prefix}{i}", title=f"Article {i}", body=body) for i in range(n)]


def test_words_are_counted_by_article_folded_and_as_written() -> None:
    words = vocabulary_of(["Pékin, Pékin et Pékin", "Les cyberattaques visent Pékin"])
    assert words.articles == 2
    assert words.frequency("pekin") == 2  # articles, not occurrences
    assert words.frequency("cyberattaques") == 1  # as written: not the stem "cyberattaqu"
    assert words.frequency("Pékin") == 0
    assert words.words() == sorted(words.counts)


def test_a_vocabulary_survives_its_bytes() -> None:
    words = vocabulary_of(["L'État et l'Élysée", "Ça coûte 100 euros", "Œuvre d'art à Zürich"])
    again = Vocabulary.from_bytes(words.to_bytes())
    assert (again.counts, again.articles) == (words.counts, words.articles)
    assert Vocabulary.from_bytes(Vocabulary().to_bytes()).counts == {}


def test_words_of_later_runs_add_up_and_outlive_the_process(tmp_path: Path) -> None:
    with Archive(tmp_path / "index") as archive:
        archive.add_many(_articles("a", "Une cyberattaque visait Pékin.", 30))
    with Archive(tmp_path / "index") as archive:
        archive.add_many(_articles("b", "Le ministre Shangfu à Pékin.", 30))
    with Archive.open(tmp_path / "index") as archive:
        assert archive.search("cyebrattaque").suggestion == "cyberattaque"
        assert archive.search("Shangfou").suggestion == "Shangfu"
        words = archive._backend.view().vocabulary()
        assert (words.frequency("pekin"), words.articles) == (60, 60)


def test_unchanged_articles_are_not_counted_twice(tmp_path: Path) -> None:
    with Archive(tmp_path / "index") as archive:
        archive.add_many(_articles("a", "Une cyberattaque visait Pékin.", 5))
        archive.add_many(_articles("a", "Une cyberattaque visait Pékin.", 5))  # same articles again
        assert archive._backend.view().vocabulary().frequency("pekin") == 5


def test_a_search_after_a_commit_sees_the_new_words() -> None:
    archive = Archive.in_memory()
    archive.add_many(_articles("a", "Une cyberattaque visait Pékin.", 30))
    assert archive.search("Shangfou").suggestion is None
    archive.add_many(_articles("b", "Le ministre Shangfu à Pékin.", 30))
    assert archive.search("Shangfou").suggestion == "Shangfu"


def test_a_rebuild_leaves_only_the_new_index_words(tmp_path: Path) -> None:
    source = tmp_path / "articles.txt"
    source.write_text("Pékin sous la pollution\n\nUne alerte rouge est déclenchée à Pékin.\n", encoding="utf-8")
    with Archive(tmp_path / "index") as archive:
        archive.index_paths([source])
    Archive.rebuild(tmp_path / "index")
    word_files = [p.name for p in (tmp_path / "index").iterdir() if p.name.endswith(file_name(""))]
    assert len(word_files) == 1
    with Archive.open(tmp_path / "index") as archive:
        assert archive._backend.view().vocabulary().frequency("pollution") == 1


def _saved_chunks(index: Path) -> list[bytes]:
    (words_file,) = [p for p in index.iterdir() if p.name.endswith(file_name(""))]
    return _chunks(words_file.read_bytes())[0]


def test_each_commit_appends_its_words_and_the_run_ends_with_one_list(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    lines = [json.dumps({"id": f"a{i}", "title": f"Titre {i}", "body": f"Pékin mot{i} et Shangfu."}) for i in range(25)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Archive(tmp_path / "index") as archive:
        batches = archive.index_paths([source], batch_size=10)
        assert batches.batches == 3
        assert len(_saved_chunks(tmp_path / "index")) == 1  # the three appended chunks, rewritten as one
        words = archive._backend.view().vocabulary()
        assert (words.frequency("pekin"), words.frequency("mot7"), words.articles) == (25, 1, 25)
        archive.add_many(_articles("b", "Le ministre Shangfu à Pékin.", 4))
        archive.add_many(_articles("c", "Une cyberattaque visait Pékin.", 6))
        assert len(_saved_chunks(tmp_path / "index")) == 3
    with Archive.open(tmp_path / "index") as archive:
        words = archive._backend.view().vocabulary()
        assert (words.frequency("pekin"), words.frequency("shangfu"), words.articles) == (35, 29, 35)


def test_a_chunk_cut_short_by_a_crash_is_ignored_then_replaced(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path))
    add_words(storage, "ix", {"pekin": 2, "alerte": 1}, 2)
    add_words(storage, "ix", {"pekin": 1}, 1)
    path = tmp_path / file_name("ix")
    whole = path.read_bytes()
    path.write_bytes(whole[:-5])  # the second append, cut short
    assert load(storage, "ix").counts == {"pekin": 2, "alerte": 1}
    add_words(storage, "ix", {"rouge": 1}, 1)
    again = load(storage, "ix")
    assert (again.counts, again.articles) == ({"pekin": 2, "alerte": 1, "rouge": 1}, 3)


def test_a_list_of_the_first_format_is_read_and_added_to(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path))
    path = tmp_path / file_name("ix")
    path.write_bytes(zlib.compress("4\npekin\t3\nalerte\t1".encode()))  # one zlib stream, no header
    assert load(storage, "ix").counts == {"pekin": 3, "alerte": 1}
    add_words(storage, "ix", {"pekin": 1}, 1)
    assert path.read_bytes().startswith(HEADER)
    again = load(storage, "ix")
    assert (again.counts, again.articles) == ({"pekin": 4, "alerte": 1}, 5)


def test_appends_past_the_limit_are_rewritten_as_one_list(tmp_path: Path) -> None:
    storage = FileStorage(str(tmp_path))
    for i in range(MAX_CHUNKS + 1):
        add_words(storage, "ix", {"pekin": 1, f"mot{i}": 1}, 1)
    chunks = _chunks((tmp_path / file_name("ix")).read_bytes())[0]
    assert len(chunks) < MAX_CHUNKS
    words = load(storage, "ix")
    assert (words.frequency("pekin"), len(words.counts), words.articles) == (MAX_CHUNKS + 1, MAX_CHUNKS + 2, MAX_CHUNKS + 1)

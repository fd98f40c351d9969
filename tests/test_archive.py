"""The Python API (searchlib.archive), as an app embedding searchlib uses it: adding, searching, re-indexing,
rebuilding, damaged indexes, many threads, similar articles."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from searchlib import Archive, Article, ArticleNotFound, EmptyQuery, IncompatibleIndex, IndexNotFound
from searchlib.errors import DamagedIndex
from tests.conftest import SAMPLES
from tests.corpora import archive_folder, articles, write_jsonl


@pytest.fixture(scope="module")
def samples_archive(backend: str, tmp_path_factory: pytest.TempPathFactory, new_archive: Callable[[], Archive]) -> Archive:
    # On disk on the embedded engine: an in-memory archive keeps no file catalog for copy_to to carry.
    archive = Archive(tmp_path_factory.mktemp("samples") / "index") if backend == "embedded" else new_archive()
    report = archive.index_paths([SAMPLES])
    assert (report.added, report.failed) == (200, [])
    return archive


def test_accent_free_query_highlights_the_accented_word(samples_archive: Archive) -> None:
    results = samples_archive.search("pekin")
    assert results.total >= 3
    words = {word for hit in results.hits for word in hit.snippet.highlighted_words()}
    assert words == {"Pékin"}


def test_query_words_highlighted_as_written(samples_archive: Archive) -> None:
    results = samples_archive.search("cyberattaque chinoise")
    top = results.hits[0]
    assert top.author == "Georges Haddad" and top.source == "AFP"
    assert {w.lower() for w in top.snippet.highlighted_words()} == {"cyberattaque", "chinoise"}


def test_phrase_and_field_queries(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add_many(
        [
            Article(id="a", body="Tensions en mer de Chine.", author="Marie Dupont"),
            Article(id="b", body="La Chine et la mer.", author="Paul Martin"),
        ]
    )
    assert [h.id for h in archive.search('"mer de Chine"').hits] == ["a"]
    assert [h.id for h in archive.search("chine author:martin").hits][0] == "b"
    assert [h.id for h in archive.search("chine NOT tensions").hits] == ["b"]


def test_syntax_errors_are_searched_as_plain_words_with_a_notice(samples_archive: Archive) -> None:
    for query in ['"cyberattaque chinoise', "(cyberattaque", "cyberattaque AND"]:
        results = samples_archive.search(query)
        assert results.total >= 1 and results.notices, query


@pytest.mark.parametrize("query", ["", "   ", "(", '""', "-pekin"])
def test_queries_with_nothing_to_search_raise_empty_query(samples_archive: Archive, query: str) -> None:
    with pytest.raises(EmptyQuery):
        samples_archive.search(query)


def test_reindexing_is_idempotent_and_edits_update_in_place(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    article = archive_dir / "a.txt"
    article.write_text("Alerte à Pékin\n\nLa pollution atteint un record.", encoding="utf-8")
    (archive_dir / "b.jsonl").write_text(json.dumps({"id": "b1", "title": "Sommet", "text": "Asean"}) + "\n")
    archive = new_archive()
    first = archive.index_paths([archive_dir])
    again = archive.index_paths([archive_dir])
    article.write_text("Alerte à Pékin\n\nLa pollution baisse enfin.", encoding="utf-8")
    edited = archive.index_paths([archive_dir])
    assert (first.added, again.added, again.unchanged) == (2, 0, 2)
    assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 1)
    assert len(archive) == 2
    assert archive.search("baisse").total == 1 and archive.search("record").total == 0


def test_index_persists_and_reopens(tmp_path: Path, backend: str, new_archive: Callable[[], Archive]) -> None:
    # Reopened by its name: a directory, or the URL of its index in the test cluster.
    location = tmp_path / "ix" if backend == "embedded" else new_archive().stats().path
    with Archive(location) as archive:
        archive.add(Article(id="a", title="Pékin", date=dt.date(2023, 7, 13), source="AFP"))
    with Archive.open(location) as archive:
        assert archive.get("a").date == dt.date(2023, 7, 13)
        stats = archive.stats()
        assert (stats.articles, stats.first_date, stats.sources) == (1, dt.date(2023, 7, 13), {"AFP": 1})
        assert stats.size_bytes > 0


def test_get_unknown_id_raises(samples_archive: Archive) -> None:
    with pytest.raises(ArticleNotFound):
        samples_archive.get("no-such-article")


def test_open_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound) as error:
        Archive.open(tmp_path / "nothing")
    assert "searchlib index" in (error.value.hint or "")


def test_refuses_to_create_an_index_in_a_directory_full_of_other_things(tmp_path: Path) -> None:
    (tmp_path / "thesis.odt").write_bytes(b"x")
    with pytest.raises(IncompatibleIndex):
        Archive(tmp_path)


def test_add_reports_what_happened(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    article = Article(id="a", title="Pékin")
    assert [archive.add(article), archive.add(article)] == ["added", "unchanged"]
    assert archive.add(Article(id="a", title="Pékin, 2023")) == "updated"
    assert len(archive) == 1


def test_a_searcher_sees_articles_added_after_it_was_opened(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add(Article(id="a", title="Pékin"))
    assert archive.search("pekin").total == 1
    archive.add(Article(id="b", title="Pékin encore"))
    assert archive.search("pekin").total == 2


def test_same_id_twice_in_one_run_is_one_article_and_the_last_version_wins(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    records = [*articles(3), {"id": "a1", "title": "Version corrigée", "text": "Texte corrigé."}]
    archive = new_archive()
    report = archive.index_paths([write_jsonl(tmp_path / "a.jsonl", records)])
    assert (report.added, report.updated, len(archive)) == (3, 1, 3)
    assert archive.get("a1").title == "Version corrigée"
    assert archive.check() == []


def test_one_archive_shared_by_many_threads(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.index_paths([write_jsonl(tmp_path / "a.jsonl", articles(200))])
    words = [f"mot{n}" for n in range(200)]

    def search(word: str) -> list[str]:
        return [hit.id for hit in archive.search(word).hits]

    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(search, words * 5))
    assert found == [[f"a{n}"] for n in range(200)] * 5


def test_a_damaged_index_is_refused_with_rebuild_advice(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([write_jsonl(tmp_path / "a.jsonl", articles(50))])
    segments = [f for f in (tmp_path / "ix").glob("articles_*") if not f.name.endswith("WRITELOCK")]
    assert segments
    for segment in segments:
        segment.write_bytes(b"\0\0\0\0garbage")
    with pytest.raises(IncompatibleIndex) as damaged:
        Archive.open(tmp_path / "ix")
    assert "damaged" in str(damaged.value) and "rebuild" in (damaged.value.hint or "")


def test_a_damaged_stored_article_is_a_clear_error_with_rebuild_advice(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([write_jsonl(tmp_path / "a.jsonl", articles(50))])
    (stored,) = (tmp_path / "ix").glob("*_stored.col")
    data = bytearray(stored.read_bytes())
    for offset in range(8, len(data) // 2, 5):  # the articles' bytes; their lengths are at the end
        data[offset] ^= 0x20
    stored.write_bytes(bytes(data))
    with Archive.open(tmp_path / "ix") as archive:
        with pytest.raises(DamagedIndex) as damaged:
            archive.get("a0")
        assert "stored article" in str(damaged.value) and "rebuild" in (damaged.value.hint or "")
        assert any("cannot be read back" in problem for problem in archive.check())
    shown = subprocess.run(
        [sys.executable, "-m", "searchlib", "show", "a0", "--index", str(tmp_path / "ix")],
        capture_output=True, text=True, check=False,
    )
    assert shown.returncode == 1 and "Traceback" not in shown.stderr
    assert "the index is damaged" in shown.stderr and "searchlib check" in shown.stderr


def test_rebuild_swaps_in_a_new_index_while_searches_keep_the_old_one(tmp_path: Path) -> None:
    folder = archive_folder(tmp_path, files=3, per_file=20)
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([folder])
    reader = Archive.open(tmp_path / "ix")  # a long-running app, open across the rebuild
    assert reader.search("pekin").total == 60
    write_jsonl(folder / "part3.jsonl", articles(20, start=60))  # new in the archive since

    seen_during: list[int] = []

    def look(done: int, total: int) -> None:
        with Archive.open(tmp_path / "ix") as during:
            seen_during.append(len(during))

    report = Archive.rebuild(tmp_path / "ix", progress=look)
    assert report.added == 60  # from the files the old index was built from
    assert seen_during == [60, 60, 60]  # searches saw the whole old index until the swap
    assert reader.search("pekin").total == 60 and len(reader) == 60
    toc_names = {toc.name.split("_")[1] for toc in (tmp_path / "ix").glob("_*.toc")}
    assert len(toc_names) == 1  # the old index's files are gone
    reader.close()
    with Archive.open(tmp_path / "ix") as archive:
        assert archive.check() == [] and archive.index_paths([folder]).added == 20


def test_a_search_that_runs_too_long_stops_with_partial_results_and_says_so() -> None:
    # Embedded only: OpenSearch checks a search's timeout on a clock it updates every 200 ms, so no limit stops this one.
    archive = Archive.in_memory()
    archive.add_many(Article(id=f"a{n}", title="Pékin", body=f"Pékin, jour {n}.") for n in range(300))
    # Two words: the proximity bonus reads positions article by article, the part of a search
    # that can run long (a word's scores are added for all articles at once).
    archive.query_time_limit = 0.0  # every match comes too late
    results = archive.search("pekin jour")
    assert results.stopped and results.notices and "stopped" in results.notices[0]
    assert len(results.hits) <= 10
    archive.query_time_limit = 10.0
    complete = archive.search("pekin jour")
    assert (complete.total, complete.notices) == (300, [])


@pytest.fixture(scope="module")
def stories(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(
        [
            Article(id="pollution-1", title="Alerte rouge à la pollution à Pékin",
                    body="Pékin décrète l'alerte rouge : particules fines, smog, écoles fermées et usines à l'arrêt."),
            Article(id="pollution-2", title="Pékin étouffe sous le smog",
                    body="Le smog recouvre Pékin ; les particules fines ferment les écoles, les usines ralentissent."),
            Article(id="football", title="Le PSG gagne à Lyon",
                    body="Le PSG s'impose à Lyon grâce à un doublé en fin de match."),
            Article(id="alaska", title="Séisme en Alaska",
                    body="Une alerte au tsunami a été lancée après un séisme en Alaska."),
        ]
    )  # fmt: skip
    return archive


def test_similar_finds_the_same_story_first_and_leaves_the_article_out(stories: Archive) -> None:
    results = stories.similar("pollution-1")
    ids = [hit.id for hit in results.hits]
    assert ids[0] == "pollution-2" and "pollution-1" not in ids and "football" not in ids


def test_similar_to_an_unknown_article_says_so(stories: Archive) -> None:
    with pytest.raises(ArticleNotFound):
        stories.similar("nope")


def test_copy_to_another_archive_is_whole_and_can_be_run_again(samples_archive: Archive, tmp_path: Path) -> None:
    target = tmp_path / "copy"
    seen: list[tuple[int, int]] = []
    report = samples_archive.copy_to(target, lambda done, total: seen.append((done, total)), batch_size=64)
    assert (report.added, report.failed, report.batches) == (200, [], 4)
    assert seen[-1] == (200, 200)
    with Archive.open(target) as copy:
        assert sorted(a.id for a in copy) == sorted(a.id for a in samples_archive)
        assert [h.id for h in copy.search("pekin").hits] == [h.id for h in samples_archive.search("pekin").hits]
        # the files it was built from came along: indexing them again reads nothing
        assert copy.index_paths([SAMPLES]).read == 0
    again = samples_archive.copy_to(target)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 200)

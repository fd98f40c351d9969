"""The Python API, as an app embedding searchlib uses it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from searchlib import Archive, Article, ArticleNotFound, EmptyQuery, IncompatibleIndex, IndexLocked, IndexNotFound
from searchlib.render import snippet_html

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def samples_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = Archive(tmp_path_factory.mktemp("samples") / "index")
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


def test_articles_with_all_the_words_rank_before_those_with_some() -> None:
    archive = Archive.in_memory()
    archive.add_many(
        [
            Article(id="blinken", title="Diplomatie", body="Antony Blinken à Jakarta. Blinken parle, Blinken part."),
            Article(id="both", title="Rencontre", body="Antony Blinken évoque le fentanyl à Jakarta."),
            Article(id="fentanyl", title="Santé", body="Le fentanyl, un opioïde. Le fentanyl tue."),
            Article(id="neither", title="Sport", body="Le match a eu lieu à Jakarta."),
        ]
    )
    results = archive.search("Blinken fentanyl")
    assert results.hits[0].id == "both"
    assert {hit.id for hit in results.hits} == {"both", "blinken", "fentanyl"}


def test_the_headline_remembered_as_a_phrase_ranks_first() -> None:
    # Both titles hold both words within three positions; only one holds them as a phrase.
    archive = Archive.in_memory()
    archive.add_many(
        [
            Article(id="apart", title="Pollution : les usines de Chine ferment", body="Les usines ferment en Chine."),
            Article(id="phrase", title="La pollution en Chine fait fermer des usines", body="Les usines ferment en Chine."),
        ]
    )
    assert [hit.id for hit in archive.search("pollution chine").hits] == ["phrase", "apart"]


def test_a_title_holding_the_words_as_typed_ranks_before_one_sharing_only_their_stems() -> None:
    # Both titles hold both stems; only one holds the words in the form typed (accents aside).
    archive = Archive.in_memory()
    archive.add_many(
        [
            Article(id="stems", title="Trois Français retrouvés sains et saufs", body="Les secours ont retrouvé les randonneurs."),
            Article(id="typed", title="Un téléphone français retrouvé chez un suspect", body="Les enquêteurs ont retrouvé le téléphone."),
        ]
    )
    assert [hit.id for hit in archive.search("francais retrouve").hits] == ["typed", "stems"]
    assert [hit.id for hit in archive.search("Français retrouvés").hits] == ["stems", "typed"]


def test_snippet_is_the_opening_when_only_the_title_matched() -> None:
    archive = Archive.in_memory()
    archive.add(Article(id="a", title="Alerte rouge à Pékin", body="Les autorités ont décrété une alerte."))
    snippet = archive.search("pekin").hits[0].snippet
    assert snippet.text == "Les autorités ont décrété une alerte." and snippet.highlights == ()


def test_snippet_is_short_and_shows_distant_matches() -> None:
    filler = " ".join(["Une phrase sans rapport avec le sujet."] * 40)
    body = f"Le fentanyl arrive. {filler} Antony Blinken parle. {filler}"
    archive = Archive.in_memory()
    archive.add(Article(id="a", title="Titre", body=body))
    snippet = archive.search("fentanyl Blinken").hits[0].snippet
    assert len(snippet.text) <= 260
    assert snippet.highlighted_words() == ["fentanyl", "Blinken"]
    assert "…" in snippet.text


def test_snippet_html_escapes_the_text_but_not_the_marks() -> None:
    archive = Archive.in_memory()
    archive.add(Article(id="a", title="T", body='<script>alert("x")</script> & Pékin'))
    assert snippet_html(archive.search("pekin").hits[0].snippet) == (
        '&lt;script&gt;alert("x")&lt;/script&gt; &amp; <mark>Pékin</mark>'
    )


def test_phrase_and_field_queries() -> None:
    archive = Archive.in_memory()
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


@pytest.mark.parametrize("query", ["", "   ", "le la les", "de", "(", '""'])
def test_queries_with_nothing_to_search_raise_empty_query(samples_archive: Archive, query: str) -> None:
    with pytest.raises(EmptyQuery):
        samples_archive.search(query)


def test_reindexing_is_idempotent_and_edits_update_in_place(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    article = archive_dir / "a.txt"
    article.write_text("Alerte à Pékin\n\nLa pollution atteint un record.", encoding="utf-8")
    (archive_dir / "b.jsonl").write_text(json.dumps({"id": "b1", "title": "Sommet", "text": "Asean"}) + "\n")
    with Archive(tmp_path / "index") as archive:
        first = archive.index_paths([archive_dir])
        again = archive.index_paths([archive_dir])
        article.write_text("Alerte à Pékin\n\nLa pollution baisse enfin.", encoding="utf-8")
        edited = archive.index_paths([archive_dir])
        assert (first.added, again.added, again.unchanged) == (2, 0, 2)
        assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 1)
        assert len(archive) == 2
        assert archive.search("baisse").total == 1 and archive.search("record").total == 0


def test_index_persists_and_reopens(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.add(Article(id="a", title="Pékin", date=dt.date(2023, 7, 13), source="AFP"))
    with Archive.open(tmp_path / "ix") as archive:
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


def test_index_from_another_version_is_refused_with_rebuild_advice(tmp_path: Path) -> None:
    Archive(tmp_path / "ix").close()
    manifest = tmp_path / "ix" / "searchlib.json"
    written = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**written, "analyzer_version": written["analyzer_version"] - 1}))
    with pytest.raises(IncompatibleIndex) as error:
        Archive(tmp_path / "ix")
    assert "rebuild" in (error.value.hint or "")


def test_refuses_to_create_an_index_in_a_directory_full_of_other_things(tmp_path: Path) -> None:
    (tmp_path / "thesis.odt").write_bytes(b"x")
    with pytest.raises(IncompatibleIndex):
        Archive(tmp_path)


def test_writer_waits_then_fails_when_the_index_is_locked(tmp_path: Path) -> None:
    Archive(tmp_path / "ix").close()
    other_writer = whoosh_index.open_dir(str(tmp_path / "ix"), indexname="articles").writer()
    try:
        with Archive(tmp_path / "ix", lock_timeout=0.2) as archive, pytest.raises(IndexLocked):
            archive.add(Article(id="a", title="Pékin"))
    finally:
        other_writer.cancel()
    with Archive(tmp_path / "ix") as archive:  # the lock is free again: writing works
        assert archive.add(Article(id="a", title="Pékin")) == "added"


def test_add_reports_what_happened() -> None:
    archive = Archive.in_memory()
    article = Article(id="a", title="Pékin")
    assert [archive.add(article), archive.add(article)] == ["added", "unchanged"]
    assert archive.add(Article(id="a", title="Pékin, 2023")) == "updated"
    assert len(archive) == 1


def test_a_searcher_sees_articles_added_after_it_was_opened() -> None:
    archive = Archive.in_memory()
    archive.add(Article(id="a", title="Pékin"))
    assert archive.search("pekin").total == 1
    archive.add(Article(id="b", title="Pékin encore"))
    assert archive.search("pekin").total == 2


def _segments(archive: Archive) -> int:
    reader = archive._backend._ix.reader()
    try:
        return 1 if reader.is_atomic() else len(reader.readers)
    finally:
        reader.close()


def _write_articles(path: Path, first: int, count: int) -> None:
    records = [{"id": f"a{n}", "title": f"Dépêche {n} de Pékin", "text": f"Pékin, le {n}."} for n in range(first, first + count)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_a_run_that_writes_most_of_the_index_leaves_one_segment_a_small_update_does_not(tmp_path: Path) -> None:
    _write_articles(tmp_path / "big.jsonl", 0, 60)
    with Archive(tmp_path / "ix") as archive:
        # two workers: every batch adds their segments without merging them
        report = archive.index_paths([tmp_path / "big.jsonl"], batch_size=10, jobs=2)
        assert report.batches == 6 and _segments(archive) == 1
        assert archive.search("pekin", limit=100).total == 60
        _write_articles(tmp_path / "small.jsonl", 100, 5)
        archive.index_paths([tmp_path / "small.jsonl"], batch_size=10, jobs=2)
        assert _segments(archive) > 1  # 5 of 65 articles: not worth rewriting the index
        assert archive.search("pekin", limit=100).total == 65 and archive.check() == []

"""The archive's words as written, kept beside the index for "did you mean" and fuzzy terms."""

from __future__ import annotations

from pathlib import Path

from searchlib import Archive, Article
from searchlib.vocabulary import Vocabulary, file_name, vocabulary_of


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
        words = archive._words(archive._search_with())
        assert (words.frequency("pekin"), words.articles) == (60, 60)


def test_unchanged_articles_are_not_counted_twice(tmp_path: Path) -> None:
    with Archive(tmp_path / "index") as archive:
        archive.add_many(_articles("a", "Une cyberattaque visait Pékin.", 5))
        archive.add_many(_articles("a", "Une cyberattaque visait Pékin.", 5))  # same articles again
        assert archive._words(archive._search_with()).frequency("pekin") == 5


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
        assert archive._words(archive._search_with()).frequency("pollution") == 1

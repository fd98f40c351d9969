"""The archive's words as written, kept in the cluster (searchlib.backends.opensearch.words): the
same list as the embedded index keeps, whichever machine wrote it, across many commits and a
rebuild, so that did-you-mean and fuzzy words find what they find in the embedded index."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from searchlib import Archive, Article
from searchlib.analysis.vocabulary import MAX_CHUNKS, Vocabulary, vocabulary_of
from searchlib.backends.opensearch.words import words_index
from searchlib.cli import main
from tests.conftest import SAMPLES


def _words_of(archive: Archive) -> Vocabulary:
    return archive._backend.view().vocabulary()  # the engine's own list: no public door to it


def _articles(count: int) -> list[Article]:
    places = ["Pékin", "Jakarta", "Lyon", "Genève", "Dakar"]
    return [Article(id=f"w{i}", title=f"Dépêche {i} de {places[i % 5]}",
                    body=f"Une cyberattaque numéro {i} visait {places[(i * 3) % 5]} et l'État.") for i in range(count)]  # fmt: skip


def test_the_cluster_keeps_the_words_the_embedded_index_keeps(cluster_url: str, unique_name: str) -> None:
    url = f"{cluster_url}/{unique_name}-words-samples"
    assert CliRunner().invoke(main, ["index", str(SAMPLES), "--index", url]).exit_code == 0
    with Archive.in_memory() as embedded:
        embedded.index_paths([SAMPLES])
        expected = _words_of(embedded)
    with Archive(url) as archive:  # another process, another machine: the words come from the cluster
        found = _words_of(archive)
    assert (found.counts, found.articles) == (expected.counts, expected.articles)
    assert found.frequency("pekin") > 0


def test_many_commits_add_up_and_are_compacted(cluster_url: str, unique_name: str, cluster: Any) -> None:
    url = f"{cluster_url}/{unique_name}-words-commits"
    articles = _articles(2 * MAX_CHUNKS + 10)
    with Archive(url) as archive:
        for article in articles:  # one commit each
            archive.add(article)
        found = _words_of(archive)
    expected = vocabulary_of("\n".join((a.title, a.body)) for a in articles)
    assert (found.counts, found.articles) == (expected.counts, expected.articles)
    chunks = cluster.count(index=words_index(f"{unique_name}-words-commits"))["count"]
    assert 1 <= chunks <= MAX_CHUNKS + 1


def test_a_rebuild_keeps_the_words_of_the_rebuilt_archive_only(cluster_url: str, unique_name: str, cluster: Any) -> None:
    name = f"{unique_name}-words-rebuild"
    url = f"{cluster_url}/{name}"
    assert CliRunner().invoke(main, ["index", str(SAMPLES), "--index", url]).exit_code == 0
    with Archive(url) as archive:
        before = _words_of(archive)
    assert CliRunner().invoke(main, ["index", "--rebuild", "--index", url]).exit_code == 0
    with Archive(url) as archive:
        after = _words_of(archive)
    assert (after.counts, after.articles) == (before.counts, before.articles)
    keys = {hit["_source"]["key"] for hit in cluster.search(index=words_index(name), body={"size": 100})["hits"]["hits"]}
    assert keys == {name}  # the rebuilt index's own chunks were made the archive's, none left behind


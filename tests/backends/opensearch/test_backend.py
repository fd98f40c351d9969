"""An archive in the cluster, through searchlib's own API and CLI: indexed from files, searched
with the same command, the same articles and first hits as the embedded index; re-indexing,
deleting, rebuilding behind the alias; and the errors a person meets."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchlib import Archive, Article
from searchlib.cli import main
from searchlib.errors import ClusterError
from tests.conftest import BENCHMARKS, SAMPLES

sys.path.insert(0, str(BENCHMARKS))
from query_latency import make_queries, titles_of  # noqa: E402


@pytest.fixture(scope="module")
def embedded() -> Iterator[Archive]:
    with Archive.in_memory() as archive:
        archive.index_paths([SAMPLES])
        yield archive


@pytest.fixture(scope="module")
def archive_url(cluster_url: str, unique_name: str) -> str:
    """The samples indexed into the cluster by ``searchlib index``."""
    url = f"{cluster_url}/{unique_name}-archive"
    result = CliRunner().invoke(main, ["index", str(SAMPLES), "--index", url])
    assert result.exit_code == 0, result.output
    assert "200 added" in result.output
    return url


def test_the_same_articles_and_first_hits_as_the_embedded_index(archive_url: str, embedded: Archive) -> None:
    queries = make_queries(titles_of(embedded), 60, seed=21)
    with Archive(archive_url) as archive:
        first = same_total = 0
        for query in queries:
            ours, theirs = archive.search(query, limit=3), embedded.search(query, limit=3)
            same_total += ours.total == theirs.total
            first += [hit.id for hit in ours.hits[:1]] == [hit.id for hit in theirs.hits[:1]]
    assert same_total == len(queries)
    assert first >= 0.95 * len(queries), f"{first} of {len(queries)} first hits the same"


def test_hits_have_snippets_facets_and_copies_as_in_the_embedded_index(archive_url: str, embedded: Archive) -> None:
    with Archive(archive_url) as archive:
        ours = archive.search("pekin", facets=["source", "year", "month"])
    theirs = embedded.search("pekin", facets=["source", "year", "month"])
    assert ours.facets == theirs.facets
    assert [hit.snippet for hit in ours.hits] == [hit.snippet for hit in theirs.hits]
    assert [hit.title_highlights for hit in ours.hits] == [hit.title_highlights for hit in theirs.hits]


def test_research_tools_work_on_the_cluster(archive_url: str, embedded: Archive) -> None:
    with Archive(archive_url) as archive:
        assert archive.trend(["chine", "police"], by="month") == embedded.trend(["chine", "police"], by="month")
        assert archive.kwic("pekin").lines == embedded.kwic("pekin").lines
        assert [row.id for row in archive.export("chine", sort="-date")] == [row.id for row in embedded.export("chine", sort="-date")]
        assert [term.term for term in archive.terms("chine").terms] == [term.term for term in embedded.terms("chine").terms]


def test_the_command_line_searches_the_cluster(archive_url: str) -> None:
    result = CliRunner().invoke(main, ["search", "pekin", "--index", archive_url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == 4
    stats = CliRunner().invoke(main, ["stats", "--index", archive_url])
    assert archive_url.split("//")[1] in stats.output and "Articles: 200" in stats.output


def test_indexing_again_writes_nothing_and_an_edit_updates_in_place(cluster_url: str, unique_name: str, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "x1", "title": "Grève à la SNCF"}\n{"id": "x2", "title": "Pluie"}\n', encoding="utf-8")
    url = f"{cluster_url}/{unique_name}-edits"
    with Archive(url) as archive:
        assert archive.index_paths([path]).added == 2
        again = archive.index_paths([path])
        assert (again.added, again.updated, again.read) == (0, 0, 0)  # the catalog in the cluster: not read
        path.write_text('{"id": "x1", "title": "Grève à la SNCF, suite"}\n{"id": "x2", "title": "Pluie"}\n', encoding="utf-8")
        edited = archive.index_paths([path])
        assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 1)
        assert archive.get("x1").title == "Grève à la SNCF, suite" and len(archive) == 2
        assert archive.delete(["x2", "nope"]) == ["x2"] and len(archive) == 1


def test_a_rebuild_swaps_a_new_index_in_behind_the_same_name(cluster: Any, cluster_url: str, unique_name: str, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "r1", "title": "Grève"}\n', encoding="utf-8")
    url = f"{cluster_url}/{unique_name}-rebuilt"
    with Archive(url) as archive:
        archive.index_paths([path])
        before = set(cluster.indices.get_alias(name=f"{unique_name}-rebuilt"))
    with Archive.open(url) as archive:
        added = archive.newest_added()
    report = Archive.rebuild(url)
    assert report.added == 1
    after = set(cluster.indices.get_alias(name=f"{unique_name}-rebuilt"))
    assert len(after) == 1 and after != before and not cluster.indices.exists(index=",".join(before))
    with Archive.open(url) as archive:
        assert [article.id for article in archive] == ["r1"]
        assert archive.newest_added() == added  # the rebuilt article keeps when it was first added
        assert archive.index_paths([path]).read == 0  # the rebuilt index's catalog is the archive's


def test_an_index_searchlib_did_not_create_is_refused_with_the_fix(cluster: Any, cluster_url: str, unique_name: str) -> None:
    cluster.indices.create(index=f"{unique_name}-foreign", body={"mappings": {"properties": {"x": {"type": "keyword"}}}})
    with pytest.raises(ClusterError, match="did not create") as caught:
        Archive(f"{cluster_url}/{unique_name}-foreign")
    assert caught.value.hint


def test_opening_an_archive_that_is_not_there_says_how_to_build_it(cluster_url: str, unique_name: str) -> None:
    with pytest.raises(ClusterError, match="holds no searchlib archive") as caught:
        Archive.open(f"{cluster_url}/{unique_name}-absent")
    assert "searchlib index" in (caught.value.hint or "")


def test_an_article_the_cluster_refuses_is_reported_like_a_bad_record(cluster_url: str, unique_name: str) -> None:
    with Archive(f"{cluster_url}/{unique_name}-refused") as archive:
        report = archive.add_many([Article(id="ok", title="Bien"), Article(id="x" * 600, title="Un identifiant trop long")])
        assert [article.id for article in archive] == ["ok"]  # the others are written all the same
    assert report.added == 1 and len(report.failed) == 1
    assert "512 bytes" in report.failed[0].reason


def test_an_embedded_archive_copied_into_the_cluster_and_back(cluster_url: str, unique_name: str, embedded: Archive, tmp_path: Path) -> None:
    url = f"{cluster_url}/{unique_name}-copied"
    result = CliRunner().invoke(main, ["copy", "--to", url, "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no searchlib index" in result.output  # the source must exist
    assert embedded.copy_to(url).added == 200
    assert embedded.copy_to(url).unchanged == 200  # run again: nothing twice
    newest = embedded.newest_added()
    with Archive.open(url) as cluster:
        assert cluster.search("pekin").total == embedded.search("pekin").total
        # each article keeps when it was first added: "new since" means the same after a copy
        assert cluster.newest_added() == newest
        assert cluster.search("pekin", added_since=newest).total == embedded.search("pekin", added_since=newest).total
        assert cluster.copy_to(tmp_path / "back").added == 200
    with Archive.open(tmp_path / "back") as back:
        assert sorted(a.id for a in back) == sorted(a.id for a in embedded)
        assert back.newest_added() == newest


def test_more_matches_than_one_request_holds_come_in_several(monkeypatch: pytest.MonkeyPatch, archive_url: str, embedded: Archive) -> None:
    from searchlib.backends.opensearch import view as cluster_view

    monkeypatch.setattr(cluster_view, "MAX_WINDOW", 7)  # as if a request held 7 hits
    query = "chine OR police OR france"
    with Archive.open(archive_url) as archive:
        rows = [row.id for row in archive.export(query, sort="-date")]
        page = [hit.id for hit in archive.search(query, page=3, limit=5, all_copies=True, sort="-date").hits]
    assert rows == [row.id for row in embedded.export(query, sort="-date")] and len(rows) > 20
    assert page == [hit.id for hit in embedded.search(query, page=3, limit=5, all_copies=True, sort="-date").hits]


def test_a_file_whose_articles_a_blocked_index_refused_is_read_again_next_time(
    cluster_url: str, unique_name: str, cluster: Any, tmp_path: Path
) -> None:
    url = f"{cluster_url}/{unique_name}-blocked"
    wire = tmp_path / "wire.jsonl"
    wire.write_text(json.dumps({"id": "w1", "title": "Sommet", "text": "Blinken à Jakarta."}) + "\n", encoding="utf-8")
    with Archive(url) as archive:
        archive.add(Article(id="first", title="Première", body="Avant le blocage."))
        physical = next(iter(cluster.indices.get_alias(name=f"{unique_name}-blocked")))
        cluster.indices.put_settings(index=physical, body={"index.blocks.write": True})  # as a full disk does
        try:
            refused = archive.index_paths([wire])
        finally:
            cluster.indices.put_settings(index=physical, body={"index.blocks.write": False})
        assert (refused.added, len(refused.failed)) == (0, 1)
        assert "the cluster refused article 'w1'" in refused.failed[0].reason
        again = archive.index_paths([wire])  # the file is unchanged, but read again: nothing lost
        assert (again.added, again.failed, len(archive)) == (1, [], 2)

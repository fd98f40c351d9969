"""What is new since the last look: indexing records when each article came, searches keep to the
newer ones, and ``last`` remembers per search."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from searchlib import Archive, Article, BadFilter
from searchlib.research.alerts import LastSeen, search_key, state_file
from searchlib.search.query import make_filters

OLD_INDEX = Path(__file__).resolve().parent.parent / "fixtures" / "index-v0"


def _ids(archive: Archive, query: str, since: dt.datetime | None) -> list[str]:
    return sorted(hit.id for hit in archive.search(query, added_since=since, limit=100).hits)


def test_a_later_batch_is_newer_and_an_update_keeps_its_first_time(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add(Article(id="a", body="Grève à la SNCF."))
    first = archive.newest_added()
    archive.add(Article(id="b", body="Nouvelle grève."))
    second = archive.newest_added()
    assert first is not None and second is not None and second > first
    assert _ids(archive, "grève", first + dt.timedelta(microseconds=1)) == ["b"]
    archive.add(Article(id="a", body="Grève à la SNCF, suite."))  # edited: not a new article
    assert archive.newest_added() == second
    assert _ids(archive, "grève", second + dt.timedelta(microseconds=1)) == []
    assert _ids(archive, "grève", None) == ["a", "b"]


def test_each_batch_of_a_run_is_newer_than_the_one_before(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    lines = [f'{{"id": "n{i}", "title": "Grève numéro {i}"}}' for i in range(6)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")
    archive = new_archive()
    archive.index_paths([tmp_path / "a.jsonl"], batch_size=2)
    # The last batch committed alone has the newest time: a search that saw the first two
    # batches lists only it.
    assert _ids(archive, "grève", archive.newest_added()) == ["n4", "n5"]


def test_last_remembers_per_search_beside_the_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    state = LastSeen(state_file(index))
    assert state_file(index) == tmp_path / "index.new-since.json"
    key = search_key("grève", make_filters(sources=["AFP"]))
    assert key != search_key("grève", make_filters()) and key == search_key(" grève ", make_filters(sources=["AFP"]))
    assert state.since(key) is None
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    state.remember(key, moment)
    assert LastSeen(state_file(index)).since(key) == moment + dt.timedelta(microseconds=1)
    assert not list(tmp_path.glob("*.tmp"))


def test_a_damaged_state_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "index.new-since.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadFilter, match="cannot read") as caught:
        LastSeen(path).since("x")
    assert "delete" in (caught.value.hint or "")


def test_an_index_that_does_not_record_it_says_to_rebuild(tmp_path: Path) -> None:
    copy = tmp_path / "index"
    shutil.copytree(OLD_INDEX, copy)
    with Archive.open(copy) as archive:
        assert archive.newest_added() is None
        with pytest.raises(BadFilter, match="does not record") as caught:
            archive.search("valence", added_since=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        assert "--rebuild" in (caught.value.hint or "")


def test_a_rebuild_keeps_when_each_article_was_added(tmp_path: Path, backend: str, new_archive: Callable[[], Archive]) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": "old", "title": "Grève ancienne"}\n', encoding="utf-8")
    # Rebuilt and reopened by its name: a directory, or the URL of its index in the test cluster.
    index = tmp_path / "index" if backend == "embedded" else new_archive().stats().path
    with Archive(index) as archive:
        archive.index_paths([tmp_path / "a.jsonl"])
        before = archive.newest_added()
    with open(tmp_path / "a.jsonl", "a", encoding="utf-8") as out:
        out.write('{"id": "new", "title": "Grève nouvelle"}\n')
    Archive.rebuild(index)
    with Archive.open(index) as archive:
        assert before is not None
        assert _ids(archive, "grève", before + dt.timedelta(microseconds=1)) == ["new"]
        assert _ids(archive, "grève", before) == ["new", "old"]


def test_an_old_article_written_twice_in_one_run_keeps_its_first_time(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": "old", "title": "Grève"}\n', encoding="utf-8")
    archive = new_archive()
    archive.index_paths([tmp_path / "a.jsonl"])
    first = archive.newest_added()
    assert first is not None
    # Edited, and listed twice (two files): the run writes it twice, both times as the same old article.
    (tmp_path / "a.jsonl").write_text('{"id": "old", "title": "Grève, suite"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "old", "title": "Grève, suite et fin"}\n', encoding="utf-8")
    archive.index_paths([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], batch_size=1)
    assert archive.get("old").title.startswith("Grève, suite")
    assert archive.newest_added() == first


def test_the_times_of_an_archive_in_a_cluster_are_kept_without_its_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = state_file("http://alice:s3cret@localhost:9200/presse")
    assert path == tmp_path / "searchlib" / "localhost-9200-presse.new-since.json"
    LastSeen(path).remember("k", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert "s3cret" not in str(path) and path.exists()

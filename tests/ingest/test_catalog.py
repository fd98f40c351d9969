"""Re-indexing an archive as it grows and changes: skip what is unchanged, prune what is gone (on
each engine: the catalog of an archive in a cluster is kept in the cluster)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Archive
from searchlib.ingest import sources as sources_module
from searchlib.cli import main
from tests.corpora import without_timing


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "pekin.txt").write_text("Alerte à Pékin\n\nLa pollution atteint un record.", encoding="utf-8")
    jsonl(
        folder / "wire.jsonl",
        [
            {"id": "w1", "title": "Sommet de l'Asean", "text": "Blinken à Jakarta.", "source": "AFP"},
            {"id": "w2", "title": "Fentanyl", "text": "Un opioïde de synthèse.", "source": "Reuters"},
        ],
    )
    return folder


def test_unchanged_files_are_not_read_again(tmp_path: Path, archive_dir: Path, new_archive: Callable[[], Archive]) -> None:
    with new_archive() as archive:
        archive.index_paths([archive_dir])
        page = archive_dir / "pekin.txt"
        stat = page.stat()
        # Same size and modification time: searchlib trusts the file is unchanged and skips it.
        page.write_text("Alerte à Pékin\n\nLa pollution atteint un sommet.", encoding="utf-8")
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        report = archive.index_paths([archive_dir])
        assert (report.added, report.updated, report.unchanged) == (0, 0, 3)
        assert archive.search("record").total == 1
        # A newer modification time makes it read again.
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        report = archive.index_paths([archive_dir])
        assert (report.updated, report.unchanged) == (1, 2)
        assert archive.search("record").total == 0 and archive.search("sommet").total == 2


def test_catalog_survives_reopening(tmp_path: Path, archive_dir: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([archive_dir])
    with Archive(tmp_path / "ix") as archive:
        assert archive.index_paths([archive_dir]).unchanged == 3


def test_prune_removes_articles_of_deleted_files(tmp_path: Path, archive_dir: Path, new_archive: Callable[[], Archive]) -> None:
    with new_archive() as archive:
        archive.index_paths([archive_dir])
        (archive_dir / "wire.jsonl").unlink()
        kept = archive.index_paths([archive_dir])
        assert (kept.removed, len(archive)) == (0, 3)  # without --prune nothing goes
        pruned = archive.index_paths([archive_dir], prune=True)
        assert (pruned.removed, len(archive)) == (2, 1)
        assert archive.search("fentanyl").total == 0


def test_prune_judges_only_the_files_under_the_paths_it_is_given(tmp_path: Path, archive_dir: Path, new_archive: Callable[[], Archive]) -> None:
    # Two machines filling one archive: each sees only its own folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    jsonl(elsewhere / "other.jsonl", [{"id": "o1", "title": "Ailleurs", "text": "Une dépêche indexée ailleurs."}])
    with new_archive() as archive:
        archive.index_paths([archive_dir, elsewhere])
        (elsewhere / "other.jsonl").unlink()
        (archive_dir / "pekin.txt").unlink()
        mine = archive.index_paths([archive_dir], prune=True)
        assert (mine.removed, archive.search("ailleurs").total, archive.search("pekin").total) == (1, 1, 0)
        theirs = archive.index_paths([elsewhere], prune=True)
        assert (theirs.removed, len(archive)) == (1, 2)


def test_prune_removes_records_gone_from_a_file(tmp_path: Path, archive_dir: Path, new_archive: Callable[[], Archive]) -> None:
    with new_archive() as archive:
        archive.index_paths([archive_dir])
        jsonl(archive_dir / "wire.jsonl", [{"id": "w1", "title": "Sommet de l'Asean", "text": "Blinken."}])
        report = archive.index_paths([archive_dir], prune=True)
        assert (report.updated, report.removed) == (1, 1)
        assert [a.id for a in archive if a.id.startswith("w")] == ["w1"]


def test_prune_keeps_articles_of_a_file_that_now_fails_to_read(tmp_path: Path, archive_dir: Path, new_archive: Callable[[], Archive]) -> None:
    with new_archive() as archive:
        archive.index_paths([archive_dir])
        wire = archive_dir / "wire.jsonl"
        wire.write_text(wire.read_text(encoding="utf-8").replace('"id": "w2"', '"id": "w2",,'), encoding="utf-8")
        report = archive.index_paths([archive_dir], prune=True)
        assert (report.removed, len(report.failed)) == (0, 1)
        assert archive.get("w2").title == "Fentanyl"  # one bad line never loses the old article


def test_delete_by_id_and_by_source(tmp_path: Path, archive_dir: Path, new_archive: Callable[[], Archive]) -> None:
    with new_archive() as archive:
        archive.index_paths([archive_dir])
        assert archive.delete(["w1", "nope"]) == ["w1"]
        assert archive.delete_source("reuters") == ["w2"]
        assert len(archive) == 1
        # The files still hold them: indexing again brings them back.
        assert archive.index_paths([archive_dir]).added == 2


def test_cli_delete_prune_and_errors_file(tmp_path: Path, archive_dir: Path) -> None:
    runner = CliRunner(env={"SEARCHLIB_INDEX": str(tmp_path / "ix")})
    (archive_dir / "broken.jsonl").write_text('{"id": "b1", "title": "ok"}\n{not json\n', encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    result = runner.invoke(main, ["index", str(archive_dir), "--errors", str(errors)])
    assert result.exit_code == 1
    assert without_timing(result.stdout) == "4 added, 0 updated, 0 unchanged, 0 removed, 1 failed\n"
    failure = json.loads(errors.read_text(encoding="utf-8"))
    assert (failure["path"], failure["line"], failure["indexed"]) == (str(archive_dir / "broken.jsonl"), 2, False)
    assert failure["reason"].startswith("invalid JSON")

    result = runner.invoke(main, ["delete", "w1", "missing-id"])
    assert (result.exit_code, result.stdout) == (1, "1 removed\n")
    assert "missing-id" in result.stderr
    result = runner.invoke(main, ["delete", "--source", "Reuters"])
    assert (result.exit_code, result.stdout) == (0, "1 removed\n")
    assert runner.invoke(main, ["delete"]).exit_code == 2

    (archive_dir / "pekin.txt").unlink()
    (archive_dir / "broken.jsonl").unlink()
    result = runner.invoke(main, ["index", str(archive_dir), "--prune"])
    # wire.jsonl lost articles to `delete`, so it is read again and they come back.
    assert (result.exit_code, without_timing(result.stdout)) == (0, "2 added, 0 updated, 0 unchanged, 2 removed, 0 failed\n")


def test_bad_records_of_an_unchanged_file_are_reported_again_without_reading_it(
    tmp_path: Path, archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (archive_dir / "broken.jsonl").write_text('{"id": "b1", "title": "ok"}\n{not json\n', encoding="utf-8")
    with Archive(tmp_path / "ix") as archive:
        first = archive.index_paths([archive_dir])
        read: list[Path] = []
        original = sources_module.read_file
        monkeypatch.setattr(sources_module, "read_file", lambda path: read.append(path) or original(path))
    with Archive(tmp_path / "ix") as archive:
        again = archive.index_paths([archive_dir])
    assert read == []
    assert [str(f) for f in again.failed] == [str(f) for f in first.failed] != []
    assert again.unchanged == 4


def test_a_reader_crashing_on_one_file_does_not_stop_the_run(
    tmp_path: Path, archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib.ingest import sources

    def explode(path: Path) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(sources.READERS, ".txt", explode)
    report = Archive.in_memory().index_paths([archive_dir])
    assert report.added == 2
    assert [f.path for f in report.failed] == [str(archive_dir / "pekin.txt")]
    assert "RecursionError" in report.failed[0].reason

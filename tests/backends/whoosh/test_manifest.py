"""The manifest (searchlib.backends.whoosh.manifest): an index of another analyzer version is refused
with rebuild advice, and a creation killed half way is finished next time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchlib import Archive, Article, IncompatibleIndex
from tests.corpora import articles, without_timing, write_jsonl


def test_index_from_another_version_is_refused_with_rebuild_advice(tmp_path: Path) -> None:
    Archive(tmp_path / "ix").close()
    manifest = tmp_path / "ix" / "searchlib.json"
    written = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**written, "analyzer_version": written["analyzer_version"] - 1}))
    with pytest.raises(IncompatibleIndex) as error:
        Archive(tmp_path / "ix")
    assert "rebuild" in (error.value.hint or "")


def test_incompatible_index_says_rebuild_and_rebuild_fixes_it(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", articles(10))
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([folder])
    manifest_file = tmp_path / "ix" / "searchlib.json"
    written = json.loads(manifest_file.read_text())
    manifest_file.write_text(json.dumps({**written, "analyzer_version": written["analyzer_version"] - 1}))
    with pytest.raises(IncompatibleIndex) as old:
        Archive.open(tmp_path / "ix")
    assert "searchlib index --rebuild" in (old.value.hint or "")
    from click.testing import CliRunner

    from searchlib.cli import main

    result = CliRunner().invoke(main, ["index", "--rebuild", "--index", str(tmp_path / "ix")])
    assert (result.exit_code, without_timing(result.stdout)) == (0, "10 added, 0 updated, 0 unchanged, 0 removed, 0 failed\n")
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 10 and archive.check() == []


def test_a_creation_killed_before_the_index_existed_is_finished_next_time(tmp_path: Path) -> None:
    from searchlib.backends.whoosh import manifest

    (tmp_path / "ix").mkdir()
    manifest.write(tmp_path / "ix", manifest.FIRST_INDEX_NAME)  # as a kill right after this step leaves it
    with Archive(tmp_path / "ix") as archive:
        assert archive.add(Article(id="a", title="Pékin")) == "added"
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 1

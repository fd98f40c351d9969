"""What a person sees of a long indexing run: one line per file and reason instead of a flood,
files that are not articles passed over, progress in bytes with a rate and the time left, and
a closing line with the elapsed time and the rate."""

from __future__ import annotations

import json
import lzma
import os
import pty
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Archive
from searchlib.cli import main
from searchlib.ingest import indexing
from tests.corpora import articles, write_jsonl

QRELS = "query-id\tcorpus-id\tscore\n" + "".join(f"q{n}\tdoc-{n}\t1\n" for n in range(895))


def archive_with_extras(folder: Path) -> Path:
    """Articles beside what a benchmark download holds: judgements, queries, broken records."""
    folder.mkdir()
    write_jsonl(folder / "articles.jsonl", articles(30))
    (folder / "keyphrase_qrels.tsv").write_text(QRELS, encoding="utf-8")
    lines = [json.dumps({"id": f"blank-{n}", "title": "", "text": " "}) for n in range(40)]
    lines += ['{"id": "cut", "title": "Coup'] * 3
    (folder / "broken.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_flood_of_bad_records_is_one_line_per_file_and_reason(tmp_path: Path) -> None:
    folder = archive_with_extras(tmp_path / "archive")
    errors = tmp_path / "errors.jsonl"
    result = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix"), "--errors", str(errors)])
    assert result.exit_code == 1  # records failed: as before
    skipped, blank, broken = result.stderr.splitlines()
    assert skipped == (
        f"skipped: {folder / 'keyphrase_qrels.tsv'}: not an article file: no field that could be a title or "
        "text (it has query-id, corpus-id, score)"
    )
    assert blank == f"failed: {folder / 'broken.jsonl'}: 40 records skipped: no title or text (first at line 1)"
    assert broken.startswith(f"failed: {folder / 'broken.jsonl'}: 3 records skipped: invalid JSON: ")
    assert broken.endswith(" (first at line 41)")
    assert result.stdout.startswith("30 added, 0 updated, 0 unchanged, 0 removed, 43 failed, 1 not article file passed over in ")
    written = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 44  # every record in the file, the skipped file too
    assert sum(entry["skipped"] for entry in written) == 1


def test_only_files_that_are_not_articles_is_not_a_failure(tmp_path: Path) -> None:
    (tmp_path / "qrels.tsv").write_text(QRELS, encoding="utf-8")
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "query": "pékin", "answers": ["x"]}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(tmp_path), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == ["skipped", "skipped"]
    assert "it has _id, query, answers" in result.stderr
    assert ", 2 not article files passed over in " in result.stdout


def test_a_file_whose_article_records_are_empty_still_fails(tmp_path: Path) -> None:
    """Records that have a title field, empty, are articles gone wrong, not another kind of file."""
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": f"x{n}", "title": "", "text": ""} for n in range(5)])
    with Archive(tmp_path / "ix") as archive:
        report = archive.index_paths([path])
    assert (len(report.failed), report.skipped) == (5, [])


def test_a_long_list_of_problems_ends_with_where_the_rest_is(tmp_path: Path) -> None:
    for n in range(25):
        (tmp_path / f"bad{n:02d}.jsonl").write_text('{"id": "x", "title": ""}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(tmp_path), "--index", str(tmp_path / "ix")])
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "… and 5 more lines like these: the whole list with --errors FILE"


def test_progress_counts_bytes_of_the_files_and_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "PROGRESS_EVERY", 0.0)  # every article, not every 0.2 s
    plain = write_jsonl(tmp_path / "a.jsonl", articles(300))
    packed = tmp_path / "b.jsonl.xz"
    noise = random.Random(7)  # words that do not compress away, so the .xz is many read buffers long
    more = [{**a, "body": " ".join(f"{noise.getrandbits(40):x}" for _ in range(60))} for a in articles(300, start=300)]
    packed.write_bytes(lzma.compress(write_jsonl(tmp_path / "b.tmp", more).read_bytes()))
    (tmp_path / "b.tmp").unlink()
    calls: list[tuple[int, int, int]] = []
    with Archive(tmp_path / "ix") as archive:
        report = archive.index_paths([plain, packed], progress=lambda done, total, read: calls.append((done, total, read)))
    total = plain.stat().st_size + packed.stat().st_size  # the compressed file by its compressed size
    assert {call[1] for call in calls} == {total}
    assert calls[-1] == (total, total, 600)
    done = [call[0] for call in calls]
    assert done == sorted(done)
    assert any(0 < d < plain.stat().st_size for d in done)  # inside the first file, not only after it
    assert any(plain.stat().st_size < d < total for d in done)  # inside the compressed one too
    assert report.read == 600 and report.seconds > 0 and report.rate > 0


def test_a_two_argument_progress_callback_gets_bytes(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", articles(10))
    calls: list[tuple[int, int]] = []
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([path], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(path.stat().st_size, path.stat().st_size)]


@pytest.mark.slow
def test_a_terminal_shows_bytes_rate_and_time_left(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", articles(2000))
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "searchlib", "index", str(path), "--index", str(tmp_path / "ix"), "--jobs", "1"]
    environment = {**os.environ, "COLUMNS": "120"}
    with subprocess.Popen(command, stdin=terminal, stdout=subprocess.PIPE, stderr=terminal, env=environment) as process:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            shown += chunk
        stdout = process.stdout.read().decode() if process.stdout else ""
    os.close(controller)
    screen = shown.decode("utf-8", "replace")
    assert "Indexing" in screen and "100%" in screen
    assert re.search(r"\d+(\.\d)? [kM]B of \d+(\.\d)? [kM]B, [\d,]+ articles/s", screen), screen
    assert re.search(r"2 000 added, .* in \d+(\.\d)? s, [\d ]+ articles/s", stdout), stdout


def test_indexing_the_folder_that_holds_the_index_passes_the_index_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`searchlib index .` in a folder whose ./index is the default index location."""
    write_jsonl(tmp_path / "a.jsonl", articles(3))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["index", "."])
    again = runner.invoke(main, ["index", "."])
    assert (first.exit_code, again.exit_code) == (0, 0)
    assert first.stderr == again.stderr == ""
    assert again.stdout.startswith("0 added, 0 updated, 3 unchanged, 0 removed, 0 failed in ")

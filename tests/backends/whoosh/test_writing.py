"""Never lose an archive: batches, interruptions, locks, threads, and `searchlib check`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from searchlib import Archive, Article, IncompatibleIndex, IndexLocked
from searchlib.errors import DamagedIndex, Interrupted


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def articles(count: int, start: int = 0) -> list[dict]:
    return [
        {"id": f"a{n}", "title": f"Dépêche numéro {n}", "text": f"Pékin et Jakarta, jour {n}. Mot{n} unique."}
        for n in range(start, start + count)
    ]


def archive_folder(tmp_path: Path, files: int, per_file: int) -> Path:
    """A folder of ``files`` JSON Lines files of ``per_file`` articles each, ids following on."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for part in range(files):
        write_jsonl(folder / f"part{part}.jsonl", articles(per_file, start=per_file * part))
    return folder


def interrupt_after(files: int) -> Callable[[int, int], None]:
    """A progress callback that stops an indexing run (as Ctrl-C does) once ``files`` are done."""

    def progress(done: int, total: int) -> None:
        if done == files:
            raise KeyboardInterrupt

    return progress


def test_same_id_twice_in_one_run_is_one_article_and_the_last_version_wins(tmp_path: Path) -> None:
    records = [*articles(3), {"id": "a1", "title": "Version corrigée", "text": "Texte corrigé."}]
    with Archive(tmp_path / "ix") as archive:
        report = archive.index_paths([write_jsonl(tmp_path / "a.jsonl", records)])
        assert (report.added, report.updated, len(archive)) == (3, 1, 3)
        assert archive.get("a1").title == "Version corrigée"
        assert archive.check() == []


def test_long_runs_commit_in_batches(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", articles(25))
    with Archive(tmp_path / "ix") as archive:
        report = archive.index_paths([source], batch_size=10)
        assert (report.added, report.batches, len(archive)) == (25, 3, 25)


def test_interrupted_run_keeps_committed_batches_and_finishes_on_rerun(tmp_path: Path) -> None:
    folder = archive_folder(tmp_path, files=4, per_file=10)
    with Archive(tmp_path / "ix") as archive:
        with pytest.raises(Interrupted) as stopped:
            archive.index_paths([folder], progress=interrupt_after(2), batch_size=10)
        assert stopped.value.committed == 20 and len(archive) == 20
        report = archive.index_paths([folder], batch_size=10)
        assert (report.added, report.unchanged, len(archive)) == (20, 20, 40)
        assert archive.check() == []


def test_a_first_build_stopped_before_its_merge_is_merged_by_the_next_run(tmp_path: Path) -> None:
    """A first build writes its batches uncompressed and merges them at its end: stopped before,
    the run that finishes it merges too, though it writes only the last quarter of the index."""
    folder = archive_folder(tmp_path, files=4, per_file=50)
    with Archive(tmp_path / "ix") as archive:
        with pytest.raises(Interrupted):
            archive.index_paths([folder], progress=interrupt_after(3), batch_size=50)
        assert len(archive) == 150 and len(archive._ix._segments()) == 3
        report = archive.index_paths([folder], batch_size=50)
        assert (report.added, report.unchanged, len(archive)) == (50, 150, 200)
        assert len(archive._ix._segments()) == 1 and archive.check() == []
        assert not list(tmp_path.glob("ix/*unmerged"))  # nothing left to finish
        # An update of the finished index is small again: it does not rewrite the index.
        write_jsonl(folder / "part4.jsonl", articles(10, start=200))
        archive.index_paths([folder], batch_size=50)
        assert len(archive) == 210 and len(archive._ix._segments()) == 2


def test_locked_index_names_the_writer_pid(tmp_path: Path) -> None:
    Archive(tmp_path / "ix").close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from whoosh import index;"
         "w = index.open_dir(sys.argv[1], indexname='articles').writer();"
         "open(sys.argv[1] + '/writer.pid', 'w').write(str(__import__('os').getpid()));"
         "print('locked', flush=True); time.sleep(30)", str(tmp_path / "ix")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with Archive(tmp_path / "ix", lock_timeout=0.2) as archive, pytest.raises(IndexLocked) as locked:
            archive.add(Article(id="x", title="Pékin"))
        assert f"pid {holder.pid}" in str(locked.value)
    finally:
        holder.kill()
        holder.wait()
    # The OS released the dead writer's lock: writing works at once.
    with Archive(tmp_path / "ix", lock_timeout=0.2) as archive:
        assert archive.add(Article(id="x", title="Pékin")) == "added"


_KILLED_MID_BATCH = """
import os, sys
from searchlib import Archive
writer = Archive(sys.argv[1])._writer(jobs=2)
for i in range(200):
    writer.add_document(id=f"a{i}", title="Pékin", text="Une cyberattaque visait Pékin.")
with open(sys.argv[2], "w") as note:
    note.write(" ".join(str(task.pid) for task in writer.tasks))
os.kill(os.getpid(), 9)
"""


def _workers_left_by_a_killed_run(script: str, tmp_path: Path) -> list[int]:
    """Runs ``script`` (which notes its workers' pids, then kills itself) and gives the pids of
    the workers still alive 10 s later, killing them: a worker left behind holds the index's lock."""
    note = tmp_path / "workers"
    # No pipe to the process: an orphaned worker would hold it open.
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "ix"), str(note)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
    workers = [int(pid) for pid in note.read_text().split()]
    assert done.returncode == -signal.SIGKILL and len(workers) == 2
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def _the_lock_is_free_and_the_batch_in_flight_lost(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix", lock_timeout=1) as archive:
        archive.add(Article(id="after", title="Après", body="Un article de plus."))
        assert len(archive) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a worker checks its parent through getppid")
def test_workers_of_a_killed_indexing_process_die_with_it_and_free_the_index(tmp_path: Path) -> None:
    assert _workers_left_by_a_killed_run(_KILLED_MID_BATCH, tmp_path) == [], "a worker outlived its killed parent"
    _the_lock_is_free_and_the_batch_in_flight_lost(tmp_path)


_KILLED_WHILE_WORKERS_REPORT = """
import os, sys, time
from searchlib import Archive
writer = Archive(sys.argv[1])._writer(jobs=2)
for i in range(400):  # many distinct words: each worker's result is more than a pipe holds
    writer.add_document(id=f"a{i}", title="Pékin", text=" ".join(f"mot{i}x{j}" for j in range(60)))
writer._enqueue()
for _ in writer.tasks:
    writer.jobqueue.put(None)  # as a commit does: the workers write their segments and report
with open(sys.argv[2], "w") as note:
    note.write(" ".join(str(task.pid) for task in writer.tasks))
time.sleep(2)  # the workers are sending their results, which nobody reads
os.kill(os.getpid(), 9)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a worker checks its parent through getppid")
def test_workers_reporting_to_a_killed_parent_end_and_free_the_index(tmp_path: Path) -> None:
    assert _workers_left_by_a_killed_run(_KILLED_WHILE_WORKERS_REPORT, tmp_path) == [], "a worker stuck sending its result"
    _the_lock_is_free_and_the_batch_in_flight_lost(tmp_path)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[-1][0] != "Z"  # a zombie waits only for its reaping
    except FileNotFoundError:
        return False


def test_killed_indexing_process_leaves_a_sound_index_and_rerun_completes(tmp_path: Path) -> None:
    folder = archive_folder(tmp_path, files=6, per_file=150)
    command = [sys.executable, "-m", "searchlib", "index", str(folder), "--index", str(tmp_path / "ix"), "--batch", "50"]
    for delay in (0.8, 1.6):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (tmp_path / "ix" / "searchlib.json").exists():
            with Archive.open(tmp_path / "ix") as archive:
                assert archive.check() == []
                count = len(archive)
                if count:
                    assert archive.search("pekin", limit=1).total == count
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 900 and archive.check() == []


def test_one_archive_shared_by_many_threads(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
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
    assert (result.exit_code, result.stdout) == (0, "10 added, 0 updated, 0 unchanged, 0 removed, 0 failed\n")
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 10 and archive.check() == []


def test_disk_full_during_a_commit_is_one_clear_error_and_the_index_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from whoosh.writing import SegmentWriter

    from searchlib.errors import IndexWriteError

    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([write_jsonl(tmp_path / "a.jsonl", articles(10))])

        def disk_full(self: SegmentWriter, *args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(SegmentWriter, "commit", disk_full)
        with pytest.raises(IndexWriteError) as full:
            archive.index_paths([write_jsonl(tmp_path / "b.jsonl", articles(10, start=10))])
        assert "No space left on device" in str(full.value)
        monkeypatch.undo()
        assert len(archive) == 10 and archive.check() == []
        assert archive.index_paths([tmp_path / "b.jsonl"]).added == 10  # nothing was recorded as done


def test_a_full_disk_at_the_start_of_a_first_build_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from searchlib.errors import IndexWriteError

    def disk_full(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with Archive(tmp_path / "ix") as archive:
        monkeypatch.setattr(Path, "touch", disk_full)  # the first thing a first build writes
        with pytest.raises(IndexWriteError, match="No space left on device"):
            archive.index_paths([write_jsonl(tmp_path / "a.jsonl", articles(10))])
        monkeypatch.undo()
        assert archive.index_paths([tmp_path / "a.jsonl"]).added == 10


def test_a_creation_killed_before_the_index_existed_is_finished_next_time(tmp_path: Path) -> None:
    from searchlib.backends.whoosh import manifest

    (tmp_path / "ix").mkdir()
    manifest.write(tmp_path / "ix", manifest.FIRST_INDEX_NAME)  # as a kill right after this step leaves it
    with Archive(tmp_path / "ix") as archive:
        assert archive.add(Article(id="a", title="Pékin")) == "added"
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 1


def test_a_file_too_large_to_be_one_article_is_reported_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib.ingest.sources import text

    monkeypatch.setattr(text, "ARTICLE_FILE_LIMIT", 1000)
    (tmp_path / "huge.txt").write_text("Pékin. " * 400, encoding="utf-8")
    (tmp_path / "small.txt").write_text("Alerte à Pékin\n\nUn texte court.", encoding="utf-8")
    report = Archive.in_memory().index_paths([tmp_path])
    assert report.added == 1
    assert [(Path(f.path).name, "larger than" in f.reason) for f in report.failed] == [("huge.txt", True)]


def test_permission_denied_while_writing_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.filedb.filestore import FileStorage

    from searchlib.errors import IndexWriteError

    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([write_jsonl(tmp_path / "a.jsonl", articles(5))])

        def denied(self: FileStorage, name: str, *args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(FileStorage, "create_file", denied)
        with pytest.raises(IndexWriteError) as refused:
            archive.index_paths([write_jsonl(tmp_path / "b.jsonl", articles(5, start=5))])
        assert "Permission denied" in str(refused.value)
        monkeypatch.undo()
        assert len(archive) == 5 and archive.check() == []


def test_a_search_that_runs_too_long_stops_with_partial_results_and_says_so() -> None:
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

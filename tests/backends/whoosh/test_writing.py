"""Never lose an archive while writing it (searchlib.backends.whoosh.writing): batches, interruptions,
killed processes and workers, locks, full disks, worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from whoosh import index as whoosh_index

from searchlib import Archive, Article, IndexLocked
from searchlib.errors import Interrupted
from tests.corpora import SAMPLE_JSONL, archive_folder, articles, interrupt_after, write_jsonl


def test_long_runs_commit_in_batches(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", articles(25))
    with Archive(tmp_path / "ix") as archive:
        report = archive.index_paths([source], batch_size=10)
        assert (report.added, report.batches, len(archive)) == (25, 3, 25)


def test_interrupted_run_keeps_committed_batches_and_finishes_on_rerun(tmp_path: Path) -> None:
    folder = archive_folder(tmp_path, files=4, per_file=10)
    with Archive(tmp_path / "ix") as archive:
        with pytest.raises(Interrupted) as stopped:
            archive.index_paths([folder], progress=interrupt_after(folder, 2), batch_size=10)
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
            archive.index_paths([folder], progress=interrupt_after(folder, 3), batch_size=50)
        assert len(archive) == 150 and len(archive._backend._ix._segments()) == 3
        report = archive.index_paths([folder], batch_size=50)
        assert (report.added, report.unchanged, len(archive)) == (50, 150, 200)
        assert len(archive._backend._ix._segments()) == 1 and archive.check() == []
        assert not list(tmp_path.glob("ix/*unmerged"))  # nothing left to finish
        # An update of the finished index is small again: it does not rewrite the index.
        write_jsonl(folder / "part4.jsonl", articles(10, start=200))
        archive.index_paths([folder], batch_size=50)
        assert len(archive) == 210 and len(archive._backend._ix._segments()) == 2


@pytest.mark.slow
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
writer = Archive(sys.argv[1])._backend._writer(jobs=2)
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


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a worker checks its parent through getppid")
def test_workers_of_a_killed_indexing_process_die_with_it_and_free_the_index(tmp_path: Path) -> None:
    assert _workers_left_by_a_killed_run(_KILLED_MID_BATCH, tmp_path) == [], "a worker outlived its killed parent"
    _the_lock_is_free_and_the_batch_in_flight_lost(tmp_path)


_KILLED_WHILE_WORKERS_REPORT = """
import os, sys, time
from searchlib import Archive
writer = Archive(sys.argv[1])._backend._writer(jobs=2)
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


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_indexing_with_worker_processes_finds_the_same_and_never_duplicates(tmp_path: Path) -> None:
    from searchlib import Archive

    from searchlib.backends.whoosh import arrays as topk
    from searchlib.analysis.copy_keys import word_simhash

    found = {}
    words = {}
    keys = {}
    for jobs in (1, 2):
        with Archive(tmp_path / f"ix{jobs}") as archive:
            report = archive.index_paths([SAMPLE_JSONL], batch_size=50, jobs=jobs)
            assert (report.added, report.batches) == (199, 4)
            again = archive.index_paths([SAMPLE_JSONL], jobs=jobs)
            assert again.unchanged == 199 and again.added == 0
            assert len(archive) == 199 and archive.check() == []
            found[jobs] = [(hit.id, round(hit.score, 4)) for hit in archive.search("pekin attentat", limit=20).hits]
            vocabulary = archive._backend.view().vocabulary()
            words[jobs] = (vocabulary.counts, vocabulary.articles)
            searcher = archive._backend._searcher()
            engine = topk.engine(searcher)
            stored = [searcher.stored_fields(n) for n in range(engine.reader.doc_count_all())]
            keys[jobs] = {fields["id"]: engine.copy_key(n)[0] for n, fields in enumerate(stored)}
            # The workers read each body's key from the words they numbered: the body's own key.
            assert keys[jobs] == {fields["id"]: word_simhash(fields.get("body", "")) for fields in stored}
    assert found[1] == found[2] and found[1]
    assert keys[1] == keys[2] and sum(key is not None for key in keys[1].values()) > 100
    # The workers count the words of what they write: the same list as one process's.
    assert words[1] == words[2] and words[1][1] == 199


@pytest.mark.slow
def test_a_worker_that_dies_commits_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from whoosh.multiproc import SubWriterTask

    from searchlib import Archive
    from searchlib.errors import IndexWriteError

    def die(self: SubWriterTask, filename: str, doc_count: int) -> None:
        os._exit(3)

    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([SAMPLE_JSONL], batch_size=100, jobs=2)
        monkeypatch.setattr(SubWriterTask, "_process_file", die)
        archive.add_many([])  # nothing to commit: unaffected
        extra = tmp_path / "more.jsonl"
        extra.write_text(SAMPLE_JSONL.read_text(encoding="utf-8").replace('"id": "winer-', '"id": "more-'), encoding="utf-8")
        with pytest.raises(IndexWriteError, match="worker"):
            archive.index_paths([extra], jobs=2)
        monkeypatch.undo()
        assert len(archive) == 199
        assert archive.index_paths([extra], jobs=2).added == 199
        assert len(archive) == 398 and archive.check() == []

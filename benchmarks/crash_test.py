"""Kill a real `searchlib index` with SIGKILL at random moments; nothing committed may be lost.

Builds a corpus of French Wikinews articles (CC BY 2.5; ../shared/data/wikinews-fr-winer, else the
shipped sample) replicated under new ids to 6,000 articles in 12 JSON Lines files, times one full
indexing run, then over and over starts

    python -m searchlib index CORPUS --index IX --batch 200

and kills it after a random delay (seeded). Each run resumes the index the killed one left, so the
kills walk through the whole build: creating the index, the first commits, the merges of late
commits. A run that finishes before its kill is checked (all articles there) and the index is
started afresh. After every kill the index is opened with the public API and must pass
``Archive.check()``, answer a search, hold no duplicate id, and keep every article that was
committed just before the kill. A last run of the same command must then finish the job: exactly
the corpus, every article found by its id.

    python benchmarks/crash_test.py                 # 30 kills, about 4 minutes
    python benchmarks/crash_test.py --kills 5 --seed 1
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from corpus import CORPUS, FALLBACK, build_corpus  # benchmarks/corpus.py, beside this script
from searchlib import Archive, IndexNotFound

SEARCH_WORD = "france"


@dataclass
class Snapshot:
    """What the public API sees of an index (None when there is no index yet)."""

    count: int
    ids: set[str]
    iterated: int
    problems: list[str]
    search_total: int


def look(index: Path) -> Snapshot | None:
    try:
        archive = Archive.open(index)
    except IndexNotFound:
        return None
    with archive:
        problems = archive.check()
        ids = [article.id for article in archive]
        count = len(archive)
        total = archive.search(SEARCH_WORD, limit=1).total if count else 0
    distinct = set(ids)
    if len(distinct) != len(ids) or count != len(distinct):
        problems.append(f"len() says {count}, iteration gives {len(ids)} articles, {len(distinct)} distinct ids")
    return Snapshot(count, distinct, len(ids), problems, total)


def committed_ids(index: Path) -> set[str] | None:
    """The ids committed so far, read while the writer runs; None if the index cannot be read yet."""
    try:
        with Archive.open(index) as archive:
            return {article.id for article in archive}
    except Exception:  # noqa: BLE001 - e.g. the instant between Whoosh's first TOC and searchlib.json
        return None


@dataclass
class Tally:
    tried: int = 0
    survived: int = 0
    finished_before_kill: int = 0
    before_index_existed: int = 0
    lost: int = 0
    duplicates: int = 0
    fresh_indexes: int = 1
    unread_before_kill: int = 0
    largest: int = 0
    failures: list[str] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=30, help="SIGKILLs to deliver (default 30)")
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--batch", type=int, default=200, help="--batch of the indexing runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--max-delay", type=float, default=8.0, help="longest wait before a kill, in seconds (bounds each cycle)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    work = Path(tempfile.mkdtemp(prefix="searchlib-crash-"))
    try:
        run(args, rng, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, rng: random.Random, work: Path) -> None:
    corpus = work / "corpus"
    expected = build_corpus(corpus, args.articles, args.files)
    index = work / "index"
    logs = work / "logs"
    logs.mkdir()
    def indexing(target: Path) -> list[str]:
        return [sys.executable, "-m", "searchlib", "index", str(corpus), "--index", str(target), "--batch", str(args.batch)]

    command = indexing(index)
    print(f"corpus: {len(expected)} articles in {args.files} files ({CORPUS if CORPUS.exists() else FALLBACK})")
    print("command:", " ".join(command).replace(str(work), "$WORK"))

    full_run, longest_wait, clean_size = time_one_run(indexing(work / "timing"), work / "timing")
    # A run must get a chance to reach its next commit, merges included, or the kills would
    # all land in the same stretch of the build.
    cap = max(args.max_delay, 1.5 * longest_wait)
    print(f"one full run: {full_run:.1f} s, {clean_size / 2**20:.0f} MiB; longest wait for a commit "
          f"{longest_wait:.1f} s; kills drawn in [0, min({cap:.1f} s, time the run has left)]")  # fmt: skip

    tally = Tally()
    previous: Snapshot | None = None
    attempts = 0
    while tally.tried < args.kills and attempts < args.kills * 3:
        attempts += 1
        done = previous.count / len(expected) if previous else 0.0
        remaining = 0.4 + full_run * (1.0 - done)
        delay = rng.uniform(0.0, min(cap, remaining))
        log = (logs / f"run{attempts:03d}.log").open("w")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(delay)
        # What was committed an instant before the kill must survive it.
        before = committed_ids(index) if process.poll() is None and (index / "searchlib.json").exists() else None
        if process.poll() is not None:
            process.wait()
            log.close()
            after = look(index)
            tally.finished_before_kill += 1
            if process.returncode != 0 or after is None or after.count != len(expected) or after.problems:
                tally.failures.append(f"run {attempts} finished without a kill but: exit {process.returncode}, "
                                      f"{after.count if after else 'no index'} articles, "
                                      f"{after.problems if after else ''}; see its log")  # fmt: skip
            print(f"run {attempts:3d}: finished before its kill at {delay:.2f} s; {after.count if after else 0} "
                  "articles; starting a fresh index")  # fmt: skip
            shutil.rmtree(index, ignore_errors=True)
            tally.fresh_indexes += 1
            previous = None
            continue
        process.send_signal(signal.SIGKILL)
        process.wait()
        log.close()
        tally.tried += 1
        try:
            after = look(index)
        except Exception as error:  # noqa: BLE001 - an index that does not open is what we look for
            tally.failures.append(f"kill {tally.tried} (run {attempts}, {delay:.2f} s): the index does not open: "
                                  f"{type(error).__name__}: {error}")  # fmt: skip
            print(f"kill {tally.tried:3d} at {delay:5.2f} s: INDEX DOES NOT OPEN: {type(error).__name__}: {error}")
            kept = work.parent / f"searchlib-crash-broken-{tally.tried}"
            shutil.copytree(index, kept, dirs_exist_ok=True)
            print(f"          copy of the broken index kept in {kept}")
            shutil.rmtree(index, ignore_errors=True)
            tally.fresh_indexes += 1
            previous = None
            continue
        if after is None:
            tally.before_index_existed += 1
            tally.survived += 1
            print(f"kill {tally.tried:3d} at {delay:5.2f} s: before the index existed")
            continue
        if before is None and previous is not None:
            tally.unread_before_kill += 1
        lost = (previous.ids if previous else set()) | (before or set())
        lost -= after.ids
        tally.lost += len(lost)
        tally.duplicates += after.iterated - len(after.ids) + max(0, after.count - len(after.ids))
        sound = not after.problems and not lost and (after.count == 0 or after.search_total > 0)
        if sound:
            tally.survived += 1
        else:
            tally.failures.append(f"kill {tally.tried} (run {attempts}, {delay:.2f} s): problems {after.problems}, "
                                  f"{len(lost)} committed articles lost (e.g. {sorted(lost)[:3]}), "
                                  f"search total {after.search_total}")  # fmt: skip
        tally.largest = max(tally.largest, size_of(index))
        print(f"kill {tally.tried:3d} at {delay:5.2f} s: {after.count:5d} articles "
              f"(+{after.count - (previous.count if previous else 0)}; {len(before or ())} committed just before), "
              f"{'ok' if sound else 'PROBLEM'}")  # fmt: skip
        previous = after

    finished = subprocess.run(command, capture_output=True, text=True)
    print("final run:", finished.stdout.strip().replace("\n", " / "), f"(exit {finished.returncode})")
    with Archive.open(index) as archive:
        final_problems = archive.check()
        ids = [article.id for article in archive]
        final_count = len(archive)
        missing = [article_id for article_id in expected if not _found(archive, article_id)]
    wanted = set(expected)
    final_duplicates = len(ids) - len(set(ids))
    extra = set(ids) - wanted
    tally.duplicates += final_duplicates

    print()
    print(f"kills tried:                 {tally.tried}")
    print(f"kills survived:              {tally.survived} (index opened, check() clean, search answered)")
    print(f"  of which before the index existed: {tally.before_index_existed}")
    print(f"runs that finished before their kill: {tally.finished_before_kill} (fresh indexes started: {tally.fresh_indexes})")
    print(f"articles lost beyond the batch in flight: {tally.lost} (compared with the index after the "
          f"previous kill and with the ids committed just before each kill; {tally.unread_before_kill} "
          "of those pre-kill reads could not be made)")  # fmt: skip
    print(f"duplicates:                  {tally.duplicates}")
    print(f"index size:                  {tally.largest / 2**20:.0f} MiB at most between kills (leftovers of "
          f"killed runs), {size_of(index) / 2**20:.0f} MiB after the final run, {clean_size / 2**20:.0f} MiB "
          "for an uninterrupted run")  # fmt: skip
    print(f"final count:                 {final_count} of {len(expected)} "
          f"(missing by id: {len(missing)}, unexpected: {len(extra)}, check: {final_problems or 'clean'})")  # fmt: skip
    failures = list(tally.failures)
    if finished.returncode != 0:
        failures.append(f"the final run exited {finished.returncode}: {finished.stderr.strip()}")
    if final_count != len(expected) or missing or extra or final_problems or final_duplicates:
        failures.append(f"final index: {final_count} articles, {len(missing)} missing (e.g. {missing[:3]}), "
                        f"{len(extra)} unexpected, {final_duplicates} duplicates, {final_problems}")  # fmt: skip
    for failure in failures:
        print("FAILURE:", failure)
    if failures:
        sys.exit(1)


def time_one_run(command: list[str], index: Path) -> tuple[float, float, int]:
    """Seconds of an uninterrupted run, the longest wait for a commit (from the start or the
    commit before), and the index's size. Commits are seen as Whoosh writes a new table of
    contents (``_articles_N.toc``)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    commits: list[float] = [0.0]
    seen: set[str] = set()
    while process.poll() is None:
        tocs = {path.name for path in index.glob("_*.toc")} if index.exists() else set()
        if tocs - seen:
            commits.append(time.monotonic() - started)
            seen |= tocs
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"the timing run failed: {process.stderr.read() if process.stderr else ''}")
    size = size_of(index)
    shutil.rmtree(index)
    return elapsed, max(b - a for a, b in zip(commits, commits[1:] + [elapsed])), size


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


def _found(archive: Archive, article_id: str) -> bool:
    try:
        return archive.get(article_id).id == article_id
    except Exception:  # noqa: BLE001 - ArticleNotFound, or anything else: not found either way
        return False


if __name__ == "__main__":
    main()

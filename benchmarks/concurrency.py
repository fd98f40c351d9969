"""Searches from many threads through one shared Archive while another process indexes.

Builds the corpus of the crash test (6,000 French Wikinews articles, CC BY 2.5, in 12 JSON Lines
files; ../shared/data/wikinews-fr-winer, else the shipped sample) and starts

    python -m searchlib index CORPUS --index IX --batch 200

As soon as the first batch is committed, the benchmark opens ONE ``Archive`` on IX and THREADS
threads search it without pause, round a fixed list of French words, until the indexing process
exits. This is what an application embedding the API does while the newsroom's archive is being
indexed: it reports the searches per second held, their latency, the errors (must be 0), whether
a search ever saw fewer matches than it had seen before (must not), and whether the threads saw
the article count grow without reopening anything. Then the same threads search the finished,
idle index for a few seconds, for comparison, and every word's total through the long-lived
Archive is checked against a freshly opened one.

    python benchmarks/concurrency.py                 # 8 threads, about a minute
    python benchmarks/concurrency.py --threads 16 --articles 2000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from corpus import build_corpus  # benchmarks/corpus.py, beside this script
from searchlib import Archive


# Common and rare words of the corpus, with and without their accents.
WORDS = [
    "france", "président", "élection", "gouvernement", "paris", "guerre", "économie", "sécurité",
    "securite", "football", "police", "attentat", "santé", "sante", "europe", "pékin", "syrie",
    "ministre", "victoire", "chinoise", "tremblement de terre", "jeux olympiques", "Macron", "Trump",
]  # fmt: skip


@dataclass
class Worker:
    """What one searching thread did and saw."""

    number: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    backwards: list[str] = field(default_factory=list)
    last_total: dict[str, int] = field(default_factory=dict)

    def search_until(self, archive: Archive, stop: threading.Event) -> None:
        step = 0
        while not stop.is_set():
            word = WORDS[(self.number * 7 + step) % len(WORDS)]
            step += 1
            started = time.perf_counter()
            try:
                total = archive.search(word, limit=10).total
                if step % 10 == 0:
                    self.counts.append(len(archive))
            except Exception as error:  # noqa: BLE001 - every error is counted and shown
                self.errors.append(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
                continue
            self.latencies.append(time.perf_counter() - started)
            # Articles are only added: a thread must never see a word match fewer articles than before.
            if total < self.last_total.get(word, 0):
                self.backwards.append(f"{word!r}: {self.last_total[word]} then {total}")
            self.last_total[word] = total


def run_threads(archive: Archive, threads: int, until: threading.Event | float) -> tuple[list[Worker], float]:
    """Runs the searching threads until the event is set (or for that many seconds); returns them
    and the seconds they ran."""
    stop = threading.Event()
    workers = [Worker(n) for n in range(threads)]
    pool = [threading.Thread(target=w.search_until, args=(archive, stop), daemon=True) for w in workers]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    if isinstance(until, threading.Event):
        until.wait()
    else:
        time.sleep(until)
    stop.set()
    elapsed = time.perf_counter() - started
    for thread in pool:
        thread.join()
    return workers, elapsed


def summary(label: str, workers: list[Worker], elapsed: float) -> dict[str, float]:
    latencies = sorted(x for w in workers for x in w.latencies)
    errors = sum(len(w.errors) for w in workers)
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
    rate = len(latencies) / elapsed
    print(f"{label}: {len(latencies)} searches in {elapsed:.1f} s = {rate:.0f} searches/s; "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms; "
          f"errors {errors}")  # fmt: skip
    return {"rate": rate, "p50": p50, "p95": p95, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--batch", type=int, default=200, help="--batch of the indexing run")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of searching the finished index")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="searchlib-concurrency-"))
    try:
        failures = run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAILURE:", failure)
    if failures:
        sys.exit(1)


def run(args: argparse.Namespace, work: Path) -> list[str]:
    corpus, index = work / "corpus", work / "index"
    expected = build_corpus(corpus, args.articles, args.files)
    command = [sys.executable, "-m", "searchlib", "index", str(corpus), "--index", str(index), "--batch", str(args.batch)]
    print(f"corpus: {len(expected)} articles in {args.files} files; {args.threads} threads share one Archive")
    print("command:", " ".join(command).replace(str(work), "$WORK"))
    failures: list[str] = []

    started = time.perf_counter()
    indexer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not (index / "searchlib.json").exists():
        if indexer.poll() is not None:
            return [f"the indexing run ended before creating the index: {indexer.stderr.read() if indexer.stderr else ''}"]
        time.sleep(0.02)
    archive = Archive.open(index)
    while len(archive) == 0:  # the same Archive must see the first commit come in
        time.sleep(0.02)
    opened_at = time.perf_counter() - started
    first_count = len(archive)
    print(f"opened the Archive {opened_at:.1f} s into the run, at {first_count} articles")

    finished = threading.Event()

    def wait_for_indexer() -> None:
        indexer.wait()
        finished.set()

    threading.Thread(target=wait_for_indexer, daemon=True).start()
    workers, elapsed = run_threads(archive, args.threads, finished)
    out, err = indexer.communicate()
    print(f"indexing run: {time.perf_counter() - started:.1f} s, exit {indexer.returncode}: "
          f"{out.strip().splitlines()[0] if out.strip() else err.strip()}")  # fmt: skip
    if indexer.returncode != 0:
        failures.append(f"the indexing run exited {indexer.returncode}: {err.strip()}")
    during = summary("during indexing", workers, elapsed)

    seen = sorted({count for w in workers for count in w.counts})
    grew = [w.number for w in workers if len(set(w.counts)) > 1]
    print(f"article counts seen by the threads: {len(seen)} different, from {seen[0] if seen else '-'} "
          f"to {seen[-1] if seen else '-'}; {len(grew)} of {args.threads} threads saw the count grow")  # fmt: skip
    final = len(archive)
    print(f"the long-lived Archive now counts {final} articles (corpus: {len(expected)})")
    if final != len(expected):
        failures.append(f"the shared Archive sees {final} articles after the run, not {len(expected)}")
    if len(grew) < args.threads:
        failures.append(f"threads {sorted(set(range(args.threads)) - set(grew))} never saw the count grow")
    backwards = [line for w in workers for line in w.backwards]
    print(f"searches that found fewer articles than that thread had seen before: {len(backwards)}")
    failures += [f"a total went backwards: {line}" for line in backwards[:5]]
    errors = [line for w in workers for line in w.errors]
    failures += [f"search error: {line}" for line in errors[:3]]

    if args.idle > 0:
        idle_workers, idle_elapsed = run_threads(archive, args.threads, args.idle)
        summary("idle index (after)", idle_workers, idle_elapsed)
        failures += [f"search error on the idle index: {line}" for w in idle_workers for line in w.errors][:3]

    with Archive.open(index) as fresh:
        differ = [w for w in WORDS if archive.search(w).total != fresh.search(w).total]
    print(f"words whose total differs between the long-lived Archive and a fresh one: {len(differ)}")
    if differ:
        failures.append(f"the long-lived Archive and a fresh one disagree on {differ}")
    archive.close()
    if during["errors"]:
        failures.append(f"{during['errors']:.0f} search errors during indexing")
    return failures


if __name__ == "__main__":
    main()

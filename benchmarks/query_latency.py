"""Query latency on an existing searchlib index, beside SQLite FTS5 on the same articles and queries.

    searchlib index ../shared/data/orangesum-fr-news/ --index /tmp/qlat/index      # once, a few minutes
    python benchmarks/query_latency.py /tmp/qlat/index
    python benchmarks/query_latency.py /tmp/qlat/index --queries 200 --rounds 3 --json
    python benchmarks/query_latency.py /tmp/qlat/index --modes plain,facets --no-fts5

The queries (``--queries``, default 200, seed ``--seed``) are one to four content words of stored
titles: a fifth of them quoted as phrases, a third typed without accents. Every search asks for the
top 10 with snippets from a warm searcher (a different set of queries is run first, untimed); each
mode has an Archive (a searcher and its caches) of its own. Modes:

- ``plain``: ``archive.search(q)`` (wire copies grouped, the default);
- ``all-copies``: the same with ``all_copies=True``;
- ``facets``: counts by source, section, author, year and month over every match;
- ``filters``: a date range (``--from``/``--to``) and a section (``--section``; OrangeSum names no
  source, so the section stands in for the name filters) — ``--source`` adds a source filter;
- ``sort``: ``sort="date"``; ``page5``: the fifth page of ten;
- ``no-second-look``: ``plain`` without the second look at the best hits (``searchlib.search.second_look``,
  ``ranking.RERANK_DEPTH = 0``): what that ranking step costs.

``fts5`` is SQLite FTS5 (stdlib ``sqlite3``, in memory, ``unicode61 remove_diacritics 2``, no
stemming), built from the index's stored articles: the OR of the query's words (a phrase stays a
phrase), ranked by ``bm25``, ten rows with title, date and a ``snippet()`` — the baseline of the
speed issue. Modes run interleaved, query by query, so that a busy machine slows all of them alike:
compare the ratios of one run, not absolute figures across runs. The mode listed first runs first
for each query and comes out a little slower (up to 0.4 ms at p50 on OrangeSum): to compare two
modes closely, run them in both orders.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from relevance import SITE_SUFFIX, TITLE_STOP_WORDS, WORD, strip_accents  # noqa: E402

from searchlib import Archive  # noqa: E402
from searchlib.search import ranking  # noqa: E402
from searchlib.errors import EmptyQuery  # noqa: E402

FACETS = ["source", "section", "author", "year", "month"]
MODES = ("plain", "all-copies", "facets", "filters", "sort", "page5", "no-second-look")
WARMUP_QUERIES = 50


def titles_of(archive: Archive) -> list[str]:
    return [article.title for article in archive]


def make_queries(titles: list[str], n: int, seed: int) -> list[str]:
    """``n`` queries of 1-4 consecutive title words (length >= 3, no stop words): one in five a
    quoted phrase (of 2-3 words), one in three without accents."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < n:
        title = SITE_SUFFIX.sub("", rng.choice(titles))
        words = [w for w in WORD.findall(title) if len(w) >= 3 and w.lower() not in TITLE_STOP_WORDS]
        if not words:
            continue
        k = len(queries)
        if k % 5 == 4 and len(words) >= 2:
            size = rng.randint(2, min(3, len(words)))
            start = rng.randint(0, len(words) - size)
            text = '"' + " ".join(words[start : start + size]) + '"'
        else:
            size = rng.randint(1, min(4, len(words)))
            start = rng.randint(0, len(words) - size)
            text = " ".join(words[start : start + size])
        queries.append(strip_accents(text) if k % 3 == 2 else text)
    return queries


class Fts5:
    """The FTS5 baseline over the same stored articles."""

    def __init__(self, archive: Archive) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, id UNINDEXED, date UNINDEXED, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        rows = (
            (a.title, "\n".join(p for p in (a.lede, a.body) if p), a.id, a.date.isoformat() if a.date else None)
            for a in archive
        )
        self.db.executemany("INSERT INTO docs(title, body, id, date) VALUES (?, ?, ?, ?)", rows)
        self.db.commit()

    def search(self, query: str) -> int:
        phrase = query.startswith('"')
        words = WORD.findall(query)
        match = '"' + " ".join(words) + '"' if phrase else " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute(
            "SELECT id, title, date, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
            "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
            (match,),
        ).fetchall()
        return len(rows)


def runners(args: argparse.Namespace, fts5: Fts5 | None) -> dict[str, Callable[[str], object]]:
    """One search function per mode, each with an Archive of its own: a mode never finds the
    postings or columns another mode read already in its searcher's caches."""
    filters: dict[str, object] = {"date_from": args.date_from, "date_to": args.date_to, "sections": [args.section]}
    if args.source:
        filters["sources"] = [args.source]
    options: dict[str, dict[str, object]] = {
        "plain": {},
        "all-copies": {"all_copies": True},
        "facets": {"facets": FACETS},
        "filters": filters,
        "sort": {"sort": "date"},
        "page5": {"page": 5},
        "no-second-look": {},
    }
    chosen: dict[str, Callable[[str], object]] = {}
    for mode in args.modes:
        archive = Archive.open(args.index)
        chosen[mode] = lambda q, archive=archive, kw=options[mode]: archive.search(q, **kw)
    if "no-second-look" in chosen:
        chosen["no-second-look"] = without_second_look(chosen["no-second-look"])
    if fts5 is not None:
        chosen["fts5"] = fts5.search
    return chosen


def without_second_look(search: Callable[[str], object]) -> Callable[[str], object]:
    def run(query: str) -> object:
        kept, ranking.RERANK_DEPTH = ranking.RERANK_DEPTH, 0
        try:
            return search(query)
        finally:
            ranking.RERANK_DEPTH = kept

    return run


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def run(queries: list[str], warmup: list[str], modes: dict[str, Callable[[str], object]],
        rounds: int) -> dict[str, list[float]]:
    def once(fn: Callable[[str], object], q: str) -> float:
        start = time.perf_counter()
        try:
            fn(q)
        except EmptyQuery:
            pass
        return (time.perf_counter() - start) * 1000

    for q in warmup:
        for fn in modes.values():
            once(fn, q)
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(rounds):
        for q in queries:
            for mode, fn in modes.items():
                times[mode].append(once(fn, q))
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path, help="an existing searchlib index directory")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=1, help="times each query is run per mode")
    ap.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, among {','.join(MODES)}")
    ap.add_argument("--from", dest="date_from", default="2019-01-01")
    ap.add_argument("--to", dest="date_to", default="2019-12-31")
    ap.add_argument("--section", default="france")
    ap.add_argument("--source", default=None)
    ap.add_argument("--no-fts5", action="store_true", help="skip the SQLite FTS5 baseline")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--profile", metavar="MODE", help="cProfile one mode over the queries instead; prints the top")
    args = ap.parse_args(argv)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := [m for m in args.modes if m not in MODES]:
        ap.error(f"unknown mode(s) {unknown}")

    archive = Archive.open(args.index)
    start = time.perf_counter()
    titles = titles_of(archive)
    queries = make_queries(titles, args.queries, args.seed)
    warmup = make_queries(titles, WARMUP_QUERIES, args.seed + 1000)
    fts5 = None if args.no_fts5 or args.profile else Fts5(archive)
    print(f"{len(titles)} articles, {len(queries)} queries; prepared in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)

    modes = runners(args, fts5)
    if args.profile:
        import cProfile
        import pstats

        fn = modes[args.profile]
        for q in warmup:
            fn(q)
        profiler = cProfile.Profile()
        profiler.enable()
        for q in queries:
            try:
                fn(q)
            except EmptyQuery:
                pass
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return 0

    times = run(queries, warmup, modes, args.rounds)
    base = statistics.median(times["fts5"]) if "fts5" in times else None
    base95 = percentile(times["fts5"], 95) if "fts5" in times else None
    report = {
        "articles": len(titles),
        "queries": len(queries),
        "rounds": args.rounds,
        "modes": {
            mode: {
                "p50_ms": round(statistics.median(values), 2),
                "p95_ms": round(percentile(values, 95), 2),
                "p99_ms": round(percentile(values, 99), 2),
                "mean_ms": round(statistics.fmean(values), 2),
            }
            for mode, values in times.items()
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['articles']} articles, {report['queries']} queries x {args.rounds} round(s), top 10 with snippets")
    header = f"{'mode':<11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}"
    if base:
        header += f" {'p50/fts5':>9} {'p95/fts5':>9}"
    print(header)
    for mode, row in report["modes"].items():
        line = f"{mode:<11} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['mean_ms']:>8.2f}"
        if base:
            line += f" {row['p50_ms'] / base:>9.2f} {row['p95_ms'] / base95:>9.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

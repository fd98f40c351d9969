"""The research tools (trend, concordance, associated terms, export) beside the plain search of the
same queries, on an existing index, measured side by side in one run.

    searchlib index ../shared/data/orangesum-fr-news/ --index /tmp/os-index --jobs 1    # once
    python benchmarks/research.py /tmp/os-index
    python benchmarks/research.py /tmp/os-index --queries 100 --rounds 3 --json

The queries (``--queries``, seed ``--seed``) are made as benchmarks/query_latency.py makes them: one
to four words of stored titles, some quoted, some without accents. For each query, in turn and
interleaved so that a busy machine slows every step alike (from a warm searcher; other queries run
first, untimed):

- ``search``: ``archive.search(q)``, the top 10 with snippets (the yardstick);
- ``trend5``: ``archive.trend([q and the next 4 queries], by="month")``: goal ≤ 3× one search;
- ``kwic``: ``archive.kwic(q)``, the first page of 50 lines: goal ≤ 3× one search;
- ``terms``: ``archive.terms(q)``, for the queries matching 5,000 articles or fewer: goal ≤ 300 ms.

Ratios are of the medians of one run. Then ``export``: ``archive.export(q, limit=N)`` written as
CSV (to a null sink) for a query matching most of OrangeSum, 1,000 and 10,000 rows, each in a
fresh process: rows per second (goal ≥ 5,000) and the memory in use before the export and at most
during it, which stays flat when the rows are streamed.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from query_latency import make_queries, percentile, titles_of  # noqa: E402

from searchlib import Archive  # noqa: E402
from searchlib.errors import SearchlibError  # noqa: E402
from searchlib.models import ExportRow  # noqa: E402
from searchlib.tables import write_csv  # noqa: E402

WARMUP_QUERIES = 20
TERMS_MAX_MATCHES = 5_000
#: A query matching over 10,000 OrangeSum articles: what the export rows come from.
EXPORT_QUERY = "france OR paris"


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def steps(archive: Archive, queries: list[str]) -> dict[str, Callable[[int], object]]:
    """Each step, as a function of the query's number."""
    return {
        "search": lambda i: archive.search(queries[i]),
        "trend5": lambda i: archive.trend([queries[(i + k) % len(queries)] for k in range(5)], by="month"),
        "kwic": lambda i: archive.kwic(queries[i]),
        "terms": lambda i: archive.terms(queries[i]),
    }


def timed(fn: Callable[[int], object], i: int) -> float:
    start = time.perf_counter()
    try:
        fn(i)
    except SearchlibError:
        pass
    return (time.perf_counter() - start) * 1000


def run(archive: Archive, queries: list[str], warmup: list[str], rounds: int) -> dict[str, list[float]]:
    for i in range(len(warmup)):
        for fn in steps(archive, warmup).values():
            timed(fn, i)
    small = [i for i, q in enumerate(queries) if _total(archive, q) <= TERMS_MAX_MATCHES]
    times: dict[str, list[float]] = {name: [] for name in steps(archive, queries)}
    for _ in range(rounds):
        for i in range(len(queries)):
            for name, fn in steps(archive, queries).items():
                if name != "terms" or i in small:
                    times[name].append(timed(fn, i))
    return times


def _total(archive: Archive, query: str) -> int:
    try:
        return archive.search(query, limit=0, snippets=False).total
    except SearchlibError:
        return 0


def summary(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    search = statistics.median(times["search"])
    rows = {}
    for name, values in times.items():
        if not values:
            continue
        p50 = statistics.median(values)
        rows[name] = {"runs": len(values), "p50_ms": round(p50, 2), "p95_ms": round(percentile(values, 95), 2),
                      "x_search": round(p50 / search, 2)}  # fmt: skip
    return rows


def _rss_mb() -> float:
    """The process's memory now (Linux), in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _sampled(rows: Iterator[ExportRow], every: int, into: list[float]) -> Iterator[ExportRow]:
    for i, row in enumerate(rows, 1):
        if i % every == 0:
            into.append(_rss_mb())
        yield row


def export_child(index: Path, query: str, rows: int) -> dict[str, float]:
    """One export in this process: rows per second, and the memory in use before, during (every
    tenth of the rows) and after, which stays flat when the rows are streamed."""
    with Archive.open(index) as archive:
        archive.search(query, limit=1)  # open the searcher and load the columns first
        before, during = _rss_mb(), []
        start = time.perf_counter()
        written = write_csv(_sampled(archive.export(query, limit=rows), max(rows // 10, 1), during), _Null())
        seconds = time.perf_counter() - start
        after = _rss_mb()
    return {"rows": written, "rows_s": round(written / seconds), "seconds": round(seconds, 3),
            "rss_before_mb": round(before, 1), "rss_max_mb": round(max(during, default=after), 1),
            "rss_after_mb": round(after, 1), "growth_mb": round(max(during + [after]) - before, 1)}  # fmt: skip


def export_rows(index: Path, sizes: list[int]) -> dict[str, dict[str, float]]:
    found = {}
    for size in sizes:
        done = subprocess.run(
            [sys.executable, __file__, str(index), "--export-child", str(size)], capture_output=True, text=True, check=True
        )
        found[str(size)] = json.loads(done.stdout)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path, help="an existing searchlib index directory")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--export", default="1000,10000", help="export sizes, comma-separated (empty: none)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--export-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.export_child is not None:
        print(json.dumps(export_child(args.index, EXPORT_QUERY, args.export_child)))
        return 0
    with Archive.open(args.index) as archive:
        titles = titles_of(archive)
        queries = make_queries(titles, args.queries, args.seed)
        warmup = make_queries(titles, WARMUP_QUERIES, args.seed + 1)
        report = {"articles": len(archive), "queries": len(queries), "rounds": args.rounds}
        report["steps"] = summary(run(archive, queries, warmup, args.rounds))
    sizes = [int(size) for size in args.export.split(",") if size]
    report["export"] = {"query": EXPORT_QUERY, **export_rows(args.index, sizes)} if sizes else {}
    print(json.dumps(report, indent=2) if args.json else text(report))
    return 0


def text(report: dict) -> str:
    lines = [f"{report['articles']:,} articles, {report['queries']} queries × {report['rounds']} rounds (medians of one run)",
             f"{'step':<8} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'× search':>9}"]  # fmt: skip
    for name, row in report["steps"].items():
        lines.append(f"{name:<8} {row['runs']:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['x_search']:>9}")
    for size, row in report["export"].items():
        if size != "query":
            lines.append(f"export {size} rows: {row['rows_s']:,} rows/s, memory {row['rss_before_mb']} MB before, "
                         f"{row['rss_max_mb']} at most during (+{row['growth_mb']})")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

"""Pruned search against exhaustive search: the same results on every query, and how much faster.

searchlib finds a search's best articles without scoring every match where it can
(``searchlib/backends/whoosh/pruning.py``). This runs each query twice on the same index and
searcher, pruned and with ``Engine.exhaustive`` (every match scored), and compares what a user
sees: the total, and the first ``--limit`` hits (ids and scores) after the second look and the
grouping of copies. Any difference is listed and the exit status is 1.

    python benchmarks/pruning.py --index /tmp/os-index           # the speed queries (OrangeSum)
    python benchmarks/pruning.py --sets                          # the relevance sets of ../shared/data
    python benchmarks/pruning.py --index DIR --queries 500 --corpus PATH.jsonl[.xz]

With ``--index``: an index built by ``searchlib index`` (say of ``speed.py --scale 10``'s
corpus), searched with ``speed.py``'s queries (fixed seed) drawn from ``--corpus``'s titles. With
``--sets``: each relevance set (PIAF, Service-Public, Wikinews keyphrases and entities) indexed in a
temporary directory and searched with its queries as written and without accents, and OrangeSum
with ``relevance.py --news``'s 1,000 known-item queries. The time is each query's median of three
runs of the match step alone (``View.match``), pruned and exhaustive side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import relevance  # noqa: E402
import speed  # noqa: E402
from searchlib import Archive, Article  # noqa: E402
from searchlib.backends.whoosh import arrays  # noqa: E402
from searchlib.errors import SearchlibError  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SETS = ["piaf-fr-retrieval", "spf-fr-known-item", "wikinews-fr-100", "wikinews-fr-winer"]
ROUNDS = 3


def seen(archive: Archive, query: str, limit: int) -> tuple[int, list[tuple[str, float]]] | str:
    """What a user sees of ``query``: the total and the first hits, or the error's message."""
    try:
        results = archive.search(query, limit=limit, snippets=False)
    except SearchlibError as error:
        return str(error)
    return results.total, [(hit.id, hit.score) for hit in results.hits]


def match_time(archive: Archive, query: str) -> float | None:
    """The median time of the match step of ``query`` (the best 30, every match counted)."""
    from searchlib.search import pipeline
    from searchlib.search.query import make_filters

    view = archive._backend.view()
    try:
        q, parsed, _ = pipeline.resolve(view, archive._queries, query)
    except SearchlibError:
        return None
    request = pipeline.SearchRequest(query=query, filters=make_filters())
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        view.match(q, request.filters, window=request.window)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(archive: Archive, queries: list[str], limit: int, label: str) -> dict[str, Any]:
    """Runs ``queries`` both ways on ``archive``; the differences and the match times."""
    engine = arrays.engine(archive._backend._searcher())
    differences, pruned_times, exhaustive_times = [], [], []
    for query in queries:
        engine.exhaustive = False
        pruned = seen(archive, query, limit)
        pruned_time = match_time(archive, query)
        engine.exhaustive = True
        exhaustive = seen(archive, query, limit)
        exhaustive_time = match_time(archive, query)
        engine.exhaustive = False
        if pruned != exhaustive:
            differences.append(query)
        if pruned_time is not None and exhaustive_time is not None:
            pruned_times.append(pruned_time)
            exhaustive_times.append(exhaustive_time)
    return {
        "set": label, "queries": len(queries), "different": differences,
        "pruned_p50_ms": 1000 * statistics.median(pruned_times) if pruned_times else 0.0,
        "exhaustive_p50_ms": 1000 * statistics.median(exhaustive_times) if exhaustive_times else 0.0,
        "ratio_p50": statistics.median(p / e for p, e in zip(pruned_times, exhaustive_times) if e) if pruned_times else 0.0,
    }


def relevance_sets(limit: int) -> list[dict[str, Any]]:
    rows = []
    for name in SETS:
        directory = SHARED / name
        if not directory.is_dir():
            print(f"{name}: not in {SHARED}, skipped", file=sys.stderr)
            continue
        docs, queries, _ = relevance.load_dataset(directory, None)
        texts = [text for _, text in queries]
        texts += [relevance.strip_accents(text) for text in texts]
        rows.append(_indexed_and_compared(name, docs, texts, limit))
    news = SHARED / "orangesum-fr-news" / "orangesum_articles.jsonl.xz"
    if news.is_file():
        docs = [relevance.to_doc(record) for record in relevance.read_jsonl(news)]
        texts = [text for _, text in relevance.news_queries(docs, 1000)]
        rows.append(_indexed_and_compared("orangesum news", docs, texts, limit))
    return rows


def _indexed_and_compared(name: str, docs: list[Any], texts: list[str], limit: int) -> dict[str, Any]:
    print(f"{name}: indexing {len(docs):,} articles, {len(texts):,} queries", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-pruning-") as tmp, Archive(tmp) as archive:
        archive.add_many(
            Article(id=d.id, title=d.title, lede=d.lede, body=d.body, date=d.date, url=d.url, section=d.section) for d in docs
        )
        return compare(archive, texts, limit, name)


def print_rows(rows: list[dict[str, Any]]) -> None:
    print(f"{'queries of':<28} {'queries':>8} {'different':>9} {'pruned p50':>11} {'exhaustive p50':>15} {'ratio':>6}")
    for row in rows:
        print(
            f"{row['set']:<28} {row['queries']:>8,} {len(row['different']):>9} {row['pruned_p50_ms']:>9.2f} ms"
            f" {row['exhaustive_p50_ms']:>12.2f} ms {row['ratio_p50']:>6.2f}"
        )
        for query in row["different"][:10]:
            print(f"    different: {query}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index built by `searchlib index`")
    parser.add_argument("--corpus", type=Path, default=speed.DEFAULT_CORPUS, help="where the speed queries' titles come from")
    parser.add_argument("--queries", type=int, default=200, help="speed queries with --index (default 200)")
    parser.add_argument("--sets", action="store_true", help="the relevance sets of ../shared/data, each indexed here")
    parser.add_argument("--limit", type=int, default=10, help="hits compared per query (default 10)")
    args = parser.parse_args(argv)
    if not args.index and not args.sets:
        parser.error("give --index DIR, --sets, or both")
    rows = []
    if args.index:
        if not args.corpus.is_file():
            print(f"pruning benchmark: the corpus {args.corpus} is not there; give one with --corpus", file=sys.stderr)
            return 2
        queries = [query["text"] for query in speed.make_queries(speed.read_records(args.corpus, None), args.queries)]
        with Archive(args.index, create=False) as archive:
            rows.append(compare(archive, queries, args.limit, f"speed queries on {args.index.name}"))
    if args.sets:
        rows += relevance_sets(args.limit)
    print_rows(rows)
    return 1 if any(row["different"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())

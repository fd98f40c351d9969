"""Indexing and query speed: searchlib beside a naive Whoosh setup, SQLite FTS5, Tantivy, and
searchlib with its archive in an OpenSearch cluster.

Every engine indexes the same JSON Lines copy of the corpus and answers the same queries (top 10
with a snippet each), in a process of its own so that the peak memory is its own. searchlib is
driven as users drive it: ``searchlib index FILE`` (reading, cleaning, full French analysis), then
``Archive.search``, then ``searchlib search`` as a fresh process for the cold time.

    python benchmarks/speed.py                         # OrangeSum, 33,688 articles (../shared/data)
    python benchmarks/speed.py --quick                 # 3,000 articles, 50 queries: a smoke test
    python benchmarks/speed.py --limit 10000 --engines searchlib,whoosh-naive
    python benchmarks/speed.py --scale 3 --engines searchlib   # 3x the articles (new ids), and
                                                               # searchlib on 1x beside it
    python benchmarks/speed.py PATH.jsonl[.xz] --json
    SEARCHLIB_OPENSEARCH_URL=http://127.0.0.1:9200 python benchmarks/speed.py --engines searchlib,opensearch

Queries: 200 (fixed seed) of one to four words drawn from the titles; about one in five is a quoted
phrase and half of the others are typed without accents. Each engine runs them once to warm up,
then three times timed; each query counts with its median time. The naive baseline is Whoosh's French ``LanguageAnalyzer`` plus accent folding,
one writer (and the ``procs=2, multisegment=True`` writer); FTS5 is stdlib sqlite3 with
``unicode61 remove_diacritics 2`` (no stemming); Tantivy (``pip install tantivy``) uses its French
stemmer and ASCII folding. Ratios are to the naive one-writer Whoosh row of the same run: the
machine may be shared, so compare ratios, not absolute figures of different runs.

``opensearch`` is searchlib with its archive in the cluster ``SEARCHLIB_OPENSEARCH_URL`` names (as
in relevance.py; skipped with a note without it): ``searchlib index FILE --index URL/<new index>``,
then ``Archive(URL).search`` and ``searchlib search --index URL``, the same queries and snippets.
Its peak RSS is the indexing client's only (the cluster's nodes are not counted), its index size
the store of the index's primary shards as the cluster reports it (replicas not counted). The index
is made for the run (``speed-<pid>-<time>``) and deleted after it, whatever happens. An engine whose
run fails (a cluster refusing a request) is named under the table with its error, the other rows
are printed, and the exit status is 1.

Peak RSS is the largest total resident memory of the indexing process and its children (worker
processes included), sampled every 20 ms from /proc. Index size counts every file of the index
directory; "×text" divides it by the UTF-8 size of the articles' title, lede and text.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import lzma
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz"
ENGINES = ("searchlib", "whoosh-naive", "whoosh-procs2", "fts5", "tantivy", "opensearch")
#: The engines that are searchlib itself, driven through its CLI and public API.
SEARCHLIB_ENGINES = ("searchlib", "opensearch")
BASELINE = "whoosh-naive"
#: Timed runs of the query set (after one warm-up run); each query counts with its median.
QUERY_ROUNDS = 3
QUICK_ARTICLES = 3000
QUICK_QUERIES = 50
SEED = 4
WORD = re.compile(r"[^\W_]+")
# Queries are what someone remembers of a headline; these words carry nothing to search for.
QUERY_STOP_WORDS = frozenset(
    """
    les des une aux par pour sur dans avec sans sous entre vers chez est sont ont été être avoir
    qui que quoi dont où son ses leur leurs mais ou donc car pas plus très cette ces cet elle ils
    elles nous vous lui tout tous toute toutes comme fait après avant contre selon encore aussi
    """.split()
)


# --- corpus and queries ------------------------------------------------------------------


def read_records(path: Path, limit: int | None) -> list[dict[str, Any]]:
    """The first ``limit`` records (all when None) of a JSON Lines file, ``.xz`` or not."""
    opener = lzma.open if path.suffix == ".xz" else open
    records: list[dict[str, Any]] = []
    with opener(path, "rt", encoding="utf-8") as lines:  # type: ignore[operator]
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
                if limit is not None and len(records) >= limit:
                    break
    return records


def replicate(records: list[dict[str, Any]], scale: int) -> list[dict[str, Any]]:
    """``scale`` copies of every record, the copies under new ids (and urls: they are ids too)."""
    out = list(records)
    for n in range(1, scale):
        for r in records:
            copy = dict(r, id=f"{r['id']}-x{n}")
            if copy.get("url"):
                copy["url"] = f"{copy['url']}#x{n}"
            out.append(copy)
    return out


def raw_bytes(records: list[dict[str, Any]]) -> int:
    """UTF-8 bytes of the records' title, lede and text: what "×text" divides by."""
    return sum(len("".join(r.get(k) or "" for k in ("title", "lede", "text")).encode("utf-8")) for r in records)


def strip_accents(text: str) -> str:
    """``text`` as typed without accents: NFD, combining marks dropped, lower-cased."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def make_queries(records: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` queries from the titles: {"text": as typed, "parts": [[word], [phrase words]...]}."""
    rng = random.Random(SEED)
    order = list(range(len(records)))
    rng.shuffle(order)
    queries: list[dict[str, Any]] = []
    for i in order:
        words = WORD.findall(records[i].get("title") or "")
        content = [w for w in words if len(w) >= 3 and w.lower() not in QUERY_STOP_WORDS]
        if not content:
            continue
        kind = len(queries) % 10
        if kind in (0, 5) and len(words) >= 3:  # a phrase: 2-3 consecutive words, stop words and all
            size = rng.randint(2, 3)
            start = rng.randint(0, len(words) - size)
            parts = [words[start : start + size]]
            if content and rng.random() < 0.5:
                parts.append([rng.choice(content)])
        else:
            size = rng.randint(1, min(4, len(content)))
            start = rng.randint(0, len(content) - size)
            parts = [[w] for w in content[start : start + size]]
        if kind % 2:  # half of the queries typed without accents, lower-cased
            parts = [[strip_accents(w) for w in part] for part in parts]
        text = " ".join(f'"{" ".join(p)}"' if len(p) > 1 else p[0] for p in parts)
        queries.append({"text": text, "parts": parts})
        if len(queries) == count:
            break
    return queries


def read_corpus(path: Path) -> Iterator[tuple[str, str, str]]:
    """(id, title, lede + text) of every record of the benchmark's JSON Lines copy."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            yield r["id"], r.get("title") or "", "\n".join(p for p in (r.get("lede"), r.get("text")) if p)


# --- engines (each run in a child process of this script) --------------------------------


def _naive_schema() -> Any:
    """The naive Whoosh schema: French ``LanguageAnalyzer`` plus accent folding, id, title, body."""
    from whoosh.analysis import CharsetFilter, LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.support.charset import accent_map

    analyzer = LanguageAnalyzer("fr") | CharsetFilter(accent_map)
    return Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer, stored=True), body=TEXT(analyzer=analyzer, stored=True))


def index_whoosh(corpus: Path, index_dir: Path, procs: int) -> None:
    """The naive Whoosh index of ``corpus``: one writer, or ``procs`` of them (multisegment)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.create_in(str(index_dir), _naive_schema())
    options: dict[str, Any] = {"procs": procs, "multisegment": True} if procs > 1 else {}
    writer = ix.writer(limitmb=256, **options)
    for article_id, title, body in read_corpus(corpus):
        writer.add_document(id=article_id, title=title, body=body)
    writer.commit()


def index_fts5(corpus: Path, index_dir: Path) -> None:
    """An SQLite FTS5 table of ``corpus`` (unicode61, diacritics removed, no stemming)."""
    db = sqlite3.connect(index_dir / "fts5.db")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)", read_corpus(corpus))
    db.commit()
    db.close()


def _tantivy_index(index_dir: Path, create: bool) -> Any:
    """The Tantivy index in ``index_dir`` with its French analyzer (lower case, ASCII folding, stemmer)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="fr")
    builder.add_text_field("body", stored=True, tokenizer_name="fr")
    schema = builder.build()
    ix = tantivy.Index(schema, path=str(index_dir), reuse=not create)
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )
    ix.register_tokenizer("fr", analyzer)
    return ix


def index_tantivy(corpus: Path, index_dir: Path) -> None:
    """The Tantivy index of ``corpus``, merges waited for."""
    import tantivy

    ix = _tantivy_index(index_dir, create=True)
    writer = ix.writer(heap_size=256_000_000, num_threads=0)
    for article_id, title, body in read_corpus(corpus):
        writer.add_document(tantivy.Document(id=article_id, title=title, body=body))
    writer.commit()
    writer.wait_merging_threads()


def fts5_match(query: dict[str, Any]) -> str:
    """The FTS5 MATCH expression of a query: an OR of its words and phrases, quoted."""
    return " OR ".join('"' + " ".join(part).replace('"', '""') + '"' for part in query["parts"])


class Searcher:
    """One engine's warm searcher: ``search(query)`` → [(id, snippet)] for the top 10.

    ``location`` is the index directory, or for ``opensearch`` the archive's URL in the cluster."""

    def __init__(self, engine: str, location: str) -> None:
        """Opens the index of ``engine`` at ``location``."""
        self.engine = engine
        index_dir = Path(location)  # for the directory engines only: a Path folds a URL's "//"
        if engine in SEARCHLIB_ENGINES:
            from searchlib import Archive

            self.archive = Archive.open(location)
        elif engine.startswith("whoosh"):
            from whoosh import index as whoosh_index
            from whoosh.qparser import MultifieldParser, OrGroup

            ix = whoosh_index.open_dir(str(index_dir))
            self.searcher = ix.searcher()
            self.parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
        elif engine == "fts5":
            self.db = sqlite3.connect(index_dir / "fts5.db")
        elif engine == "tantivy":
            self.ix = _tantivy_index(index_dir, create=False)
            self.ix.reload()
            self.tsearcher = self.ix.searcher()

    def search(self, query: dict[str, Any]) -> list[tuple[str, str]]:
        """[(id, snippet)] of the top 10 of ``query``."""
        text = query["text"]
        if self.engine in SEARCHLIB_ENGINES:
            from searchlib.errors import EmptyQuery

            try:
                results = self.archive.search(text, limit=10)
            except EmptyQuery:
                return []
            return [(hit.id, hit.snippet.text) for hit in results.hits]
        if self.engine.startswith("whoosh"):
            hits = self.searcher.search(self.parser.parse(text), limit=10)
            return [(hit["id"], hit.highlights("body")) for hit in hits]
        if self.engine == "fts5":
            rows = self.db.execute(
                "SELECT id, snippet(docs, 2, '<b>', '</b>', '…', 24) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
                (fts5_match(query),),
            )
            return list(rows)
        import tantivy

        parsed, _ = self.ix.parse_query_lenient(text, ["title", "body"])
        hits = self.tsearcher.search(parsed, 10).hits
        snippets = tantivy.SnippetGenerator.create(self.tsearcher, parsed, self.ix.schema, "body")
        out = []
        for _, address in hits:
            doc = self.tsearcher.doc(address)
            out.append((doc["id"][0], snippets.snippet_from_doc(doc).to_html()))
        return out


def child_index(engine: str, corpus: Path, index_dir: Path) -> None:
    """Builds the index of an engine that is not searchlib (in a child process of its own)."""
    if engine == "whoosh-naive":
        index_whoosh(corpus, index_dir, procs=1)
    elif engine == "whoosh-procs2":
        index_whoosh(corpus, index_dir, procs=2)
    elif engine == "fts5":
        index_fts5(corpus, index_dir)
    elif engine == "tantivy":
        index_tantivy(corpus, index_dir)
    else:
        raise SystemExit(f"unknown engine {engine}")


def child_query(engine: str, location: str, queries_file: Path) -> None:
    """Prints {"times": [each query's median seconds], "hits": hits of one round} for a warm searcher."""
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    searcher = Searcher(engine, location)
    for query in queries:  # warm-up: files in the page cache, searcher and caches built
        searcher.search(query)
    # Each query's median of QUERY_ROUNDS timed runs: one run per query let a scheduler hiccup
    # on a busy 2-core machine move p50 by a tenth from one benchmark run to the next.
    rounds: list[list[float]] = []
    hits = 0
    for _ in range(QUERY_ROUNDS):
        times = []
        hits = 0
        for query in queries:
            start = time.perf_counter()
            found = searcher.search(query)
            times.append(time.perf_counter() - start)
            hits += len(found)
        rounds.append(times)
    print(json.dumps({"times": [statistics.median(runs) for runs in zip(*rounds)], "hits": hits}))


def child_cold(engine: str, location: str, query_json: str) -> None:
    """The cold path of a CLI for the engines that have none: import, open, search, print."""
    for hit_id, snippet in Searcher(engine, location).search(json.loads(query_json)):
        print(hit_id, snippet)


# --- measuring -----------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Runs ``command``: (wall seconds, peak RSS of its process tree in bytes, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        """Keeps the largest RSS of the process tree until it ends."""
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode not in (0,):
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    return elapsed, peak, out


def dir_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def searchlib_command() -> list[str]:
    """The ``searchlib`` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "searchlib"
    return [str(script)] if script.exists() else [sys.executable, "-m", "searchlib"]


def this_script() -> list[str]:
    """The command that runs this script again, for its ``--child-*`` parts."""
    return [sys.executable, str(Path(__file__).resolve())]


def skip_reason(engine: str) -> str | None:
    """Why ``engine`` cannot run here, in one line, or None."""
    if engine == "tantivy" and importlib.util.find_spec("tantivy") is None:
        return "tantivy is not installed (pip install tantivy)"
    if engine == "opensearch" and not os.environ.get("SEARCHLIB_OPENSEARCH_URL"):
        return "no cluster named: SEARCHLIB_OPENSEARCH_URL=http://127.0.0.1:9200 (python scripts/opensearch_cluster.py start)"
    if engine == "opensearch" and importlib.util.find_spec("opensearchpy") is None:
        return "opensearch-py is not installed (pip install -e '.[opensearch]')"
    return None


@contextlib.contextmanager
def index_location(engine: str, work: Path) -> Iterator[str]:
    """Where ``engine`` builds its index: a new directory in ``work``, or for ``opensearch`` a new
    index in the cluster (``URL/speed-<pid>-<time>``), deleted at the end whatever happens."""
    if engine != "opensearch":
        index_dir = work / f"index-{engine}"
        if index_dir.exists():
            shutil.rmtree(index_dir)
        index_dir.mkdir()
        yield str(index_dir)
        return
    cluster = os.environ["SEARCHLIB_OPENSEARCH_URL"].rstrip("/")
    name = f"speed-{os.getpid()}-{time.time_ns()}"
    try:
        yield f"{cluster}/{name}"
    finally:
        delete_cluster_index(cluster, name)


#: Seconds between the attempts to delete the run's index while the cluster pushes back.
DELETE_RETRIES_S = (2, 5, 10, 20, 30)


def delete_cluster_index(cluster: str, name: str) -> None:
    """Deletes every index searchlib made for the archive ``name`` (``name-<time>`` behind the
    alias, ``name.searchlib-files``…). A busy cluster (a 429 from a circuit breaker, a 5xx, no
    answer) is asked again for about a minute; then the command to delete it by hand goes to
    stderr, without hiding the error the run may be ending with."""
    from opensearchpy import OpenSearch
    from opensearchpy.exceptions import TransportError

    client = OpenSearch([cluster], timeout=60)
    try:
        for wait in (0, *DELETE_RETRIES_S):
            time.sleep(wait)
            try:
                client.indices.delete(index=f"{name}*", ignore_unavailable=True, allow_no_indices=True)
                return
            except TransportError as error:
                failure = error
                if isinstance(error.status_code, int) and error.status_code != 429 and error.status_code < 500:
                    break
        print(f"warning: the index {name} could not be deleted ({failure}); delete it by hand: "
              f"curl -X DELETE '{cluster}/{name}*'", file=sys.stderr)
    finally:
        client.close()


def index_command(engine: str, corpus: Path, location: str, jobs: int | None) -> tuple[list[str], dict[str, str] | None]:
    """The indexing command of ``engine`` and its environment: ``searchlib index`` as users run
    it for searchlib's engines (the cluster's too: a URL is an index location), else this script."""
    if engine not in SEARCHLIB_ENGINES:
        return [*this_script(), "--child-index", engine, str(corpus), location], None
    command = [*searchlib_command(), "index", str(corpus), "--index", location]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    return command, dict(os.environ, NO_COLOR="1")


def cold_command(engine: str, location: str, query: dict[str, Any]) -> list[str]:
    """One cold search as a fresh process: ``searchlib search`` for searchlib's engines."""
    if engine in SEARCHLIB_ENGINES:
        return [*searchlib_command(), "search", query["text"], "--index", location, "--limit", "10"]
    return [*this_script(), "--child-cold", engine, location, json.dumps(query)]


def index_size(engine: str, location: str) -> int:
    """Bytes of the index: every file of its directory, or for ``opensearch`` the segments of the
    index's primary shards as the cluster reports them (the backend's ``size_bytes``; replicas are
    not counted)."""
    if engine != "opensearch":
        return dir_size(Path(location))
    from searchlib.backends import engine_for

    backend = engine_for(location).open(location, create=False)
    try:
        return backend.size_bytes()
    finally:
        backend.close()


def cluster_facts(location: str) -> dict[str, Any]:
    """For the table's notes: the cluster's URL, its nodes and whether they run on this machine, the
    index's primary shards and replicas."""
    from opensearchpy import OpenSearch

    cluster, name = location.rsplit("/", 1)
    client = OpenSearch([cluster], timeout=60)
    try:
        nodes = client.cluster.health()["number_of_nodes"]
        settings = next(iter(client.indices.get_settings(index=name).values()))["settings"]["index"]
    finally:
        client.close()
    local = urllib.parse.urlsplit(cluster).hostname in ("127.0.0.1", "localhost", "::1")
    return {"url": cluster, "nodes": nodes, "local": local,
            "shards": int(settings["number_of_shards"]), "replicas": int(settings["number_of_replicas"])}


def measure(engine: str, corpus: Path, work: Path, queries: list[dict[str, Any]], cli_runs: int, jobs: int | None) -> dict[str, Any]:
    """One engine's row: indexing time and peak RSS, warm query times (each query's median of
    ``QUERY_ROUNDS``), the median cold CLI time of ``cli_runs`` fresh processes, index size."""
    with index_location(engine, work) as location:
        index_s, peak, _ = run_measured(*index_command(engine, corpus, location, jobs))
        _, _, out = run_measured([*this_script(), "--child-query", engine, location, str(work / "queries.json")])
        answers = json.loads(out)
        times = answers["times"]
        cold = [run_measured(cold_command(engine, location, query), dict(os.environ, NO_COLOR="1"))[0] for query in queries[: max(cli_runs, 0)]]
        row = {
            "index_s": index_s,
            "peak_rss": peak,
            "index_bytes": index_size(engine, location),
            "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * percentile(times, 0.95),
            "p99_ms": 1000 * percentile(times, 0.99),
            "hits": answers["hits"],
            "cold_ms": 1000 * statistics.median(cold) if cold else None,
        }
        if engine == "opensearch":
            row["cluster"] = cluster_facts(location)
        return row


# --- report --------------------------------------------------------------------------------


def fill_rates(rows: dict[str, dict[str, Any]], articles: int, text_bytes: int) -> None:
    """Adds the rates and the ratios to the text and to the baseline row to every row."""
    for row in rows.values():
        row["articles_s"] = articles / row["index_s"]
        row["mb_s"] = text_bytes / 1e6 / row["index_s"]
        row["size_ratio"] = row["index_bytes"] / text_bytes
    base = rows.get(BASELINE)
    for row in rows.values():
        if base:
            row["speed_x"] = row["articles_s"] / base["articles_s"]
            row["size_x"] = row["index_bytes"] / base["index_bytes"]
            row["p50_x"] = row["p50_ms"] / base["p50_ms"] if base["p50_ms"] else None


def print_table(report: dict[str, Any]) -> None:
    """The report as a Markdown table, with its notes and the skipped engines."""
    def f(value: Any, spec: str) -> str:
        """``value`` formatted, or a dash when there is none."""
        return "—" if value is None else format(value, spec)

    header = ["engine", "articles/s", "×base", "MB/s", "peak RSS MB", "index MB", "×text", "×base",
              "p50 ms", "p95 ms", "p99 ms", "p50 ×base", "cold CLI ms"]
    lines = []
    for name, r in report["engines"].items():
        lines.append([
            name, f(r["articles_s"], ",.0f"), f(r.get("speed_x"), ".2f"), f(r["mb_s"], ".2f"),
            f(r["peak_rss"] / 1e6, ",.0f"), f(r["index_bytes"] / 1e6, ",.1f"), f(r["size_ratio"], ".2f"),
            f(r.get("size_x"), ".2f"), f(r["p50_ms"], ".2f"), f(r["p95_ms"], ".2f"), f(r["p99_ms"], ".2f"),
            f(r.get("p50_x"), ".2f"), f(r["cold_ms"], ",.0f"),
        ])
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    print(f"{report['articles']:,} articles, {report['text_bytes'] / 1e6:.1f} MB of text ({report['corpus']}"
          f"{', ×' + str(report['scale']) if report['scale'] > 1 else ''}), {report['queries']} queries, "
          f"top 10 with snippets, {os.cpu_count()} cores")
    print("| " + " | ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))) + " |")
    print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
    for row in lines:
        print("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) + " |")
    print(f"×base: ratio to {BASELINE} (one writer) in this run; cold CLI: median of {report['cli_runs']} fresh "
          "processes (searchlib, opensearch: `searchlib search`; others: import, open, search, print)")
    cluster = report["engines"].get("opensearch", {}).get("cluster")
    if cluster:
        print(f"opensearch: searchlib with its archive in the cluster at {cluster['url']} ({cluster['nodes']} nodes; "
              f"the index: {cluster['shards']} primary shards, {cluster['replicas']} replica each); peak RSS is the "
              "`searchlib index` client's only (the nodes' memory is not counted); index MB is the store of the "
              "primary shards only (replicas not counted); its times include the cluster's work and the HTTP "
              f"round trips{' (the nodes run on this machine and share its cores)' if cluster['local'] else ''}")
    growth = report.get("growth")
    if growth:
        print(f"searchlib growth ×{report['scale']} articles: indexing time ×{growth['index_time_x']:.2f}, "
              f"query p50 ×{growth['p50_x']:.2f} (1x: {growth['base_index_s']:.1f} s, p50 {growth['base_p50_ms']:.2f} ms)")
    for name, reason in report["skipped"].items():
        print(f"skipped {name}: {reason}")
    for name, reason in report["failed"].items():
        print(f"failed {name}: {reason}")


def make_parser() -> argparse.ArgumentParser:
    """The command line: the options of the module docstring, and the children's hidden ones."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS, help="JSON Lines (.jsonl or .jsonl.xz); default: %(default)s")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES:,} articles, {QUICK_QUERIES} queries, 2 cold runs")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N articles of the corpus")
    parser.add_argument("--scale", type=int, default=1, metavar="K", help="replicate the corpus K times with new ids")
    parser.add_argument("--queries", type=int, metavar="N", help="number of queries (default 200)")
    parser.add_argument("--cli-runs", type=int, metavar="N", help="fresh processes timed for the cold CLI figure (default 5)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, among %(default)s")
    parser.add_argument("--jobs", type=int, metavar="N", help="passed to `searchlib index --jobs` (default: its own)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--child-index", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-query", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-cold", nargs=3, help=argparse.SUPPRESS)
    return parser


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """``records`` as JSON Lines at ``path``; returns ``path``."""
    with path.open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def run_engines(report: dict[str, Any], engines: list[str], base_records: list[dict[str, Any]],
                records: list[dict[str, Any]], queries: list[dict[str, Any]], jobs: int | None) -> None:
    """Measures every engine that can run here into ``report`` (the others into its ``skipped``,
    those whose run failed into its ``failed``), and with ``--scale`` searchlib on the 1x corpus
    for the growth ratios."""
    with tempfile.TemporaryDirectory(prefix="searchlib-speed-") as tmp:
        work = Path(tmp)
        corpus = write_jsonl(work / "corpus.jsonl", records)
        (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        for engine in engines:
            reason = skip_reason(engine)
            if reason:
                report["skipped"][engine] = reason
                continue
            print(f"{engine}: indexing {len(records):,} articles, {len(queries)} queries", file=sys.stderr)
            try:
                report["engines"][engine] = measure(engine, corpus, work, queries, report["cli_runs"], jobs)
            except RuntimeError as error:  # a child failed (a cluster that refused a request): say so, go on
                print(error, file=sys.stderr)
                report["failed"][engine] = str(error).strip().splitlines()[-1]
        if report["scale"] > 1 and "searchlib" in report["engines"]:
            single = write_jsonl(work / "corpus-1x.jsonl", base_records)
            print(f"searchlib: indexing the 1x corpus ({len(base_records):,} articles) for the growth ratios", file=sys.stderr)
            one = measure("searchlib", single, work, queries, 0, jobs)
            big = report["engines"]["searchlib"]
            report["growth"] = {
                "base_index_s": one["index_s"], "base_p50_ms": one["p50_ms"],
                "index_time_x": big["index_s"] / one["index_s"], "p50_x": big["p50_ms"] / one["p50_ms"],
            }


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or one child part of it) and prints the table or the JSON report; 1 when
    an engine failed (its error is under the table), 2 without a corpus."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.child_index:
        child_index(args.child_index[0], Path(args.child_index[1]), Path(args.child_index[2]))
        return 0
    if args.child_query:
        child_query(args.child_query[0], args.child_query[1], Path(args.child_query[2]))
        return 0
    if args.child_cold:
        child_cold(args.child_cold[0], args.child_cold[1], args.child_cold[2])
        return 0

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose among {', '.join(ENGINES)}")
    if not args.corpus.is_file():
        print(
            f"speed benchmark skipped: corpus not found: {args.corpus}\n"
            "It is the team's OrangeSum copy (see ../shared/data/orangesum-fr-news/SOURCE.md), not shipped; "
            "give another JSON Lines file as the first argument, e.g. samples/wikinews_fr_sample.jsonl --scale 10",
            file=sys.stderr,
        )
        return 2
    limit = args.limit or (QUICK_ARTICLES if args.quick else None)
    n_queries = args.queries or (QUICK_QUERIES if args.quick else 200)
    cli_runs = args.cli_runs if args.cli_runs is not None else (2 if args.quick else 5)
    base_records = read_records(args.corpus, limit)
    records = replicate(base_records, args.scale)
    queries = make_queries(base_records, n_queries)
    report: dict[str, Any] = {
        "corpus": str(args.corpus), "articles": len(records), "scale": args.scale, "text_bytes": raw_bytes(records),
        "queries": len(queries), "cli_runs": cli_runs, "engines": {}, "skipped": {}, "failed": {},
    }
    run_engines(report, engines, base_records, records, queries, args.jobs)
    fill_rates(report["engines"], len(records), report["text_bytes"])
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

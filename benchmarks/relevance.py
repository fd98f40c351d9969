"""Relevance harness: searchlib against two baselines on French retrieval sets.

Evaluation sets (BEIR-style directory: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels.tsv``, or
BEIR's own layout with ``qrels/test.tsv`` and the like, chosen by ``--split``; ``.jsonl.gz`` too)::

    python benchmarks/relevance.py ../shared/data/piaf-fr-retrieval
    python benchmarks/relevance.py ../shared/data/spf-fr-known-item --engines fts5,whoosh-naive
    python benchmarks/relevance.py ../shared/data/piaf-fr-retrieval --limit-queries 300 --json
    python benchmarks/relevance.py ../shared/data/wikinews-fr-winer
    python benchmarks/relevance.py path/to/beir-set --split dev

Each engine is run on the queries as written and on the same queries without accents
(NFD, combining marks dropped, lower-cased), and with ``--reversed`` with their words in the reverse order; it reports MRR@10, Recall@10, Recall@100 and
nDCG@10 for both, the number of queries, the indexing time and the mean time per query.

News known-item mode (OrangeSum; 1,000 title-fragment queries, the article is the answer)::

    python benchmarks/relevance.py --news                    # ../shared/data/orangesum-fr-news/...
    python benchmarks/relevance.py --news PATH --news-docs 5000 --engines fts5,searchlib

Query styles (``--styles [N]``, with ``--news``): N queries (default 200) for each way of typing a
known-item query of ``query_styles.py`` — consecutive or scattered title words, a rare and a common
word, lede words, body words, a name and a word, a typing slip — for each half of the articles
(``tune``: what the ranking was tuned on; ``check``: never looked at while tuning), each also with
its words in the reverse order and in another one; MRR@10 (R@10) per style, half and engine, the mean of the styles, and
the largest change the order of the words made::

    python benchmarks/relevance.py --news --styles 500 --engines searchlib,fts5,whoosh-naive,tantivy \
        --searchlib-index /tmp/os-index

The documented news figure is searchlib's on an index built by ``searchlib index`` (which cleans
the articles as it reads them; the harness's own indexing does not)::

    searchlib index ../shared/data/orangesum-fr-news/orangesum_articles.jsonl.xz --index /tmp/os-index
    python benchmarks/relevance.py --news --engines searchlib --searchlib-index /tmp/os-index

Engines: ``searchlib`` (public API), ``fts5`` (SQLite FTS5, unicode61 remove_diacritics 2,
OR of the query words, bm25), ``whoosh-naive`` (Whoosh French stemming + accent folding,
MultifieldParser with OrGroup, BM25F), ``tantivy`` (French stemming and folding, OR of the words,
BM25; skipped with a note when the ``tantivy`` package is not installed), ``opensearch`` (searchlib
with its archive in the OpenSearch cluster ``SEARCHLIB_OPENSEARCH_URL`` names: the same API, the
other engine; skipped without one).
Progress goes to stderr; the table (or the ``--json`` object) to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import importlib.util
import itertools
import json
import lzma
import math
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, LanguageAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.support.charset import accent_map

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NEWS = REPO_ROOT.parent / "shared/data/orangesum-fr-news/orangesum_articles.jsonl.xz"
ENGINES = ("searchlib", "fts5", "whoosh-naive", "tantivy", "opensearch")
NEWS_QUERIES = 1000
WORD = re.compile(r"\w+")
# Known-item queries are what a person remembers of a headline: its content words. A generic French
# stop list (not searchlib's), applied the same way for every engine.
TITLE_STOP_WORDS = frozenset("""
    les des une aux par pour sur dans avec sans sous entre vers chez est sont ont été être avoir
    qui que quoi dont où son ses leur leurs mais ou donc car pas plus très cette ces cet elle ils
    elles nous vous lui tout tous toute toutes comme fait après avant contre selon encore aussi
""".split())
# Orange Actu's auto pages end every title with the site's tagline; nobody searches for it.
SITE_SUFFIX = re.compile(r"\s*:\s*actualité automobile, infos, scoop\s*$")


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    lede: str
    body: str
    date: dt.date | None = None
    url: str | None = None
    section: str | None = None


def strip_accents(text: str) -> str:
    """The query as typed without accents: NFD, combining marks dropped, lower-cased."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# --- metrics (binary relevance; `ranked` is the engine's list of doc ids, best first) ---

def mrr_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    return next((1.0 / rank for rank, d in enumerate(ranked[:k], 1) if d in relevant), 0.0)


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(rank + 1) for rank, d in enumerate(ranked[:k], 1) if d in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# --- engines ---

class Engine(Protocol):
    errors: int  # queries that raised and were counted as returning nothing

    def index(self, docs: list[Doc]) -> None: ...
    def search(self, query: str, limit: int) -> list[str]: ...
    def close(self) -> None: ...


class SearchlibEngine:
    """searchlib through its public API only."""

    #: An index built beforehand (``--searchlib-index``): searched as it is, nothing indexed.
    prebuilt: Path | None = None

    def __init__(self) -> None:
        import searchlib
        import searchlib.errors
        self._lib, self._errors = searchlib, searchlib.errors
        self._stack = contextlib.ExitStack()
        if self.prebuilt is not None:
            self._archive = self._stack.enter_context(searchlib.Archive(self.prebuilt, create=False))
        else:
            tmp = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-searchlib-"))
            self._archive = self._stack.enter_context(searchlib.Archive(tmp))
        # The ranking is measured here, not the latency: a search slowed down by a loaded machine
        # must not be cut short by the archive's time limit (10 s), which returns the best found
        # by then (a run on a very busy machine gave news 0.8989 instead of 0.9045, at 196 ms a
        # query: searches cut short would explain it).
        self._archive.query_time_limit = 3600.0
        self.errors = 0

    def index(self, docs: list[Doc]) -> None:
        if self.prebuilt is not None:
            return
        report = self._archive.add_many(
            self._lib.Article(id=d.id, title=d.title, lede=d.lede, body=d.body, date=d.date,
                              url=d.url, section=d.section)
            for d in docs)
        failed = list(getattr(report, "failed", []))
        if failed:  # a missing article is a lost answer: say so rather than skew the figures
            print(f"searchlib: {len(failed)} articles failed to index, e.g. {failed[0]}",
                  file=sys.stderr)

    def search(self, query: str, limit: int) -> list[str]:
        try:
            results = self._archive.search(query, limit=limit, snippets=False)
        except self._errors.EmptyQuery:
            return []
        except self._errors.SearchlibError:
            self.errors += 1
            return []
        return [hit.id for hit in results.hits]

    def close(self) -> None:
        self._stack.close()


class OpenSearchEngine(SearchlibEngine):
    """searchlib with its archive in an OpenSearch cluster (``SEARCHLIB_OPENSEARCH_URL``, e.g.
    ``http://127.0.0.1:9200`` after ``python scripts/opensearch_cluster.py start``): the same public
    API, the other engine behind the seam. The index is made for the run and deleted after it."""

    def __init__(self) -> None:
        import searchlib
        import searchlib.errors
        self._lib, self._errors = searchlib, searchlib.errors
        self._stack = contextlib.ExitStack()
        self._cluster = os.environ["SEARCHLIB_OPENSEARCH_URL"].rstrip("/")
        self._name = f"bench-{os.getpid()}-{time.time_ns()}"
        self._archive = self._stack.enter_context(searchlib.Archive(f"{self._cluster}/{self._name}"))
        self._archive.query_time_limit = 3600.0
        self.errors = 0

    def close(self) -> None:
        from opensearchpy import OpenSearch

        self._stack.close()
        client = OpenSearch([self._cluster])
        client.indices.delete(index=f"{self._name}*", ignore_unavailable=True, allow_no_indices=True)
        client.close()


class Fts5Engine:
    """SQLite FTS5 in memory: title and body (lede folded in), OR of quoted words, bm25."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, "
                         "tokenize='unicode61 remove_diacritics 2')")
        self._ids: list[str] = []
        self.errors = 0

    def index(self, docs: list[Doc]) -> None:
        self._ids = [d.id for d in docs]
        self._db.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
                             ((i, d.title, f"{d.lede}\n{d.body}") for i, d in enumerate(docs)))
        self._db.commit()

    def search(self, query: str, limit: int) -> list[str]:
        words = WORD.findall(query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self._db.execute("SELECT rowid FROM docs WHERE docs MATCH ? "
                                "ORDER BY bm25(docs) LIMIT ?", (match, limit))
        return [self._ids[rowid] for (rowid,) in rows]

    def close(self) -> None:
        self._db.close()


class WhooshNaiveEngine:
    """What one gets from Whoosh in ten lines: French stemmer + accent folding, BM25F."""

    def __init__(self) -> None:
        analyzer = LanguageAnalyzer("fr") | CharsetFilter(accent_map)
        schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer),
                        body=TEXT(analyzer=analyzer))
        self._parser = MultifieldParser(["title", "body"], schema, group=OrGroup)
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-whoosh-")
        self._ix = whoosh_index.create_in(self._tmp.name, schema)
        self._searcher = None
        self.errors = 0

    def index(self, docs: list[Doc]) -> None:
        writer = self._ix.writer(limitmb=256)
        for d in docs:
            writer.add_document(id=d.id, title=d.title, body=f"{d.lede}\n{d.body}")
        writer.commit()
        self._searcher = self._ix.searcher()

    def search(self, query: str, limit: int) -> list[str]:
        try:
            hits = self._searcher.search(self._parser.parse(query), limit=limit)
            return [hit["id"] for hit in hits]
        except Exception:  # noqa: BLE001 - the naive setup has no lenient parsing: count it
            self.errors += 1
            return []

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._ix.close()
        self._tmp.cleanup()


class TantivyEngine:
    """Tantivy (through its Python binding) as one sets it up for French: words lower-cased,
    folded to ASCII and stemmed (Snowball French), title and body, an OR of the words, BM25."""

    def __init__(self) -> None:
        import tantivy
        self._tantivy = tantivy
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-tantivy-")
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="fr")
        builder.add_text_field("body", tokenizer_name="fr")
        self._index = tantivy.Index(builder.build(), path=self._tmp.name)
        self._index.register_tokenizer("fr", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                                       .filter(tantivy.Filter.remove_long(40))
                                       .filter(tantivy.Filter.lowercase())
                                       .filter(tantivy.Filter.ascii_fold())
                                       .filter(tantivy.Filter.stemmer("french")).build())
        self._searcher = None
        self.errors = 0

    def index(self, docs: list[Doc]) -> None:
        writer = self._index.writer(heap_size=256 * 2**20, num_threads=1)
        for d in docs:
            writer.add_document(self._tantivy.Document(id=d.id, title=d.title, body=f"{d.lede}\n{d.body}"))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(self, query: str, limit: int) -> list[str]:
        words = WORD.findall(query)
        if not words:
            return []
        try:
            parsed = self._index.parse_query(" ".join(words), ["title", "body"])
            hits = self._searcher.search(parsed, limit).hits
            return [self._searcher.doc(address)["id"][0] for _, address in hits]
        except ValueError:
            self.errors += 1
            return []

    def close(self) -> None:
        self._searcher = None
        self._index = None
        self._tmp.cleanup()


ENGINE_CLASSES: dict[str, type[Engine]] = {
    "searchlib": SearchlibEngine, "fts5": Fts5Engine, "whoosh-naive": WhooshNaiveEngine,
    "tantivy": TantivyEngine, "opensearch": OpenSearchEngine}


def skip_reason(name: str) -> str | None:
    """Why an engine cannot run here, or None."""
    if name == "tantivy" and importlib.util.find_spec("tantivy") is None:
        return "tantivy is not installed (pip install -e '.[bench]')"
    if name == "searchlib" and importlib.util.find_spec("searchlib") is None:
        return "searchlib is not installed (pip install -e .)"
    if name == "opensearch" and not os.environ.get("SEARCHLIB_OPENSEARCH_URL"):
        return "no cluster named: SEARCHLIB_OPENSEARCH_URL=http://127.0.0.1:9200 (python scripts/opensearch_cluster.py start)"
    if name == "opensearch" and importlib.util.find_spec("opensearchpy") is None:
        return "opensearch-py is not installed (pip install -e '.[opensearch]')"
    return None


# --- data ---

def read_jsonl(path: Path) -> Iterable[dict]:
    opener = lzma.open if path.suffix == ".xz" else gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def to_doc(rec: dict) -> Doc:
    return Doc(id=str(rec.get("_id", rec.get("id"))), title=str(rec.get("title") or ""),
               lede=str(rec.get("lede") or ""), body=str(rec.get("text") or ""),
               date=iso_date(rec.get("date")), url=rec.get("url"), section=rec.get("category"))


def iso_date(value: object) -> dt.date | None:
    """The day of an ISO date or date-time ("2012-05-22", "2012-05-22T10:00:00Z"), else None:
    a corpus's dates are metadata here, never a reason to stop an evaluation."""
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def find_files(directory: Path, split: str | None = None) -> tuple[Path, Path, Path]:
    """(corpus, queries, qrels): `*queries.jsonl`, the judgements, and the corpus, which is
    `corpus.jsonl` or else the largest other `*.jsonl` (wikinews-fr-winer also holds a sample).
    The judgements are `*qrels.tsv` beside them or, as BEIR lays a set out, `qrels/SPLIT.tsv`
    (``split``, or else `test`, `dev`, or the folder's only file). `.jsonl.gz` / `.jsonl.xz` too."""
    if not directory.is_dir():
        sys.exit(f"{directory}: no such directory (give a BEIR-style set: corpus.jsonl, queries.jsonl, qrels)")
    jsonl = [p for p in directory.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz", ".jsonl.xz"))]
    queries = sorted(p for p in jsonl if p.name.split(".")[0].endswith("queries"))
    others = [p for p in jsonl if p not in queries]
    qrels = sorted(directory.glob("*qrels.tsv"))
    if not qrels and (directory / "qrels").is_dir():
        splits = {p.stem: p for p in (directory / "qrels").glob("*.tsv")}
        wanted = [split] if split else ["test", "dev"]
        found = next((splits[name] for name in wanted if name in splits), None)
        if found is None and not split and len(splits) == 1:
            found = next(iter(splits.values()))
        if found is None:
            sys.exit(f"{directory}: no qrels/{split or 'test'}.tsv (splits: {', '.join(sorted(splits)) or 'none'}); "
                     "choose one with --split")
        qrels = [found]
    if len(queries) != 1 or len(qrels) != 1 or not others:
        sys.exit(f"{directory}: expected one *queries.jsonl, one *qrels.tsv (or qrels/SPLIT.tsv) and a corpus *.jsonl")
    corpus = next((p for p in others if p.name.split(".")[0] == "corpus"), None)
    if corpus is None:
        corpus = max(others, key=lambda p: p.stat().st_size)
    return corpus, queries[0], qrels[0]


def load_dataset(directory: Path, limit: int | None, split: str | None = None
                 ) -> tuple[list[Doc], list[tuple[str, str]], dict[str, set[str]]]:
    """Docs, [(query id, text)] in qrels order (only judged queries), qrels {query id: doc ids}."""
    corpus_path, queries_path, qrels_path = find_files(directory, split)
    docs = [to_doc(rec) for rec in read_jsonl(corpus_path)]
    texts = {str(rec.get("_id", rec.get("id"))): str(rec.get("text") or "") for rec in read_jsonl(queries_path)}
    qrels: dict[str, set[str]] = {}
    with open(qrels_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if not line.strip():
                continue
            if len(fields) != 3:
                sys.exit(f"{qrels_path}:{number}: expected query-id, corpus-id and score separated by tabs")
            qid, doc_id, score = fields
            try:
                relevant = float(score) > 0
            except ValueError:
                if number == 1:
                    continue  # the header line ("query-id  corpus-id  score" in BEIR's files)
                sys.exit(f"{qrels_path}:{number}: the score {score!r} is not a number")
            if relevant and qid in texts:
                qrels.setdefault(qid, set()).add(doc_id)
    queries = [(qid, texts[qid]) for qid in qrels][:limit]
    return docs, queries, {qid: qrels[qid] for qid, _ in queries}


def news_queries(docs: list[Doc], n: int) -> list[tuple[str, str]]:
    """Known-item queries, at most one per article: 2-4 consecutive content words of the title
    (length >= 3, stop words and the site tagline left out),
    every other one without accents and lower-cased; the query id is the answer's doc id."""
    rng = random.Random(42)
    order = list(range(len(docs)))
    rng.shuffle(order)
    queries: list[tuple[str, str]] = []
    for i in order:
        title = SITE_SUFFIX.sub("", docs[i].title)
        words = [w for w in WORD.findall(title) if len(w) >= 3 and w.lower() not in TITLE_STOP_WORDS]
        if len(words) < 2:
            continue
        size = rng.randint(2, min(4, len(words)))
        start = rng.randint(0, len(words) - size)
        text = " ".join(words[start:start + size])
        queries.append((docs[i].id, strip_accents(text) if len(queries) % 2 else text))
        if len(queries) == n:
            break
    return queries


# --- running ---

def run_engine(name: str, docs: list[Doc], variants: dict[str, list[tuple[str, str]]],
               qrels: dict[str, set[str]]) -> dict:
    """Index once, run every query variant; per-variant metrics plus timings."""
    engine = ENGINE_CLASSES[name]()
    try:
        start = time.perf_counter()
        engine.index(docs)
        index_s = time.perf_counter() - start
        scores: dict[str, dict[str, float]] = {}
        n_searches, search_s = 0, 0.0
        for variant, queries in variants.items():
            start = time.perf_counter()
            runs = [(engine.search(text, 100), qrels[qid]) for qid, text in queries]
            search_s += time.perf_counter() - start
            n_searches += len(runs)
            scores[variant] = {
                "MRR@10": mean([mrr_at(r, rel) for r, rel in runs]),
                "R@10": mean([recall_at(r, rel, 10) for r, rel in runs]),
                "R@100": mean([recall_at(r, rel, 100) for r, rel in runs]),
                "nDCG@10": mean([ndcg_at(r, rel) for r, rel in runs]),
            }
        return {"index_s": round(index_s, 2),
                "query_ms": round(1000 * search_s / max(n_searches, 1), 2),
                "errors": engine.errors, **scores}
    finally:
        engine.close()


def evaluate(label: str, docs: list[Doc], variants: dict[str, list[tuple[str, str]]],
             qrels: dict[str, set[str]], engines: list[str], metrics: list[str]) -> dict:
    report: dict = {"dataset": label, "docs": len(docs),
                    "queries": len(next(iter(variants.values()))), "metrics": metrics,
                    "engines": {}, "skipped": {}}
    for name in engines:
        reason = skip_reason(name)
        if reason:
            report["skipped"][name] = reason
            continue
        print(f"[{label}] {name}: indexing {len(docs)} docs, "
              f"{sum(map(len, variants.values()))} searches", file=sys.stderr)
        res = run_engine(name, docs, variants, qrels)
        for variant in variants:
            res[variant] = {m: round(res[variant][m], 4) for m in metrics}
        report["engines"][name] = res
    return report


def print_table(report: dict, variants: list[str]) -> None:
    abbrev = {"as_written": "", "no_accents": "na ", "mixed": ""}
    metric_cols = [(v, m) for v in variants for m in report["metrics"]]
    header = (["engine", "queries", "index s", "ms/query", "errors"]
              + [f"{abbrev.get(v, v + ' ')}{m}" for v, m in metric_cols])
    rows = [[name, str(report["queries"]), f"{res['index_s']:.2f}", f"{res['query_ms']:.2f}",
             str(res["errors"])] + [f"{res[v][m]:.3f}" for v, m in metric_cols]
            for name, res in report["engines"].items()]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"{report['dataset']} ({report['docs']} docs)")
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))
    if "no_accents" in variants:
        print("na = the same queries without accents, lower-cased")
    print("errors = queries that raised (counted as no results)")
    for name, reason in report["skipped"].items():
        print(f"skipped {name}: {reason}")


def styles_main(docs: list[Doc], engines: list[str], n: int, as_json: bool) -> int:
    """Every query style of :mod:`query_styles`, both halves, as typed and permuted."""
    from query_styles import HALVES, STYLES, Corpus, permuted, reversed_words, style_queries
    corpus = Corpus(docs)
    variants: dict[str, list[tuple[str, str]]] = {}
    for style in STYLES:
        for half in HALVES:
            queries = style_queries(corpus, style, half, n)
            variants[f"{style}/{half}"] = queries
            variants[f"{style}/{half}/permuted"] = permuted(queries)
            variants[f"{style}/{half}/reversed"] = reversed_words(queries)
    qrels = {qid: {qid} for queries in variants.values() for qid, _ in queries}
    report = evaluate("orangesum-news query styles", docs, variants, qrels, engines, ["MRR@10", "R@10"])
    report["queries"] = {name: len(queries) for name, queries in variants.items()}
    for res in report["engines"].values():
        for half in HALVES:
            res[f"mix/{half}"] = {m: round(mean([res[f"{style}/{half}"][m] for style in STYLES]), 4)
                                  for m in ("MRR@10", "R@10")}
        for order in ("permuted", "reversed"):
            for half in HALVES:
                res[f"mix/{half}/{order}"] = {m: round(mean([res[f"{style}/{half}/{order}"][m] for style in STYLES]), 4)
                                              for m in ("MRR@10", "R@10")}
            res[f"largest {order} change"] = round(max(
                abs(res[f"{style}/{half}/{order}"]["MRR@10"] - res[f"{style}/{half}"]["MRR@10"])
                for style in STYLES for half in HALVES), 4)
        res["largest permutation change"] = max(res["largest permuted change"], res["largest reversed change"])
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_styles(report, [*STYLES, "mix"], HALVES)
    return 0


def print_styles(report: dict, styles: list[str], halves: tuple[str, ...]) -> None:
    """One row per style: MRR@10 (R@10) of each engine on each half."""
    engines = list(report["engines"])
    header = ["style"] + [f"{name} {half}" for name in engines for half in halves]
    rows = [[style] + [f"{report['engines'][name][f'{style}/{half}']['MRR@10']:.4f} "
                       f"({report['engines'][name][f'{style}/{half}']['R@10']:.3f})"
                       for name in engines for half in halves] for style in styles]
    for order in ("reversed", "permuted"):
        rows += [[f"{style}, words {order}"] + [f"{report['engines'][name][f'{style}/{half}/{order}']['MRR@10']:.4f}"
                                                  for name in engines for half in halves] for style in styles]
        rows.append([f"largest change, words {order}"] + [f"{report['engines'][name][f'largest {order} change']:.4f}"
                                                           for name in engines for _ in halves])
    rows.append(["ms/query"] + [f"{report['engines'][name]['query_ms']:.2f}" for name in engines for _ in halves])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"{report['dataset']} ({report['docs']} docs): MRR@10 (R@10)")
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    for name, reason in report["skipped"].items():
        print(f"skipped {name}: {reason}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", nargs="?", type=Path, help="BEIR-style directory")
    ap.add_argument("--split", metavar="NAME",
                    help="which qrels/NAME.tsv of a BEIR layout to judge by (default: test, else dev)")
    ap.add_argument("--limit-queries", type=int, metavar="N",
                    help="evaluate only the first N judged queries (qrels order)")
    ap.add_argument("--engines", default="searchlib,fts5,whoosh-naive",
                    help=f"comma-separated, among {','.join(ENGINES)}")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead")
    ap.add_argument("--reversed", action="store_true",
                    help="also the same queries with their words in the reverse order")
    ap.add_argument("--news", nargs="?", type=Path, const=DEFAULT_NEWS, metavar="PATH",
                    help="OrangeSum known-item mode (default path: %(const)s)")
    ap.add_argument("--news-docs", type=int, metavar="N", help="index only the first N articles")
    ap.add_argument("--styles", nargs="?", type=int, const=200, metavar="N",
                    help="with --news: N known-item queries (default %(const)s) per style and half, each "
                         "also with its words in another order (benchmarks/query_styles.py)")
    ap.add_argument("--searchlib-index", type=Path, metavar="DIR",
                    help="search this index (built by `searchlib index` from the same articles) "
                         "instead of indexing them for searchlib")
    args = ap.parse_args(argv)
    SearchlibEngine.prebuilt = args.searchlib_index

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or (args.dataset is None) == (args.news is None):
        ap.error(f"unknown engine {unknown}" if unknown else "give a DATASET_DIR or --news")

    if args.news is not None:
        if not args.news.is_file():
            print(f"news mode skipped: {args.news} not found")
            return 0
        docs = [to_doc(rec) for rec in itertools.islice(read_jsonl(args.news), args.news_docs)]
        if args.styles:
            return styles_main(docs, engines, args.styles, args.json)
        queries = news_queries(docs, NEWS_QUERIES)
        qrels = {qid: {qid} for qid, _ in queries}
        variants = {"mixed": queries}
        if args.reversed:
            variants["reversed"] = [(qid, " ".join(reversed(text.split()))) for qid, text in queries]
        report = evaluate("orangesum-news known-item (half without accents)", docs, variants,
                          qrels, engines, ["MRR@10", "R@10"])
    else:
        docs, queries, qrels = load_dataset(args.dataset, args.limit_queries, args.split)
        variants = {"as_written": queries,
                    "no_accents": [(qid, strip_accents(text)) for qid, text in queries]}
        if args.reversed:
            variants["reversed"] = [(qid, " ".join(reversed(text.split()))) for qid, text in queries]
        report = evaluate(args.dataset.resolve().name, docs, variants, qrels, engines,
                          ["MRR@10", "R@10", "R@100", "nDCG@10"])

    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report, list(variants))
    return 0


if __name__ == "__main__":
    sys.exit(main())

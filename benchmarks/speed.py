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
    python benchmarks/speed.py --scale 3 --scale-mode recombined --engines searchlib
                                          # the 2 new copies made of other articles' paragraphs
    python benchmarks/speed.py PATH.jsonl[.xz] --json
    SEARCHLIB_OPENSEARCH_URL=http://127.0.0.1:9200 python benchmarks/speed.py --engines searchlib,opensearch

Queries: 200 (fixed seed) of one to four words drawn from the titles; about one in five is a quoted
phrase and half of the others are typed without accents. Each engine runs them once to warm up,
then three times timed; each query counts with its median time. The naive baseline is Whoosh's French ``LanguageAnalyzer`` plus accent folding,
one writer (and the ``procs=2, multisegment=True`` writer); FTS5 is stdlib sqlite3 with
``unicode61 remove_diacritics 2`` (no stemming); Tantivy (``pip install tantivy``) uses its French
stemmer and ASCII folding. Ratios are to the naive one-writer Whoosh row of the same run: the
machine may be shared, so compare ratios, not absolute figures of different runs.

``--scale K`` indexes the corpus and K - 1 copies of it. With ``--scale-mode copies`` (the default)
each copy is the same articles under new ids: the postings' volume of K times the articles, but
every story K times, every hit a group of K wire copies. With ``--scale-mode recombined`` copy k
has one new article per original (see ``Recombiner``): its title and lede, its date k years and up
to a year earlier, and a body of about its length made of paragraphs of 2–4 other articles, none
giving more than half of its own text nor 60 % of the new one, so that no new article is a copy
of another. The table's first line and the JSON report (``scale_mode``) name the mode.

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
import datetime
import importlib.util
import itertools
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
from collections.abc import Iterable, Iterator
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
#: ``--scale-mode``: the same articles under new ids, or new articles made of the corpus's paragraphs.
SCALE_MODES = ("copies", "recombined")
#: The largest part of a recombined body one donor may give (a wire copy shares ≥ 87 % of its words).
MAX_DONOR_SHARE = 0.6
#: Donor draws for a recombined body before the last one is kept whatever its shares.
DRAWS = 20
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


def copies(records: list[dict[str, Any]], n: int) -> Iterator[dict[str, Any]]:
    """Copy ``n`` (≥ 1) of every record, under a new id (and url: it is an id too)."""
    for r in records:
        copy = dict(r, id=f"{r['id']}-x{n}")
        if copy.get("url"):
            copy["url"] = f"{copy['url']}#x{n}"
        yield copy


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of an article's text: its lines, each split again where a bad scrape glued
    two paragraphs ("domestique.Consternant": OrangeSum's texts have no line breaks)."""
    from searchlib.ingest.cleaning import split_glued  # the indexer's own rule (abbreviations kept whole)

    return [piece for line in text.split("\n") if line.strip() for piece in split_glued(line.strip())]


def shifted_date(value: Any, years: int, days: int) -> Any:
    """An ISO date (or date-time) ``years`` years and ``days`` days earlier, its time part kept; a
    value that is no ISO date is returned as it is."""
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return value
    year = max(day.year - years, datetime.MINYEAR)
    day = day.replace(year=year, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=year)
    earlier = max(day - datetime.timedelta(days=days), datetime.date.min)
    return earlier.isoformat() + str(value)[10:]


class Recombiner:
    """New articles made of the corpus's paragraphs, for ``--scale-mode recombined``.

    Copy ``k`` has one article per original, in its order: the original's title, lede, length and
    other fields, its date ``k`` years and up to a year earlier, and a body of paragraphs drawn
    from 2–4 other articles (donors), never the title's own. The first donor of the title ``i`` in
    copy ``k`` is ``k`` steps after ``i`` in a fixed shuffled order, so no copy repeats a (title,
    first donor) pair; the others are drawn at random. Donors take turns (the one that gave the
    fewest characters next), each giving at most half of its own characters, and none more than
    :data:`MAX_DONOR_SHARE` of the body: a wire copy shares ≥ 87 % of its shingles
    (searchlib.analysis.copy_keys), so a body is no copy of an original nor of another new one.

    >>> recombiner = Recombiner(records)                 # doctest: +SKIP
    >>> new = list(recombiner.copy(1))                  # doctest: +SKIP
    """

    def __init__(self, records: list[dict[str, Any]], seed: int = SEED) -> None:
        """Splits every text into paragraphs once; raises ValueError when fewer than three
        articles have two paragraphs or more (a title and two donors)."""
        self.records = records
        self.seed = seed
        self.paragraphs = [paragraphs_of(r.get("text") or "") for r in records]
        self.sizes = [[len(p) for p in ps] for ps in self.paragraphs]
        # A donor gives some of its paragraphs, never all: one-paragraph articles give none.
        self.donors = [i for i, ps in enumerate(self.paragraphs) if len(ps) >= 2]
        if len(self.donors) < 3:
            raise ValueError(f"--scale-mode recombined needs three articles of two paragraphs or more; "
                             f"this corpus has {len(self.donors)}")
        random.Random(seed).shuffle(self.donors)
        self.place = {donor: n for n, donor in enumerate(self.donors)}

    def copy(self, k: int) -> Iterator[dict[str, Any]]:
        """Copy ``k`` (≥ 1): one new article per original, made as the class says."""
        rng = random.Random(f"{self.seed}-recombined-{k}")
        # k - 1 wraps below the number of donors: the pairs repeat only beyond that many copies.
        step = 1 + (k - 1) % (len(self.donors) - 1)
        for i, record in enumerate(self.records):
            first = self.donors[(self.place.get(i, i) + step) % len(self.donors)]
            body = self.body(i, first, len(record.get("text") or ""), rng)
            article = dict(record, id=f"{record['id']}-r{k}", text="\n\n".join(body))
            if article.get("url"):
                article["url"] = f"{article['url']}#r{k}"
            if article.get("date"):
                article["date"] = shifted_date(article["date"], k, rng.randrange(365))
            yield article

    def body(self, title: int, first: int, length: int, rng: random.Random) -> list[str]:
        """The paragraphs of a new body of about ``length`` characters: from ``first`` and 1–3
        other donors, none of them ``title``; drawn again (other donors but the first) while a
        donor gave more than :data:`MAX_DONOR_SHARE` of it, at most :data:`DRAWS` times."""
        available = len(self.donors) - (title in self.place)
        for _ in range(DRAWS):
            # 2-4 donors, no more than the title's article has paragraphs: short articles stay short.
            wanted = min(max(2, min(rng.randint(2, 4), len(self.paragraphs[title]))), available)
            donors = [first]
            while len(donors) < min(4, available):  # the ones past `wanted` give only if those fall short
                donor = rng.choice(self.donors)
                if donor != title and donor not in donors:
                    donors.append(donor)
            picked, given = self._fill(donors, wanted, length, rng)
            if max(given.values()) <= MAX_DONOR_SHARE * sum(given.values()):
                break
        return [self.paragraphs[donor][n] for donor, n in picked]

    def _fill(self, donors: list[int], wanted: int, length: int,
              rng: random.Random) -> tuple[list[tuple[int, int]], dict[int, int]]:
        """(donor, paragraph number) pairs in body order and the characters each donor gave.

        The first ``wanted`` donors take turns, the one that gave least first (the first donor
        opens the body), each giving a random paragraph that keeps it within half of its own
        characters, until every one gave, none gave more than :data:`MAX_DONOR_SHARE`, and the
        body is closest to ``length``; the other donors join when those run out before that."""
        sizes = {d: self.sizes[d] for d in donors}
        half = {d: sum(sizes[d]) / 2 for d in donors}
        # Every donor has two paragraphs or more: its shortest one fits in its half.
        unused = {d: [n for n in rng.sample(range(len(sizes[d])), len(sizes[d])) if sizes[d][n] <= half[d]] for d in donors}
        given = dict.fromkeys(donors[:wanted], 0)
        picked: list[tuple[int, int]] = []
        while True:
            total = sum(given.values())
            balanced = max(given.values()) <= MAX_DONOR_SHARE * total
            open_donors = [d for d in given if unused[d]]
            if not open_donors:
                if len(given) == len(donors) or (balanced and total >= length):
                    break
                given[donors[len(given)]] = 0
                continue
            donor = min(open_donors, key=given.__getitem__)
            n = unused[donor][-1]
            if all(given.values()) and balanced and total + sizes[donor][n] / 2 > length:
                break  # as close to the length as it gets (past it by less than half a paragraph)
            unused[donor].pop()
            picked.append((donor, n))
            given[donor] += sizes[donor][n]
            unused[donor] = [m for m in unused[donor] if given[donor] + sizes[donor][m] <= half[donor]]
        return picked, given


def scaled_records(records: list[dict[str, Any]], scale: int, mode: str = "copies") -> Iterator[dict[str, Any]]:
    """The records, then copies 1 to ``scale - 1`` of them (``copies``: the same articles under new
    ids; ``recombined``: see :class:`Recombiner`), made as they are read: a thirty-fold corpus is
    never held in memory. The recombiner is built here, so a corpus it cannot use fails at once."""
    if mode == "recombined" and scale > 1:
        make = Recombiner(records).copy
    else:
        def make(n: int) -> Iterator[dict[str, Any]]:
            """Copy ``n`` of the records under new ids."""
            return copies(records, n)
    return itertools.chain(records, itertools.chain.from_iterable(make(n) for n in range(1, scale)))


def text_bytes(record: dict[str, Any]) -> int:
    """UTF-8 bytes of a record's title, lede and text: what "×text" divides by."""
    return len("".join(record.get(k) or "" for k in ("title", "lede", "text")).encode("utf-8"))


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


def compile_bytecode() -> None:
    """Compiles searchlib's modules to bytecode, as pip does on install and Python at a first
    run: with PYTHONDONTWRITEBYTECODE set (some shells and CI images set it) an editable checkout
    would compile every module again in each cold process, 30-40 ms that no installed searchlib
    spends."""
    import compileall

    import searchlib

    compileall.compile_dir(str(Path(searchlib.__file__).parent), quiet=1)


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
        compile_bytecode()
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
    scaled = f", ×{report['scale']} {report['scale_mode']}" if report["scale"] > 1 else ""  # e.g. ", ×3 recombined"
    print(f"{report['articles']:,} articles, {report['text_bytes'] / 1e6:.1f} MB of text ({report['corpus']}{scaled}), "
          f"{report['queries']} queries, top 10 with snippets, {os.cpu_count()} cores")
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
    parser.add_argument("--scale", type=int, default=1, metavar="K", help="K times the articles: the corpus and K - 1 copies with new ids")
    parser.add_argument("--scale-mode", choices=SCALE_MODES, default="copies",
                        help="the copies of --scale: the same articles (default), or new ones recombining the corpus's paragraphs")
    parser.add_argument("--queries", type=int, metavar="N", help="number of queries (default 200)")
    parser.add_argument("--cli-runs", type=int, metavar="N", help="fresh processes timed for the cold CLI figure (default 5)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, among %(default)s")
    parser.add_argument("--jobs", type=int, metavar="N", help="passed to `searchlib index --jobs` (default: its own)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--child-index", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-query", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-cold", nargs=3, help=argparse.SUPPRESS)
    return parser


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """``records`` as JSON Lines at ``path``, written as they come; returns (records, :func:`text_bytes`
    of them all)."""
    count = size = 0
    with path.open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            count += 1
            size += text_bytes(r)
    return count, size


def run_engines(report: dict[str, Any], engines: list[str], base_records: list[dict[str, Any]],
                records: Iterable[dict[str, Any]], queries: list[dict[str, Any]], jobs: int | None) -> None:
    """Writes ``records`` (its ``articles`` and ``text_bytes`` into ``report``), then measures
    every engine that can run here into ``report`` (the others into its ``skipped``, those whose
    run failed into its ``failed``), and with ``--scale`` searchlib on the 1x corpus for the
    growth ratios."""
    with tempfile.TemporaryDirectory(prefix="searchlib-speed-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        report["articles"], report["text_bytes"] = write_jsonl(corpus, records)
        (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        for engine in engines:
            reason = skip_reason(engine)
            if reason:
                report["skipped"][engine] = reason
                continue
            print(f"{engine}: indexing {report['articles']:,} articles, {len(queries)} queries", file=sys.stderr)
            try:
                report["engines"][engine] = measure(engine, corpus, work, queries, report["cli_runs"], jobs)
            except RuntimeError as error:  # a child failed (a cluster that refused a request): say so, go on
                print(error, file=sys.stderr)
                report["failed"][engine] = str(error).strip().splitlines()[-1]
        if report["scale"] > 1 and "searchlib" in report["engines"]:
            single = work / "corpus-1x.jsonl"
            write_jsonl(single, base_records)
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
    try:
        records = scaled_records(base_records, args.scale, args.scale_mode)
    except ValueError as error:  # a corpus too small to recombine
        print(f"speed benchmark: {error}", file=sys.stderr)
        return 2
    queries = make_queries(base_records, n_queries)
    report: dict[str, Any] = {
        "corpus": str(args.corpus), "articles": 0, "scale": args.scale, "scale_mode": args.scale_mode, "text_bytes": 0,
        "queries": len(queries), "cli_runs": cli_runs, "engines": {}, "skipped": {}, "failed": {},
    }
    run_engines(report, engines, base_records, records, queries, args.jobs)  # counts the articles as it writes them
    fill_rates(report["engines"], report["articles"], report["text_bytes"])
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_table(report)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Where searchlib's misses are on a BEIR-style set: how far down the relevant article ranks, and
how many of the query's words it holds at all.

    python benchmarks/relevance_misses.py ../shared/data/piaf-fr-retrieval
    python benchmarks/relevance_misses.py ../shared/data/piaf-fr-retrieval --examples 10 --json

A query "misses" when no relevant article is in the first 10. For each miss the query's content
words (searchlib's French analysis: stop words aside) are looked up in the relevant article, as
stems or in the same form (first five letters: "villageois" is held by an article saying
"village"): a query whose article holds none or one of them cannot be brought up by any weighting
of the words typed, only by knowing other words for the same thing (synonyms, paraphrase), unless
the one word it holds is so rare that few articles hold it. The "ceiling" line counts as found
every miss whose article holds two of the words or more, or one held by at most 10 articles: a
generous bound on the Recall@10 of any ranking of the words typed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import SearchlibEngine, load_dataset  # noqa: E402

from searchlib.analysis import french as analysis  # noqa: E402
from searchlib.search import ranking  # noqa: E402

DEPTH = 100
#: A word held by at most this many articles could by itself bring an article into the first 10.
RARE = 10
BUCKETS = ((1, 1), (2, 3), (4, 10), (11, 20), (21, 50), (51, 100))


def content_words(text: str) -> dict[str, str]:
    """``text``'s content words (stop words aside) as {index term: form}: the term is the folded,
    stemmed word; the form its first FORM_LETTERS folded letters, or the whole of a shorter word
    (the second look's measure, which also matches "village" and "villageois")."""
    found = {}
    for word in analysis.raw_words(text):
        folded, term = analysis.analysed(word)
        if term:
            found[term] = folded[: ranking.FORM_LETTERS]
    return found


def held(query: dict[str, str], article: dict[str, str], forms: set[str]) -> list[str]:
    """The query's words (terms) that the article holds, as a term or in the same form."""
    return [term for term, form in query.items() if term in article or form in forms]


def bucket(rank: int | None) -> str:
    for low, high in BUCKETS:
        if rank is not None and low <= rank <= high:
            return f"{low}" if low == high else f"{low}-{high}"
    return f"past {DEPTH}"


def analyse(directory: Path, examples: int, split: str | None = None) -> dict:
    docs, queries, qrels = load_dataset(directory, None, split)
    words_of = {doc.id: content_words(f"{doc.title} {doc.lede} {doc.body}") for doc in docs}
    forms_of = {doc_id: set(words.values()) for doc_id, words in words_of.items()}
    articles_holding: Counter[str] = Counter(term for words in words_of.values() for term in words)
    engine = SearchlibEngine()
    engine.index(docs)
    ranks: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    found = 0
    listed: list[dict] = []
    for qid, query in queries:
        ranked = engine.search(query, DEPTH)
        relevant = qrels[qid]
        rank = next((i for i, doc_id in enumerate(ranked, 1) if doc_id in relevant), None)
        ranks[bucket(rank)] += 1
        if rank is not None and rank <= 10:
            found += 1
            continue
        words = content_words(query)
        held_lists = [held(words, words_of[doc_id], forms_of[doc_id]) for doc_id in relevant if doc_id in words_of]
        most = max(map(len, held_lists), default=0)
        rare = any(len(terms) == 1 and articles_holding[terms[0]] <= RARE for terms in held_lists)
        shared["0" if most == 0 else f"1, held by at most {RARE} articles" if rare and most == 1
               else "1" if most == 1 else "2 or more"] += 1
        if len(listed) < examples:
            listed.append({"query": query, "rank": rank, "query_words": len(words), "held": most})
    misses = len(queries) - found
    return {
        "dataset": directory.name,
        "queries": len(queries),
        "recall_at_10": found / len(queries),
        "gold_rank": {name: ranks[name] for name in [bucket(low) for low, _ in BUCKETS] + [f"past {DEPTH}"]},
        "misses": misses,
        "misses_by_words_held": dict(sorted(shared.items())),
        "ceiling_recall_at_10": (found + shared["2 or more"] + shared[f"1, held by at most {RARE} articles"]) / len(queries),
        "examples": listed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="BEIR-style directory (corpus.jsonl, queries.jsonl, qrels)")
    parser.add_argument("--split", metavar="NAME", help="which qrels/NAME.tsv of a BEIR layout (default: test, else dev)")
    parser.add_argument("--examples", type=int, default=0, metavar="N", help="list the first N misses")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.dataset.is_dir():
        print(f"relevance_misses: no such directory: {args.dataset}", file=sys.stderr)
        return 2
    report = analyse(args.dataset, args.examples, args.split)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print(f"{report['dataset']}: {report['queries']} queries, Recall@10 {report['recall_at_10']:.4f}")
    print("rank of the first relevant article: " + ", ".join(f"{k}: {v}" for k, v in report["gold_rank"].items()))
    held = report["misses_by_words_held"]
    print(f"misses (not in the first 10): {report['misses']}; the relevant article holds of the query's content words: "
          + ", ".join(f"{k}: {v}" for k, v in held.items()))
    print(f"Recall@10 if every miss but those holding none or one common word were found: {report['ceiling_recall_at_10']:.4f}")
    for example in report["examples"]:
        print(f"  rank {example['rank'] or '-'}, holds {example['held']} of {example['query_words']}: {example['query']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

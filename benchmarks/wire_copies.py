"""Wire-copy grouping on OrangeSum: how many articles the near-duplicate key groups, and a sample to judge.

    python benchmarks/wire_copies.py                        # ../shared/data/orangesum-fr-news/...
    python benchmarks/wire_copies.py PATH --dates-within 3 --sample 30 --seed 6
    python benchmarks/wire_copies.py --dates-within -1      # no date condition
    python benchmarks/wire_copies.py --max-distance 3 --bands 4   # stricter than the default (7, 8)
    python benchmarks/wire_copies.py --key-version 1        # the key of indexes created before version 2

Candidates are pairs sharing a band key (as an index lookup would find them); a pair is kept when
:func:`searchlib.analysis.copy_keys.are_copies` holds and the two dates are at most ``--dates-within`` days apart.
Groups are the connected components of the kept pairs. It prints the counts, the Hamming distances
of the candidate pairs, and a seeded random sample of kept pairs (ids, dates, titles, the first
150 characters of each body) for a person to judge. The corpus text is only read, never written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import lzma
import random
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

from searchlib.analysis.copy_keys import BANDS, COPY_HASH_VERSION, MAX_DISTANCE, are_copies, band_keys, distance, simhash, word_simhash

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared/data/orangesum-fr-news/orangesum_articles.jsonl.xz"


def load(path: Path, limit: int | None) -> list[dict[str, str]]:
    with lzma.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(limit or sys.maxsize), f)]


def find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--dates-within", type=int, default=3, metavar="DAYS", help="-1: no date condition")
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N articles")
    parser.add_argument("--max-distance", type=int, default=MAX_DISTANCE, help="Hamming distance for copies")
    parser.add_argument("--bands", type=int, default=BANDS, choices=(4, 8, 16), help="must exceed --max-distance")
    parser.add_argument("--key-version", type=int, default=COPY_HASH_VERSION, choices=(1, 2),
                        help="the wire-copy key's version (see searchlib.analysis.copy_keys); default: new indexes'")
    args = parser.parse_args(argv)
    if args.bands <= args.max_distance:
        parser.error("--bands must exceed --max-distance, or some copies share no band")

    start = time.perf_counter()
    docs = load(args.path, args.limit)
    key = simhash if args.key_version == 1 else word_simhash
    hashes = [key(d["text"]) for d in docs]
    elapsed = time.perf_counter() - start
    keyed = sum(h is not None for h in hashes)
    print(f"key version {args.key_version}  articles: {len(docs)}  with a key: {keyed}  too short: {len(docs) - keyed}  ({elapsed:.1f} s)")

    buckets: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(hashes):
        for key in band_keys(h, args.bands):
            buckets[key].append(i)
    # Pairs are checked bucket by bucket, not collected first: with narrow bands there are millions.
    close: set[tuple[int, int]] = set()
    candidates = 0
    for members in buckets.values():
        for i, j in combinations(members, 2):
            candidates += 1
            if are_copies(hashes[i], hashes[j], args.max_distance):
                close.add((i, j))

    dates = [dt.date.fromisoformat(d["date"]) for d in docs]
    by_distance = Counter(distance(hashes[i], hashes[j]) for i, j in close)  # type: ignore[arg-type]
    kept = sorted(
        (i, j) for i, j in close if args.dates_within < 0 or abs((dates[i] - dates[j]).days) <= args.dates_within
    )
    print(f"candidate pairs (shared band, {args.bands} bands, counted once per shared band): {candidates}")
    print(f"pairs within distance {args.max_distance}: {len(close)}  by distance: "
          + ", ".join(f"{d}:{n}" for d, n in sorted(by_distance.items())))
    print(f"  dropped, dates more than {args.dates_within} days apart: {len(close) - len(kept)}")

    parent = list(range(len(docs)))
    for i, j in kept:
        parent[find(parent, i)] = find(parent, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in {k for pair in kept for k in pair}:
        groups[find(parent, i)].append(i)
    sizes = Counter(len(g) for g in groups.values())
    grouped = sum(len(g) for g in groups.values())
    print(f"copy pairs kept: {len(kept)}  groups: {len(groups)}  articles grouped: {grouped}")
    print("  group sizes: " + ", ".join(f"{size}:{n}" for size, n in sorted(sizes.items())))

    sample = random.Random(args.seed).sample(kept, min(args.sample, len(kept)))
    for n, (i, j) in enumerate(sample, 1):
        print(f"\n#{n}  distance {distance(hashes[i], hashes[j])}")  # type: ignore[arg-type]
        for k in (i, j):
            doc = docs[k]
            print(f"  {doc['id']}  {doc['date']}  {doc['title']}")
            print(f"    {' '.join(doc['text'][:150].split())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

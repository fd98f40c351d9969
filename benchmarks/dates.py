"""How well an article's text dates it: the corpora's articles read with their own date left out.

For every article of the dated corpora in ../shared/data (OrangeSum, French Wikinews), the date
cleaning gives its text (README, "Dates": a date opening the first lines, else one in the first
sentence) is compared with the date the corpus records. Prints, for each rule, how many articles it
dates and how many of those land on the recorded day or in the week before it (a story happens on
or just before the day it is written).

    python benchmarks/dates.py
"""

from __future__ import annotations

import datetime as dt
import json
import lzma
from collections.abc import Iterator
from pathlib import Path

from searchlib.ingest.cleaning import clean_paragraphs, split_paragraphs
from searchlib.ingest.dates import find_date

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPORA = (
    "orangesum-fr-news/orangesum_articles.jsonl.xz",
    "wikinews-fr-winer/wikinews_fr_2016_2018.jsonl",
    "wikinews-fr-100/wikinews_fr_2012.jsonl",
)


def records() -> Iterator[dict]:
    for name in CORPORA:
        path = DATA / name
        if not path.exists():
            print(f"(not found, left out: {path})")
            continue
        with (lzma.open(path, "rt", encoding="utf-8") if path.suffix == ".xz" else path.open(encoding="utf-8")) as lines:
            yield from (json.loads(line) for line in lines)


def main() -> None:
    counts = {"opening lines": [0, 0, 0], "first sentence": [0, 0, 0]}
    total = 0
    for record in records():
        total += 1
        lede = record.get("lede") or ""
        paragraphs = split_paragraphs(record.get("text") or "")
        date = clean_paragraphs(paragraphs, lede=lede).date
        if date is None:
            continue
        rule = "opening lines" if find_date("\n".join(([lede] if lede else []) + paragraphs[:3])) else "first sentence"
        days = (dt.date.fromisoformat(record["date"][:10]) - date).days
        counts[rule][0] += 1
        counts[rule][1] += days == 0
        counts[rule][2] += 0 <= days <= 7
    print(f"{total} articles, their own date left out")
    print("| rule | articles dated | the recorded day | that day or the week before |")
    print("|---|---|---|---|")
    for rule, (dated, same, week) in counts.items():
        share = f"{week / dated:.0%}" if dated else "-"
        print(f"| {rule} | {dated} | {same} | {week} ({share}) |")


if __name__ == "__main__":
    main()

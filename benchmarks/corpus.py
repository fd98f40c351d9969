"""A test archive for the reliability benchmarks: French Wikinews articles (CC BY 2.5) replicated
with new ids and spread over JSON Lines files. Falls back to the shipped samples without ../shared."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "wikinews-fr-winer" / "wikinews_fr_2016_2018.jsonl"
FALLBACK = REPO / "samples" / "wikinews_fr_sample.jsonl"


def build_corpus(root: Path, articles: int, files: int) -> list[str]:
    """Writes ``articles`` records over ``files`` JSON Lines files; returns their ids."""
    source = CORPUS if CORPUS.exists() else FALLBACK
    records = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    copies = [dict(r, id=f"{r['id']}-c{n}") for n in range(articles // len(records) + 1) for r in records]
    copies = copies[:articles]
    root.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(copies) // files)
    for part in range(files):
        chunk = copies[part * per_file : (part + 1) * per_file]
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
        (root / f"part{part:02d}.jsonl").write_text(lines, encoding="utf-8")
    return [r["id"] for r in copies]

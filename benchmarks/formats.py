"""Reading and cleaning throughput per input format, beside indexing throughput in the same run.

Reading must never be what slows indexing down. This writes the same French Wikinews articles
(CC BY 2.5; ../shared/data/wikinews-fr-winer, else the shipped samples) in every format searchlib
reads, times ``read_file`` over each (reading, decoding, extraction, cleaning; no index), then
indexes the JSON Lines copy to give the indexing rate to compare with.

    python benchmarks/formats.py              # about 2,400 articles per format
    python benchmarks/formats.py --articles 500
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import io
import json
import statistics
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from searchlib import Archive, Article
from searchlib.ingest.sources import discover, read_file

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "data" / "wikinews-fr-winer" / "wikinews_fr_2016_2018.jsonl"
FALLBACK = REPO / "samples" / "wikinews_fr_sample.jsonl"


def load(count: int) -> list[dict]:
    path = CORPUS if CORPUS.exists() else FALLBACK
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    copies = [dict(r, id=f"{r['id']}-{n}") for n in range(count // len(records) + 1) for r in records]
    return copies[:count]


def page(r: dict) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in r["text"].split("\n") if p.strip())
    return (
        f"<!DOCTYPE html><html lang=fr><head><meta charset=utf-8><title>{html.escape(r['title'])}</title>"
        f'<meta property="og:url" content="{html.escape(r["url"])}">'
        f'<meta property="article:published_time" content="{r["date"]}"></head><body>'
        f"<nav><a href=/>Accueil</a> <a href=/monde>Monde</a></nav><article><h1>{html.escape(r['title'])}</h1>"
        f"{paragraphs}</article><footer>Partager sur Facebook</footer></body></html>"
    )


def write_all(records: list[dict], root: Path) -> dict[str, list[Path]]:
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    out: dict[str, list[Path]] = {}

    def one(name: str, data: str | bytes) -> Path:
        path = root / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    txt_dir = root / "txt"
    txt_dir.mkdir()
    out["txt (one file each)"] = [
        one(f"txt/{n}.txt", f"Titre: {r['title']}\nDate: {r['date']}\nURL: {r['url']}\n\n{r['text']}")
        for n, r in enumerate(records)
    ]
    html_dir = root / "html"
    html_dir.mkdir()
    out["html (one page each)"] = [one(f"html/{n}.html", page(r)) for n, r in enumerate(records)]
    out["jsonl"] = [one("a.jsonl", lines)]
    out["json array"] = [one("a.json", json.dumps(records, ensure_ascii=False))]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "url", "date", "title", "text"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    out["csv"] = [one("a.csv", buffer.getvalue())]
    items = "".join(
        f"<item><title>{html.escape(r['title'])}</title><link>{html.escape(r['url'])}</link>"
        f"<guid>{html.escape(r['id'])}</guid><pubDate>{r['date']}T12:00:00Z</pubDate>"
        f"<description>{html.escape(r['text'])}</description></item>"
        for r in records
    )
    out["rss"] = [one("a.rss", f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>')]
    out["jsonl.gz"] = [one("a.jsonl.gz", gzip.compress(lines.encode("utf-8")))]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("inner/a.jsonl", lines)
    out["zip (jsonl inside)"] = [one("a.zip", zipped.getvalue())]
    with tarfile.open(root / "t.tar.gz", "w:gz") as bundle:
        bundle.add(txt_dir, arcname="txt")
    out["tar.gz (txt inside)"] = [root / "t.tar.gz"]
    with (root / "a.warc.gz").open("wb") as stream:
        warc = WARCWriter(stream, gzip=True)
        for r in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            body = io.BytesIO(page(r).encode("utf-8"))
            warc.write_record(warc.create_warc_record(r["url"], "response", payload=body, http_headers=headers))
    out["warc.gz"] = [root / "a.warc.gz"]
    return out


def rate(count: int, run: Callable[[], int], repeats: int) -> tuple[float, int]:
    """Median articles/s over ``repeats`` runs, and the article count of the last run."""
    speeds, read = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        read = run()
        speeds.append(count / (time.perf_counter() - start))
    return statistics.median(speeds), read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    records = load(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_all(records, Path(tmp))
        print(f"{len(records)} articles per format, median of {args.repeats} runs\n")
        print(f"{'format':24} {'articles/s':>10} {'read':>6} {'failed':>6}")
        for name, paths in files.items():

            def read_all(paths: list[Path] = paths) -> int:
                records_read = [r for p in paths for f in discover([p]) for r in read_file(f)]  # type: ignore[arg-type]
                read_all.failed = sum(1 for r in records_read if not isinstance(r, Article) and not r.warning)  # type: ignore[attr-defined]
                return sum(1 for r in records_read if isinstance(r, Article))

            speed, read = rate(len(records), read_all, args.repeats)
            print(f"{name:24} {speed:10,.0f} {read:6} {read_all.failed:6}")  # type: ignore[attr-defined]

        def index_jsonl() -> int:
            with tempfile.TemporaryDirectory() as index_dir, Archive(Path(index_dir) / "ix") as archive:
                return archive.index_paths(files["jsonl"]).added

        speed, added = rate(len(records), index_jsonl, 1)
        print(f"\n{'indexing (jsonl, full)':24} {speed:10,.0f} {added:6}")


if __name__ == "__main__":
    main()

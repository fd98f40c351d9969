"""Articles the tests index, shared by test modules of several components.

- the shipped Wikinews sample (``samples/wikinews_fr_sample.jsonl``, 199 articles) as Articles;
- ``DIPLOMACY``: five articles with every field a filter, a facet or a sort reads;
- ``shared_articles()``: the equivalence tier's few thousand articles of ../shared/data;
- ``DIPLOMACY``: five articles with every field a filter, a facet or a sort reads;
- numbered JSON Lines records (``articles``, ``archive_folder``) for indexing runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import lzma
import re
from collections.abc import Callable
from pathlib import Path

from searchlib import Article
from tests.conftest import SAMPLES, SHARED_CORPUS, SHARED_CORPUS_SIZE

SAMPLE_JSONL = SAMPLES / "wikinews_fr_sample.jsonl"


def sample_articles() -> list[Article]:
    """The shipped Wikinews sample as Articles (199; the source "Wikinews" where a record has none)."""
    records = [json.loads(line) for line in SAMPLE_JSONL.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = []
    for record in records:
        date = record.get("date")
        articles.append(
            Article(
                id=str(record.get("id") or record.get("url")),
                title=record.get("title") or "",
                lede=record.get("lede") or "",
                body=record.get("text") or record.get("body") or "",
                source=record.get("source") or "Wikinews",
                date=dt.date.fromisoformat(date[:10]) if date else None,
            )
        )
    return articles



@functools.cache
def shared_articles() -> tuple[Article, ...]:
    """SHARED_CORPUS_SIZE articles of ../shared/data (tests/conftest.py's SHARED_CORPUS), as the
    records hold them: the ``corpus`` fixture says whether they are there."""
    articles: list[Article] = []
    for path, source in SHARED_CORPUS:
        opened = lzma.open(path, "rt", encoding="utf-8") if path.suffix == ".xz" else path.open(encoding="utf-8")
        with opened as lines:
            for line in lines:
                if len(articles) == SHARED_CORPUS_SIZE:
                    return tuple(articles)
                if line.strip():
                    record = json.loads(line)
                    date = record.get("date")
                    articles.append(
                        Article(
                            id=str(record["id"]),
                            title=record.get("title") or "",
                            lede=record.get("lede") or "",
                            body=record.get("text") or "",
                            source=source,
                            section=record.get("category"),
                            url=record.get("url"),
                            date=dt.date.fromisoformat(date[:10]) if date else None,
                        )
                    )
    return tuple(articles)


# Blinken's trips: dated and undated, sources spelt two ways, an agency for a source, sections, authors.
DIPLOMACY = [
    Article(
        id="jakarta", title="Blinken et Wang à Jakarta", body="Antony Blinken rencontre Wang Yi. Une cyberattaque est évoquée.",
        date=dt.date(2023, 7, 14), source="AFP", section="Monde", author="Georges Haddad",
    ),
    Article(
        id="bavard", title="Diplomatie", body="Blinken parle longtemps de choses et d'autres avant de citer Wang.",
        date=dt.date(2022, 1, 3), source="Le Monde", section="International", author="Marie Dupont",
    ),
    Article(
        id="undated", title="Sans date", body="Blinken seul. Des cyberattaques visent Li Shangfu.", agency="AFP",
    ),
    Article(
        id="pekin", title="Blinken à Pékin", body="Antony Blinken à Pékin, reçu par Li Shangfu.",
        date=dt.date(2023, 8, 1), source="le monde", section="Monde", author="Paul Martin",
    ),
    Article(id="sport", title="Football", body="Le match a eu lieu à Jakarta.", date=dt.date(2021, 3, 2), source="L'Équipe"),
]  # fmt: skip


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def articles(count: int, start: int = 0) -> list[dict]:
    return [
        {"id": f"a{n}", "title": f"Dépêche numéro {n}", "text": f"Pékin et Jakarta, jour {n}. Mot{n} unique."}
        for n in range(start, start + count)
    ]


def archive_folder(tmp_path: Path, files: int, per_file: int) -> Path:
    """A folder of ``files`` JSON Lines files of ``per_file`` articles each, ids following on."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for part in range(files):
        write_jsonl(folder / f"part{part}.jsonl", articles(per_file, start=per_file * part))
    return folder


def interrupt_after(folder: Path, files: int) -> Callable[[int, int], None]:
    """A progress callback that stops an indexing run (as Ctrl-C does) once the first ``files``
    files of ``folder`` (in name order, as they are indexed) are read."""
    size = sum(path.stat().st_size for path in sorted(folder.iterdir())[:files])

    def progress(done: int, total: int) -> None:
        if done >= size:
            raise KeyboardInterrupt

    return progress


_TIMING = re.compile(r" in \d+(?:\.\d)? s(?:, [\d ]+ articles/s)?$", re.MULTILINE)


def without_timing(summary: str) -> str:
    """An indexing run's closing line without its time and rate (`` in 0.2 s, 22 articles/s``),
    which it must have."""
    assert _TIMING.search(summary), summary
    return _TIMING.sub("", summary)

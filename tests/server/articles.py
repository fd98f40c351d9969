"""Articles the server tests search: the shipped samples plus a few made to break things
(markup in titles and bodies, quotes that would end an attribute, a javascript: url)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from searchlib import Archive, Article
from tests.conftest import SAMPLES

HOSTILE = Article(
    id="hostile-1",
    title='<script>alert("titre")</script> Pékin répond " onmouseover="alert(1)',
    body='Le corps contient <img src=x onerror="alert(2)"> et des guillemets " \' > < & Pékin.',
    date=dt.date(2024, 3, 1),
    source="<b>Source</b> \" onclick='x'",
    author="Jean <em>Dupont</em>",
    url="javascript:alert(3)",
)


def build_index(path: Path, extra: list[Article] | None = None) -> Path:
    """An index of the samples at ``path`` (plus ``extra`` articles), closed again."""
    with Archive(path) as archive:
        report = archive.index_paths([SAMPLES])
        assert report.ok, report.failed
        archive.add_many(extra or [])
    return path


def dated_articles(count: int) -> list[Article]:
    """``count`` articles about Pékin, one per month from January 2001, for paging and dates."""
    return [
        Article(
            id=f"pekin-{number:03d}",
            title=f"Chronique pékinoise numéro {number}",
            body=f"Nouvelles de Pékin, épisode {number}.",
            date=dt.date(2001 + (number - 1) // 12, (number - 1) % 12 + 1, 15),
            source="Chroniques",
        )
        for number in range(1, count + 1)
    ]

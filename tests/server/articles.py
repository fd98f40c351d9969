"""Articles the server tests search: the shipped samples plus a few made to break things
(markup in titles and bodies, quotes that would end an attribute, a javascript: url), and the
index they are served from, on either engine (tests/conftest.py's ``backend``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
        fill(archive, extra)
    return path


def fill(archive: Archive, extra: list[Article] | None = None) -> Archive:
    """``archive`` with the samples indexed from their folder, then ``extra`` articles added."""
    report = archive.index_paths([SAMPLES])
    assert report.ok, report.failed
    archive.add_many(extra or [])
    return archive


def served_index(backend: str, new_archive: Callable[[], Archive], folder: Path, extra: list[Article]) -> str | Path:
    """Where an index of the samples and ``extra`` is, as ``create_app`` and ``--index`` take it:
    a directory in ``folder`` on the embedded engine (as ``searchlib serve`` serves it), the URL of
    an index of the test cluster on OpenSearch."""
    if backend == "embedded":
        return build_index(folder, extra)
    return fill(new_archive(), extra).stats().path  # the index's URL


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

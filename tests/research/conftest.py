"""Archives the research tools are tried on: the shipped samples, and small archives made in the
test, on each engine (tests/conftest.py's ``new_archive``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from searchlib import Archive, Article
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def samples(new_archive: Callable[[], Archive]) -> Archive:
    """The shipped samples, indexed once for each module here (they only search them)."""
    archive = new_archive()
    report = archive.index_paths([SAMPLES])
    assert (report.added, report.failed) == (200, [])
    return archive


def dated(article_id: str, day: str, body: str, title: str = "", source: str = "AFP") -> Article:
    return Article(id=article_id, title=title, body=body, date=dt.date.fromisoformat(day), source=source)

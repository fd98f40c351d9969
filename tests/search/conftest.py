"""The archive of the five ``DIPLOMACY`` articles that the query, facet and spelling tests search,
on each engine (tests/conftest.py's ``new_archive``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from searchlib import Archive
from tests.corpora import DIPLOMACY


@pytest.fixture(scope="module")
def archive(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(DIPLOMACY)
    return archive


def ids(archive: Archive, query: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in archive.search(query, **kwargs).hits]  # type: ignore[arg-type]

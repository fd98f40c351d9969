"""The archive of the five ``DIPLOMACY`` articles that the query, facet and spelling tests search."""

from __future__ import annotations

import pytest

from searchlib import Archive
from tests.corpora import DIPLOMACY


@pytest.fixture(scope="module")
def archive() -> Archive:
    archive = Archive.in_memory()
    archive.add_many(DIPLOMACY)
    return archive


def ids(archive: Archive, query: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in archive.search(query, **kwargs).hits]  # type: ignore[arg-type]

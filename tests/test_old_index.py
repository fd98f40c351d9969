"""An index written by an earlier searchlib keeps opening: its schema pickles class paths
(analyzer parts, codec, field types) that every later layout must still import.

``tests/fixtures/index-v0`` was written by ``searchlib index`` at commit 58213dc (schema 7, analyzer 1,
copy keys 2) from 30 Wikinews sample articles and the seed article. It is never rewritten: the tests
work on a copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from searchlib import Archive, Article
from searchlib.backends.whoosh.schema import SCHEMA_VERSION

OLD_INDEX = Path(__file__).resolve().parent / "fixtures" / "index-v0"


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(OLD_INDEX, copy)
    return copy


def test_an_old_index_opens_searches_and_reads_back(old_index: Path) -> None:
    with Archive.open(old_index) as archive:
        assert len(archive) == 31
        results = archive.search("attaque valence militaires")
        assert results.hits[0].id == "winer-2016_01_01-001"
        assert "Valence" in results.hits[0].title
        assert any(start < end for start, end in results.hits[0].snippet.highlights)
        article = archive.get("winer-2016_01_01-001")
        assert article.title == "France : attaque à Valence (Drôme)"
        assert article.body.startswith("Un homme, d'origine maghrébine")
        assert article.date is not None and article.date.isoformat() == "2016-01-01"
        assert archive.check() == []


def test_an_old_index_takes_new_articles(old_index: Path) -> None:
    with Archive.open(old_index) as archive:
        archive.add(Article(id="new-1", title="Sécurité à Valence", body="Les militaires patrouillent à Valence."))
        assert archive.search("securite valence").hits[0].id == "new-1"
        assert archive.search("attaque valence militaires").hits[0].id == "winer-2016_01_01-001"
        assert len(archive) == 32
    # Its table of contents now pickles this version's class paths: an older searchlib must refuse it.
    assert json.loads((old_index / "searchlib.json").read_text())["schema_version"] == SCHEMA_VERSION
    with Archive.open(old_index) as archive:
        assert archive.get("new-1").title == "Sécurité à Valence" and archive.check() == []


def test_an_old_index_only_read_keeps_its_version(old_index: Path) -> None:
    with Archive.open(old_index) as archive:
        assert archive.search("valence").total >= 1
    assert json.loads((old_index / "searchlib.json").read_text())["schema_version"] == 7

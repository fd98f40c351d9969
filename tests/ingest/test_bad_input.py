"""Bad input files through the Python API: broken files are reported, never fatal. (Bad queries:
tests/search/test_bad_queries.py.)"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from searchlib import Archive, Article, IndexReport

GOOD = {"id": "good-1", "title": "Canicule à Pékin", "text": "Des records de chaleur."}
GOOD_TOO = {"id": "good-2", "title": "Pékin sous la pluie", "text": "Des inondations."}


def index(new_archive: Callable[[], Archive], *paths: Path) -> tuple[Archive, IndexReport]:
    """A new archive on the test's engine (tests/conftest.py's ``new_archive``) and the report of
    indexing ``paths`` into it."""
    archive = new_archive()
    return archive, archive.index_paths(paths)


def found(archive: Archive, query: str) -> list[str]:
    return sorted(hit.id for hit in archive.search(query).hits)


# -- text files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n\t \r\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (b"Pekin\x00\x00\x00 en clair", "binary file"),
        (b"\x81\x8d\x8f\x90\x9d" * 4, "not text"),
        ("Lire aussi\n\nCommentaires\n\nPublicité\n".encode(), "no article text"),
    ],
    ids=["empty", "blank", "png", "nul", "undecodable", "only-boilerplate"],
)
def test_unreadable_text_file_is_reported_and_the_others_indexed(
    tmp_path: Path, new_archive: Callable[[], Archive], data: bytes, reason: str
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    bad = folder / "bad.txt"
    bad.write_bytes(data)
    (folder / "good.txt").write_text("Alerte à Pékin\n\nLa pollution atteint un record.", encoding="utf-8")
    archive, report = index(new_archive, folder)
    [failure] = report.failed
    assert (failure.path, failure.line) == (str(bad), None)
    assert reason in failure.reason
    assert (report.added, report.warnings) == (1, [])
    assert archive.search("pekin").total == 1


def test_windows_1252_text_is_decoded(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    path = tmp_path / "ancien.txt"
    path.write_bytes("Alerte à Pékin\n\nLa sécurité des élèves préoccupe l’État.".encode("cp1252"))
    archive, report = index(new_archive, path)
    assert (report.added, report.failed) == (1, [])
    [article] = list(archive)
    assert (article.title, article.body) == ("Alerte à Pékin", "La sécurité des élèves préoccupe l’État.")
    typed = [("securite", "sécurité"), ("eleves", "élèves"), ("etat", "État"), ("préoccupe", "préoccupe")]
    for query, word in typed:
        [hit] = archive.search(query).hits
        assert hit.snippet.highlighted_words() == [word], query


def test_utf8_with_bom_is_not_read_as_windows_1252(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffAlerte à Pékin\n\nLa sécurité.".encode())
    archive, report = index(new_archive, path)
    assert report.failed == []
    [article] = list(archive)
    assert article.title == "Alerte à Pékin"


def test_unreadable_date_header_is_a_warning(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Titre: Alerte à Pékin\nDate: hier soir\nSource: AFP\n\nLa pollution.", encoding="utf-8")
    archive, report = index(new_archive, path)
    assert (report.added, report.failed) == (1, [])
    [warning] = report.warnings
    assert (warning.path, warning.line, warning.warning) == (str(path), 2, True)
    assert "hier soir" in warning.reason
    [article] = list(archive)
    assert (article.date, article.source) == (None, "AFP")


# -- JSON Lines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": "bad", "title": "Coup', "invalid JSON"),
        (b'["Canicule", "Pekin"]', "expected a JSON object, got list"),
        (b"42", "expected a JSON object, got int"),
        (b"null", "expected a JSON object"),
        (b'{"id": "bad", "date": "2023-07-13", "url": "https://e.org/x"}', "no title or text"),
        (b'{"id": "bad", "title": "", "text": "   "}', "no title or text"),
        (b'{"id": "bad", "title": {"fr": "Pekin"}}', "should be text"),
        (b'{"id": "bad", "title": "\xe9t\xe9 \xe0 P\xe9kin"}', "not UTF-8"),
    ],
    ids=["truncated", "array", "number", "null", "no-text", "blank-text", "object-title", "latin-1"],
)
def test_bad_jsonl_line_is_reported_with_its_line_and_the_others_indexed(
    tmp_path: Path, new_archive: Callable[[], Archive], line: bytes, reason: str
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([json.dumps(GOOD).encode(), line, b"", json.dumps(GOOD_TOO).encode()]) + b"\n")
    archive, report = index(new_archive, path)
    [failure] = report.failed
    assert (failure.path, failure.line) == (str(path), 2)
    assert reason in failure.reason
    assert str(failure).startswith(f"{path}:2: ")
    assert report.added == 2
    assert found(archive, "pekin") == ["good-1", "good-2"]


def test_deeply_nested_json_is_reported_not_a_crash(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}\n" + json.dumps(GOOD) + "\n")
    archive, report = index(new_archive, path)
    assert [f.line for f in report.failed] == [1]
    assert found(archive, "pekin") == ["good-1"]


@pytest.mark.parametrize("date", ["hier soir", "2023-13-45", "31/02/2023", "", "juillet"])
def test_unreadable_date_is_indexed_without_a_date_and_warned(tmp_path: Path, new_archive: Callable[[], Archive], date: str) -> None:
    path = tmp_path / "dates.jsonl"
    records = [GOOD, {"id": "undated", "title": "Pékin la nuit", "date": date}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    archive, report = index(new_archive, path)
    assert (report.added, report.failed) == (2, [])
    if date:
        [warning] = report.warnings
        assert (warning.path, warning.line) == (str(path), 2)
        assert "without a date" in warning.reason
    else:
        assert report.warnings == []
    assert archive.get("undated").date is None
    assert found(archive, "pekin") == ["good-1", "undated"]


def test_a_good_date_is_kept(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    path = tmp_path / "dated.jsonl"
    record = {"id": "d", "title": "Pékin", "date": "jeudi 13 juillet 2023"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    archive, report = index(new_archive, path)
    assert report.warnings == [] and archive.get("d").date == dt.date(2023, 7, 13)


# -- paths -------------------------------------------------------------------------------------


def test_missing_path_is_reported(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Alerte à Pékin\n\nLa pollution.", encoding="utf-8")
    missing = tmp_path / "nowhere" / "a.txt"
    archive, report = index(new_archive, missing, good)
    [failure] = report.failed
    assert (failure.path, failure.line) == (str(missing), None)
    assert "no such file" in failure.reason
    assert report.added == 1 and archive.search("pekin").total == 1


@pytest.mark.parametrize("name", ["article.pdf", "article.docx", "README", "archive.odt"])
def test_unsupported_file_named_explicitly_is_reported(tmp_path: Path, new_archive: Callable[[], Archive], name: str) -> None:
    path = tmp_path / name
    path.write_text("Alerte à Pékin", encoding="utf-8")
    archive, report = index(new_archive, path)
    [failure] = report.failed
    assert failure.path == str(path) and "unsupported" in failure.reason
    assert (report.added, len(archive)) == (0, 0)


def test_unsupported_files_inside_a_directory_are_skipped_silently(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    folder = tmp_path / "archive"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Alerte à Pékin\n\nLa pollution.", encoding="utf-8")
    (folder / "notes.md").write_text("Pékin, à relire", encoding="utf-8")
    (folder / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4\x00\x01")
    (folder / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00")
    archive, report = index(new_archive, folder)
    assert (report.added, report.failed, report.warnings) == (1, [], [])
    assert len(archive) == 1


def test_an_empty_directory_indexes_nothing(tmp_path: Path, new_archive: Callable[[], Archive]) -> None:
    (tmp_path / "empty").mkdir()
    archive, report = index(new_archive, tmp_path / "empty")
    assert (report.added, report.failed, len(archive)) == (0, [], 0)


def test_records_without_text_added_through_the_api_are_searchable_by_title(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    assert archive.add(Article(id="t", title="Pékin")) == "added"
    assert found(archive, "pekin") == ["t"]

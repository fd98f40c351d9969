"""Reading archive files: the seed page's cleaning, text headers, JSON Lines field names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from searchlib import Archive, Article, Failure
from searchlib.ingest.cleaning import clean_paragraphs, parse_byline
from searchlib.ingest.sources import discover, read_file

from tests.conftest import SAMPLES


def read_one(path: Path) -> Article:
    records = list(read_file(path))
    assert len(records) == 1 and isinstance(records[0], Article), records
    return records[0]


@pytest.fixture
def seed_article() -> Article:
    return read_one(SAMPLES / "000_ea71d8d9c7e3bcc7.txt")


def test_seed_page_is_cleaned(seed_article: Article) -> None:
    paragraphs = seed_article.body.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs)) == 10  # the page repeats its body; we keep it once
    assert seed_article.lede.startswith("Les chefs de la diplomatie américaine et chinoise")
    assert paragraphs[0].startswith("Le secrétaire d'Etat américain Antony Blinken a averti jeudi")
    assert paragraphs[-1].startswith("Pékin est particulièrement dans le viseur")
    for furniture in ("Lire aussi", "Commentaires", "Georges Haddad"):
        assert furniture not in seed_article.body


def test_seed_byline_becomes_author_and_agency(seed_article: Article) -> None:
    assert (seed_article.author, seed_article.agency) == ("Georges Haddad", "AFP")


def test_seed_title_is_the_first_sentence_of_the_lede(seed_article: Article) -> None:
    assert seed_article.title == (
        "Les chefs de la diplomatie américaine et chinoise Antony Blinken et Wang Yi ont eu une "
        "rencontre jeudi en marge du sommet de l'Asean à Jakarta"
    )


def test_text_id_is_stable_and_path_derived(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text("Un titre\n\nUn texte.", encoding="utf-8")
    first, second = read_one(path), read_one(path)
    assert first.id == second.id and first.id.startswith("article-")
    other = tmp_path / "sub"
    other.mkdir()
    (other / "article.txt").write_text("Un titre\n\nUn texte.", encoding="utf-8")
    assert read_one(other / "article.txt").id != first.id


def test_header_block_overrides_what_is_inferred(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Titre: Sommet de l'Asean\nDate: 2023-07-13\nSource: Le Monde\nURL: https://example.org/a\n"
        "Auteur: Marie Dupont\nRubrique: International\n\n"
        "Antony Blinken et Wang Yi se sont rencontrés.\n\nLe second paragraphe.\n",
        encoding="utf-8",
    )
    article = read_one(path)
    assert article == Article(
        id="https://example.org/a",
        title="Sommet de l'Asean",
        lede="Antony Blinken et Wang Yi se sont rencontrés.",
        body="Le second paragraphe.",
        date=dt.date(2023, 7, 13),
        source="Le Monde",
        author="Marie Dupont",
        url="https://example.org/a",
        section="International",
        path=str(path),
    )


def test_short_first_line_without_full_stop_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Pollution : alerte rouge à Pékin\nLes autorités ont décrété une alerte.\nSuite.", encoding="utf-8")
    article = read_one(path)
    assert (article.title, article.lede, article.body) == (
        "Pollution : alerte rouge à Pékin",
        "Les autorités ont décrété une alerte.",
        "Suite.",
    )


def test_not_a_header_when_the_first_line_is_prose(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Note: ceci n'est pas un en-tête.\n\nTexte.", encoding="utf-8")
    assert read_one(path).lede == "Note: ceci n'est pas un en-tête."


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_jsonl_accepts_the_usual_field_names(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"_id": "x1", "titre": "T1", "chapo": "L1", "content": "B1", "date": "2023-07-13T08:30:00Z",
             "link": "https://e.org/1", "publisher": "AFP", "auteur": "A1", "category": "monde"},
            {"id": 7, "title": "T2", "summary": "L2", "body": "B2", "date": "2023-07-14", "url": "u2",
             "source": "S2", "author": {"name": "A2"}, "section": "france"},
        ],
    )  # fmt: skip
    first, second = list(read_file(path))
    assert first == Article(
        id="x1", title="T1", lede="L1", body="B1", date=dt.date(2023, 7, 13), source="AFP",
        author="A1", url="https://e.org/1", section="monde", path=str(path),
    )  # fmt: skip
    assert (second.id, second.lede, second.author, second.date) == ("7", "L2", "A2", dt.date(2023, 7, 14))


def test_jsonl_id_falls_back_to_url_then_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"title": "T", "url": "https://e.org/x"}, {"title": "T"}])
    with_url, without = list(read_file(path))
    assert with_url.id == "https://e.org/x"
    assert without.id.startswith("a-") and without.id.endswith("-2")


def test_jsonl_without_title_gets_one_from_the_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "Première phrase du texte. Deuxième phrase."}])
    assert read_one(path).title == "Première phrase du texte"


def test_jsonl_body_is_cleaned_like_text_files(tmp_path: Path) -> None:
    body = "Un paragraphe.\nUn autre.\nUn paragraphe.\nPar Marie Dupont\nLire aussi"
    article = read_one(write_jsonl(tmp_path / "a.jsonl", [{"title": "T", "text": body}]))
    assert (article.body, article.author) == ("Un paragraphe.\n\nUn autre.", "Marie Dupont")


@pytest.mark.parametrize(
    ("line", "author", "agency"),
    [
        ("Georges Haddad, avec AFP", "Georges Haddad", "AFP"),
        ("Par Marie Dupont", "Marie Dupont", None),
        ("par Jean de La Fontaine", "Jean de La Fontaine", None),
        ("Marie Dupont / Reuters", "Marie Dupont", "Reuters"),
        ("(AFP)", None, "AFP"),
    ],
)
def test_bylines(line: str, author: str | None, agency: str | None) -> None:
    byline = parse_byline(line)
    assert byline is not None and (byline.author, byline.agency) == (author, agency)


@pytest.mark.parametrize(
    "line",
    ["Pékin est particulièrement dans le viseur", "Antony Blinken a averti jeudi", "La Chine", "Paris"],
)
def test_sentences_are_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


def test_boilerplate_and_repeats_dropped_but_similar_paragraphs_kept() -> None:
    cleaned = clean_paragraphs(["A.", "Partager sur Facebook", "B.", "a.", "Publicité", "Commentaires", "A. B."])
    assert cleaned.paragraphs == ["A.", "B.", "A. B."]


def test_discover_walks_directories_in_order_and_skips_other_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "b/1.jsonl", "a.txt", "notes.md", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = list(discover([tmp_path]))
    assert [p.relative_to(tmp_path).as_posix() for p in found if isinstance(p, Path)] == ["a.txt", "b/1.jsonl", "b/2.txt"]


def test_discover_reports_missing_and_unsupported_paths(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    found = list(discover([tmp_path / "missing", tmp_path / "a.pdf"]))
    assert all(isinstance(f, Failure) for f in found)
    assert "no such file" in found[0].reason and "unsupported" in found[1].reason


def test_json_lines_with_inline_html_index_and_show_the_words_only(tmp_path: Path) -> None:
    from searchlib import Archive

    record = {
        "id": "h1",
        "title": '<i><span class="lang-la" lang="la">Pomerium</span></i> de Rome',
        "text": "<p>Le <b>pomerium</b> est la limite sacrée de Rome.</p><p>Elle date de l&#8217;Antiquité.</p>",
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [article] = list(read_file(path))
    assert article.title == "Pomerium de Rome"
    assert "<" not in article.body and "l’Antiquité" in article.body
    archive = Archive.in_memory()
    archive.add_many([article])
    assert archive.search("span").total == 0 and archive.search("class").total == 0
    assert archive.search("pomerium").hits[0].title == "Pomerium de Rome"


def test_a_file_too_large_to_be_one_article_is_reported_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib.ingest.sources import text

    monkeypatch.setattr(text, "ARTICLE_FILE_LIMIT", 1000)
    (tmp_path / "huge.txt").write_text("Pékin. " * 400, encoding="utf-8")
    (tmp_path / "small.txt").write_text("Alerte à Pékin\n\nUn texte court.", encoding="utf-8")
    report = Archive.in_memory().index_paths([tmp_path])
    assert report.added == 1
    assert [(Path(f.path).name, "larger than" in f.reason) for f in report.failed] == [("huge.txt", True)]

"""The research routes over HTTP (trends, concordance, associated terms, exports, Atom feeds) and
the page's tabs for them, through FastAPI's in-process client."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed: pip install 'searchlib[server]'")

import feedparser  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from searchlib import Archive, Article  # noqa: E402
from searchlib.research.trend import period_span  # noqa: E402
from searchlib.server import Limits, create_app  # noqa: E402
from tests.server.articles import HOSTILE, dated_articles, fill, served_index  # noqa: E402

#: Cells a spreadsheet would run as formulas, in a searchable article.
FORMULA = Article(
    id="formule-1",
    title='=HYPERLINK("http://example.org/x","Pékin")',
    body="Une dépêche sur Pékin qui commence mal.",
    date=dt.date(2024, 5, 2),
    source="+33 Presse",
    author="@auteur",
)


@pytest.fixture(scope="module")
def served(backend: str, new_archive: Callable[[], Archive], tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """The index the tests serve, on each engine: its directory, or its URL in the test cluster."""
    return served_index(backend, new_archive, tmp_path_factory.mktemp("research"), [HOSTILE, FORMULA, *dated_articles(30)])


@pytest.fixture(scope="module")
def client(served: str | Path) -> TestClient:
    return TestClient(create_app(served))


def _total(client: TestClient, **params: str | list[str]) -> int:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


# --- trends ---------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["year", "month"])
def test_trend_counts_are_the_totals_a_search_gives_period_by_period(client: TestClient, by: str) -> None:
    params = {"q": ["pekin", "chronique pekinoise"], "by": by, "from": "2001-06", "to": "2016"}
    trend = client.get("/trend", params=params).json()
    assert trend["by"] == by and trend["periods"][0] == ("2001" if by == "year" else "2001-06")
    assert [series["query"] for series in trend["series"]] == ["pekin", "chronique pekinoise"]
    for series in trend["series"]:
        assert len(series["counts"]) == len(trend["periods"])
        for period, count in zip(trend["periods"], series["counts"]):
            first, last = period_span(period)
            first, last = max(first, dt.date(2001, 6, 1)), min(last, dt.date(2016, 12, 31))
            if by == "month" and count == 0 and not period.startswith(("2001", "2002", "2003")):
                continue  # the empty months between 2003 and 2016: one search each would be slow
            assert count == _total(client, q=series["query"], **{"from": first.isoformat(), "to": last.isoformat()}), period
        assert sum(series["counts"]) + series["undated"] == series["total"]
        assert series["total"] == _total(client, q=series["query"], **{"from": "2001-06", "to": "2016"})


def test_an_empty_period_is_zero_and_a_query_without_matches_is_all_zeros(client: TestClient) -> None:
    trend = client.get("/trend", params={"q": ["pekin", "zzzyxw"], "by": "year"}).json()
    years = trend["periods"]
    assert years == [str(year) for year in range(int(years[0]), int(years[-1]) + 1)]  # no year missing
    pekin, nothing = trend["series"]
    assert pekin["counts"][years.index("2004")] == 0  # between the chronicles and the 2016 articles
    assert nothing["counts"] == [0] * len(years) and nothing["total"] == 0


def test_trend_per_thousand_articles(client: TestClient) -> None:
    trend = client.get("/trend", params={"q": "chronique pekinoise", "by": "year", "per": 1000, "from": "2001", "to": "2003"}).json()
    assert trend["per"] == 1000 and trend["periods"] == ["2001", "2002", "2003"]
    series = trend["series"][0]
    for count, rate, articles in zip(series["counts"], series["rates"], trend["articles"]):
        assert rate == pytest.approx(1000 * count / articles)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"q": "pekin", "by": "decade"}, "bad by 'decade'"),
        ({"q": ["pekin", "a", "b", "c", "d", "e", "f"]}, "up to 6 queries"),
        ({}, "bad q"),
        ({"q": "pekin", "from": "hier soir"}, "bad from"),
        ({"q": "pekin", "per": "0"}, "bad per"),
        ({"q": ["pekin", "-wang"]}, "leave out"),
    ],
)
def test_bad_trend_requests_are_400_with_a_readable_message(client: TestClient, params: dict[str, object], words: str) -> None:
    response = client.get("/trend", params=params)  # type: ignore[arg-type]
    assert response.status_code == 400
    body = response.json()
    assert words in body["error"] and "\n" not in body["error"]


# --- concordance and associated terms ---------------------------------------------------------


def test_kwic_pages_lines_with_the_word_as_written(client: TestClient) -> None:
    first = client.get("/kwic", params={"q": "pekin", "limit": 10, "source": "Chroniques"}).json()
    assert first["articles"] == 30 and first["more"] is True and len(first["lines"]) == 10
    line = first["lines"][0]
    assert (line["id"], line["date"], line["match"]) == ("pekin-001", "2001-01-15", "Pékin")
    assert line["left"].endswith("Nouvelles de ") and line["right"].startswith(", épisode 1")
    last = client.get("/kwic", params={"q": "pekin", "limit": 10, "page": 3, "source": "Chroniques"}).json()
    assert last["more"] is False and len(last["lines"]) == 10
    assert client.get("/kwic", params={"q": "pekin", "sort": "colour"}).status_code == 400
    assert client.get("/kwic", params={"q": "pekin", "sort": "right"}).status_code == 200


def test_associated_terms(client: TestClient) -> None:
    terms = client.get("/terms", params={"q": "pekin", "top": 3}).json()
    assert terms["query"] == "pekin" and terms["matching"] == _total(client, q="pekin")
    assert 0 < len(terms["terms"]) <= 3
    assert all(set(term) == {"term", "score", "matching", "archive"} for term in terms["terms"])
    assert client.get("/terms", params={"q": "pekin", "top": 0}).status_code == 400


# --- export ---------------------------------------------------------------------------------


def test_csv_export_has_every_matching_article(client: TestClient) -> None:
    response = client.get("/export.csv", params={"q": "pekin"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="searchlib-pekin.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = _total(client, q="pekin")
    assert len(rows) == total == int(response.headers["x-searchlib-total"])
    assert "x-searchlib-truncated" not in response.headers
    assert response.headers["x-searchlib-export-limit"] == "10000"
    assert list(rows[0]) == ["id", "title", "date", "source", "author", "section", "url", "score", "snippet"]
    assert len({row["id"] for row in rows}) == total


def test_exports_are_capped_and_say_so(served: str | Path) -> None:
    client = TestClient(create_app(served, limits=Limits(max_export=7)))
    response = client.get("/export.csv", params={"q": "pekin", "sort": "-date"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 7
    assert response.headers["x-searchlib-export-limit"] == "7"
    assert response.headers["x-searchlib-truncated"] == "true"
    assert int(response.headers["x-searchlib-total"]) == _total(client, q="pekin") > 7
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    lines = client.get("/export.jsonl", params={"q": "pekin", "limit": 3}).text.splitlines()
    assert len(lines) == 3 and all(json.loads(line)["id"] for line in lines)
    below = client.get("/export.jsonl", params={"q": "pekin", "limit": 100})  # a limit above the cap gives the cap
    assert len(below.text.splitlines()) == 7 and below.headers["x-searchlib-export-limit"] == "7"


def test_csv_export_escapes_formulas_and_jsonl_keeps_the_text(client: TestClient) -> None:
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(client.get("/export.csv", params={"q": "pekin"}).text))}
    formula = rows["formule-1"]
    assert formula["title"] == "'" + FORMULA.title
    assert (formula["source"], formula["author"]) == ("'+33 Presse", "'@auteur")
    assert not any(str(value).startswith(("=", "+", "-", "@")) for row in rows.values() for value in row.values())
    jsonl = [json.loads(line) for line in client.get("/export.jsonl", params={"q": "pekin"}).text.splitlines()]
    assert {row["id"]: row for row in jsonl}["formule-1"]["title"] == FORMULA.title


def test_export_errors_are_json(client: TestClient) -> None:
    for path in ("/export.csv", "/export.jsonl"):
        response = client.get(path, params={"q": "-pekin"})
        assert response.status_code == 400 and "leave out" in response.json()["error"]


# --- Atom -----------------------------------------------------------------------------------


ATOM = "{http://www.w3.org/2005/Atom}"


def _one(parent: ET.Element, name: str) -> ET.Element:
    found = parent.findall(ATOM + name)
    assert len(found) == 1, f"{parent.tag} has {len(found)} {name}"
    return found[0]


def test_atom_feed_has_what_rfc_4287_requires(client: TestClient) -> None:
    response = client.get("/search.atom", params={"q": "pekin", "source": ["Chroniques", "Wikinews"]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(response.content)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated", "author"):  # 4.1.1: a feed without an author needs one per entry
        assert (_one(root, name).text or list(_one(root, name))), name
    links = {link.get("rel"): link.get("href") for link in root.findall(ATOM + "link")}
    assert urlsplit(links["self"]).path == "/search.atom"
    assert urlsplit(links["alternate"]).path == "/" and parse_qs(urlsplit(links["alternate"]).query)["q"] == ["pekin"]
    entries = root.findall(ATOM + "entry")
    assert len(entries) == _total(client, q="pekin", source=["Chroniques", "Wikinews"]) == 33
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):  # 4.1.2
            assert _one(entry, name).text, name
        alternate = [link for link in entry.findall(ATOM + "link") if link.get("rel") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href") == _one(entry, "id").text
        ids.append(_one(entry, "id").text)
    assert len(set(ids)) == len(ids)
    chronicle = next(entry for entry in parsed.entries if entry.id.endswith("/view/pekin-030"))
    assert chronicle.updated == "2003-06-15T00:00:00Z" and "Pékin" in chronicle.summary and "<mark>" not in chronicle.summary
    assert client.get(urlsplit(chronicle.link).path).status_code == 200


def test_atom_feed_lists_the_articles_added_last_first_whatever_their_date(new_archive: Callable[[], Archive]) -> None:
    archive = fill(new_archive(), dated_articles(3))  # the chronicles come after the samples
    archive.add(Article(id="late", title="Pékin, une vieille dépêche retrouvée", body="Pékin.", date=dt.date(1999, 1, 1)))
    parsed = feedparser.parse(TestClient(create_app(archive)).get("/search.atom", params={"q": "pekin"}).content)
    paths = [urlsplit(entry.id).path for entry in parsed.entries]
    assert paths[0] == "/view/late"
    assert set(paths[1:4]) == {"/view/pekin-001", "/view/pekin-002", "/view/pekin-003"}


def test_atom_feed_escapes_stored_text_and_keeps_50_entries(client: TestClient, new_archive: Callable[[], Archive]) -> None:
    parsed = feedparser.parse(client.get("/search.atom", params={"q": "pekin", "from": "2024"}).content)
    assert not parsed.bozo
    hostile = next(entry for entry in parsed.entries if entry.id.endswith("/view/hostile-1"))
    assert hostile.title.startswith('<script>alert("titre")</script>')  # text, not markup
    assert hostile.author == "Jean <em>Dupont</em>"
    many = TestClient(create_app(fill(new_archive(), dated_articles(70))))
    parsed = feedparser.parse(many.get("/search.atom", params={"q": "pekin", "source": "Chroniques"}).content)
    assert len(parsed.entries) == 50
    assert many.get("/search.atom", params={"q": "pekin", "to": "hier soir"}).status_code == 400


def test_atom_feed_id_is_the_same_for_the_same_search(client: TestClient) -> None:
    one = feedparser.parse(client.get("/search.atom?q=pekin&source=Chroniques&from=2001").content).feed.id
    two = feedparser.parse(client.get("/search.atom?from=2001&q=pekin&source=Chroniques").content).feed.id
    other = feedparser.parse(client.get("/search.atom?q=pekin").content).feed.id
    empty = feedparser.parse(client.get("/search.atom?q=pekin&from=").content).feed.id
    assert one == two != other == empty
    assert one.startswith("http://testserver/search.atom?")


# --- the page's tabs ------------------------------------------------------------------------


def _links(page: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*)"', page)]


def test_tabs_keep_the_query_and_the_filters(client: TestClient) -> None:
    page = client.get("/", params={"q": "pekin", "source": "Chroniques", "from": "2001", "sort": "-date"}).text
    tabs = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', page, re.S)
    assert tabs, "no tabs"
    assert re.findall(r">([^<>]+)</a>", tabs.group(1)) == ["Résultats", "Tendance", "Concordance"]
    assert 'aria-current="page">Résultats' in tabs.group(1)
    links = _links(tabs.group(1))
    assert links[1] == "/tendance?q=pekin&source=Chroniques&from=2001"  # the filters, not the sort
    assert links[2] == "/concordance?q=pekin&source=Chroniques&from=2001"
    trend = client.get(links[1]).text
    assert 'aria-current="page">Tendance' in trend and 'value="pekin"' in trend and 'name="source" value="Chroniques"' in trend
    concordance = client.get(links[2])
    assert concordance.status_code == 200 and 'aria-current="page">Concordance' in concordance.text


def test_trend_page_draws_an_svg_chart_with_a_table(client: TestClient) -> None:
    page = client.get("/tendance", params={"q": ["pekin", "chronique"], "by": "year", "source": "Chroniques"}).text
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg and "<script" not in page
    years = ["2001", "2002", "2003"]
    points = re.findall(r'<a href="([^"]*)" data-period="([^"]*)"><title>([^<]*)</title><circle ', svg.group(0))
    assert len(points) == len(years) * 2
    href, period, title = points[0]
    assert period == "2001" and title == "« pekin », 2001 : 12 articles"
    assert href.replace("&amp;", "&") == "/?q=pekin&from=2001-01-01&to=2001-12-31&source=Chroniques"
    assert "pekin (30 articles)" in svg.group(0) and "chronique (30 articles)" in svg.group(0)  # the legend
    table = re.search(r"<table class=\"numbers\">.*?</table>", page, re.S)
    assert table and table.group(0).count("<tr>") == 1 + len(years)
    assert '<th scope="col">pekin</th>' in table.group(0) and '<th scope="row">2003</th>' in table.group(0)
    followed = client.get(href.replace("&amp;", "&")).text
    assert "sur 12 articles" in followed


def test_trend_page_with_nothing_found_shows_an_empty_chart_with_a_message(client: TestClient) -> None:
    page = client.get("/tendance", params={"q": "zzzyxw"})
    assert page.status_code == 200
    assert "la courbe est vide" in page.text and "<svg " in page.text and "<circle" not in page.text


def test_trend_page_says_what_is_wrong_in_french(client: TestClient) -> None:
    bad = client.get("/tendance", params={"q": "pekin", "by": "decade"})
    assert bad.status_code == 400 and "Période non reconnue : « decade »" in bad.text
    many = client.get("/tendance", params={"q": ["pekin", "b", "c", "d", "e", "f", "g"]})
    assert many.status_code == 400 and "six recherches au plus" in many.text
    assert client.get("/tendance").status_code == 200


def test_concordance_page_is_a_paged_table(client: TestClient) -> None:
    page = client.get("/concordance", params={"q": "pekin", "source": "Chroniques"}).text
    rows = re.findall(r"<tr>\s*<td class=\"where\">.*?</tr>", page, re.S)
    assert len(rows) == 30
    assert re.search(r'<td class="left"><span>Nouvelles de </span></td>\s*<td class="match"><strong>Pékin</strong></td>', page)
    assert "Occurrences 1–30, dans 30 articles" in page
    deep = client.get("/concordance", params={"q": "pekin", "page": 99})
    assert deep.status_code == 400 and "premières lignes de la concordance" in deep.text


def test_results_page_links_its_feed_exports_and_associated_terms(client: TestClient) -> None:
    page = client.get("/", params={"q": "pekin", "source": "Chroniques"}).text
    assert '<link rel="alternate" type="application/atom+xml"' in page
    links = _links(page)
    assert links.count("/search.atom?q=pekin&source=Chroniques") == 2  # in <head>, and a visible one
    assert "/export.csv?q=pekin&source=Chroniques" in links and "/export.jsonl?q=pekin&source=Chroniques" in links
    assert "Termes associés" in page
    term = re.search(r'<ul class="terms"[^>]*>\s*<li><a href="([^"]*)"[^>]*>([^<]*)</a>', page)
    assert term, "no associated term"
    query = parse_qs(urlsplit(term.group(1).replace("&amp;", "&")).query)
    assert query["source"] == ["Chroniques"] and query["q"][0].startswith("pekin AND ")
    second = client.get("/", params={"q": "pekin", "source": "Chroniques", "page": 2}).text
    assert "Termes associés" not in second  # page 1 only


def test_with_term() -> None:
    from searchlib.server.page import with_term

    assert with_term("pekin", "Wang Yi") == 'pekin AND "Wang Yi"'
    assert with_term("gilets jaunes", "Macron") == "(gilets jaunes) AND Macron"
    assert with_term("pekin", 'Le "Monde"') == 'pekin AND "Le Monde"'


def test_a_stream_in_many_parts_is_the_export_in_one(served: str | Path) -> None:
    from searchlib.server.research import streamed
    from searchlib.tables import write_csv

    with Archive.open(served) as archive:
        whole = b"".join(streamed(write_csv, archive.export("pekin"), batch=10_000))
        parts = list(streamed(write_csv, archive.export("pekin"), batch=7))
    assert len(parts) > 3 and b"".join(parts) == whole
    assert whole.count(b'"id","title"') == 1

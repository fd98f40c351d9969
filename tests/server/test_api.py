"""The HTTP API and the page, through FastAPI's in-process client."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed: pip install 'searchlib[server]'")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from searchlib import Archive  # noqa: E402
from searchlib.server import Limits, create_app  # noqa: E402
from tests.server.articles import HOSTILE, build_index, dated_articles, served_index  # noqa: E402


@pytest.fixture(scope="module")
def served(backend: str, new_archive: Callable[[], Archive], tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """The index the tests serve, on each engine: its directory, or its URL in the test cluster."""
    return served_index(backend, new_archive, tmp_path_factory.mktemp("served"), [HOSTILE, *dated_articles(30)])


@pytest.fixture(scope="module")
def client(served: str | Path) -> TestClient:
    return TestClient(create_app(served))


def test_search_has_the_shape_of_the_cli_json(client: TestClient, served: str | Path) -> None:
    from click.testing import CliRunner

    from searchlib.cli import main

    cli = CliRunner().invoke(main, ["search", "pekin", "--index", str(served), "--json", "--facets", "year"])
    response = client.get("/search", params={"q": "pekin", "facets": "year"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == json.loads(cli.output)


def test_accents_do_not_matter_and_snippets_show_the_accented_word(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "pekin"}).json()["hits"]
    assert hits
    assert any("<mark>Pékin</mark>" in hit["snippet"] for hit in hits)


def test_filters_sort_paging_and_facets(client: TestClient) -> None:
    params = {"q": "pekin", "from": "2001", "to": "juin 2002", "source": "Chroniques", "sort": "-date"}
    first = client.get("/search", params={**params, "limit": 5, "facets": "year,source"}).json()
    assert first["total"] == 18
    assert [hit["date"] for hit in first["hits"]] == ["2002-06-15", "2002-05-15", "2002-04-15", "2002-03-15", "2002-02-15"]
    assert first["filters"] == {"from": "2001-01-01", "to": "2002-06-30", "source": ["Chroniques"]}
    assert first["facets"] == {"year": {"2001": 12, "2002": 6}, "source": {"Chroniques": 18}}
    fourth = client.get("/search", params={**params, "limit": 5, "page": 4}).json()
    assert (fourth["page"], len(fourth["hits"]), fourth["total"]) == (4, 3, 18)
    past = client.get("/search", params={**params, "limit": 5, "page": 9}).json()
    assert (past["hits"], past["total"]) == ([], 18)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"q": "pekin", "from": "hier soir"}, "bad from"),
        ({"q": "pekin", "to": "2023-13-45"}, "bad to"),
        ({"q": "pekin", "sort": "popularity"}, "bad sort"),
        ({"q": "pekin", "limit": "ten"}, "bad limit"),
        ({"q": "pekin", "limit": "0"}, "bad limit"),
        ({"q": "pekin", "page": "-1"}, "bad page"),
        ({"q": "pekin", "facets": "year,colour"}, "bad facets"),
        ({"q": ""}, "bad q"),
        ({"q": "  "}, "empty"),
        ({"q": "-wang"}, "leave out"),
        ({}, "bad q"),
    ],
)
def test_bad_requests_are_400_with_a_readable_message(client: TestClient, params: dict[str, str], words: str) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 400
    body = response.json()
    assert words in body["error"]
    assert "\n" not in body["error"] and "Traceback" not in body["error"]


def test_articles_similar_stats_health(client: TestClient) -> None:
    first = client.get("/search", params={"q": "pollution pekin"}).json()["hits"][0]
    article = client.get(f"/articles/{first['id']}").json()
    assert article["id"] == first["id"] and article["title"] == first["title"] and article["body"]
    similar = client.get(f"/articles/{first['id']}/similar", params={"limit": 3}).json()
    assert first["id"] not in [hit["id"] for hit in similar["hits"]] and len(similar["hits"]) <= 3
    stats = client.get("/stats").json()
    assert stats["articles"] == 200 + 1 + 30 and stats["sources"]["Chroniques"] == 30
    assert client.get("/health").json() == {"status": "ok", "articles": 231}


def test_ids_with_slashes_and_unknown_ids(new_archive: Callable[[], Archive]) -> None:
    from searchlib import Article

    archive = new_archive()
    archive.add(Article(id="https://example.org/2023/07/pekin?x=1", title="Pékin", body="Pékin."))
    client = TestClient(create_app(archive))
    assert client.get("/articles/https%3A%2F%2Fexample.org%2F2023%2F07%2Fpekin%3Fx%3D1").json()["title"] == "Pékin"
    assert client.get("/articles/https://example.org/2023/07/pekin%3Fx%3D1/similar").status_code == 200
    missing = client.get("/articles/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "no article with id 'nope'"
    assert client.get("/articles/nope/similar").status_code == 404
    assert client.get("/no/such/route").status_code == 404


def test_openapi_document_lists_every_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert set(document["paths"]) == {
        "/search", "/articles/{article_id}", "/articles/{article_id}/similar", "/stats", "/health",
        "/trend", "/kwic", "/terms", "/export.csv", "/export.jsonl", "/search.atom",
    }  # fmt: skip
    parameters = {p["name"] for p in document["paths"]["/search"]["get"]["parameters"]}
    assert parameters == {"q", "from", "to", "source", "author", "section", "sort", "page", "limit", "facets"}


def test_work_per_request_is_bounded(served: str | Path) -> None:
    client = TestClient(create_app(served, limits=Limits(query_chars=50, max_limit=20, max_depth=100)))
    too_long = client.get("/search", params={"q": "pekin " * 20})
    assert too_long.status_code == 400 and "longer than 50 characters" in too_long.json()["error"]
    assert client.get("/search", params={"q": "pekin", "limit": 50}).status_code == 400
    too_deep = client.get("/search", params={"q": "pekin", "limit": 20, "page": 6})
    assert too_deep.status_code == 400 and "first 100 results" in too_deep.json()["error"]
    assert client.get("/search", params={"q": "pekin", "limit": 20, "page": 5}).status_code == 200


def test_a_search_stopped_by_the_time_limit_is_an_error_and_the_server_goes_on(
    served: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive.open(served)
    client = TestClient(create_app(archive, limits=Limits(query_seconds=2)))
    assert archive.query_time_limit == 2  # the server's limit is the archive's
    search = archive.search

    def stopped_search(query: str, **options: object) -> object:
        # What Archive.search returns when its time limit stops a search (tests/test_archive.py
        # shows it does): the best hits found by then, flagged as stopped.
        return dataclasses.replace(search(query, **options), stopped=True)

    monkeypatch.setattr(archive, "search", stopped_search)
    stopped = client.get("/search", params={"q": "pekin"})
    assert stopped.status_code == 503
    assert stopped.json()["error"] == "the search took longer than 2 s and was stopped"
    assert "narrow" in stopped.json()["hint"]
    monkeypatch.undo()
    assert client.get("/search", params={"q": "pekin"}).status_code == 200


def test_the_server_never_writes_the_index(tmp_path: Path) -> None:
    # Reads the index's files (an embedded index in a directory).
    index = build_index(tmp_path / "index", dated_articles(12))

    def files() -> dict[str, tuple[int, int]]:
        return {f.name: (f.stat().st_size, f.stat().st_mtime_ns) for f in index.iterdir()}

    before = files()
    client = TestClient(create_app(index))
    for path in ("/search?q=pekin&facets=year", "/articles/pekin-001", "/articles/pekin-001/similar", "/stats", "/health", "/?q=pekin"):
        assert client.get(path).status_code == 200
    assert client.post("/search?q=pekin").status_code == 405
    assert files() == before


def test_serve_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchlib.cli import main

    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no searchlib index at" in result.output and "searchlib index PATH" in result.output
    assert not (tmp_path / "none").exists()


def test_the_app_mounts_inside_another_app(served: str | Path) -> None:
    host = FastAPI()
    host.mount("/archives", create_app(served))
    client = TestClient(host)
    assert client.get("/archives/search", params={"q": "pekin"}).json()["total"] > 0
    page = client.get("/archives/", params={"q": "pekin"}).text
    links = re.findall(r'href="(/[^"]*)"', page)
    assert links and all(link.startswith("/archives/") for link in links)
    article = [link for link in links if "/view/" in link][0]
    assert client.get(article.replace("&amp;", "&")).status_code == 200


# --- the page -------------------------------------------------------------------------------


def test_page_shows_highlighted_accented_words_filters_facets_and_paging(client: TestClient) -> None:
    page = client.get("/", params={"q": "pekin", "source": "Chroniques", "limit": 10}).text
    assert '<html lang="fr">' in page
    assert "<mark>Pékin</mark>" in page
    assert "Résultats 1–10 sur 30 articles" in page
    assert 'rel="next"' in page and "Page 1 sur 3" in page
    assert "Chronologie" in page and ">2001</a>" in page  # the per-year timeline, each year a link
    assert 'aria-label="Retirer le filtre Chroniques"' in page


def test_page_escapes_every_stored_field_but_our_marks(client: TestClient) -> None:
    page = client.get("/", params={"q": "pekin", "from": "2024"}).text
    assert "Pékin" in page
    for raw in ("<script>", "<img", "<b>Source", "<em>Dupont", '" onmouseover="', "javascript:"):
        assert raw not in page, raw
    assert "&lt;script&gt;" in page and "&lt;img" in page
    # the title's marked words too, and the JSON's title_html
    assert re.search(r"<h2><a [^>]*>&lt;script&gt;alert\(&quot;titre&quot;\)&lt;/script&gt; <mark>Pékin</mark> répond", page)
    hostile = client.get("/search", params={"q": "pekin", "from": "2024"}).json()["hits"][0]
    assert hostile["title_html"] == (
        "&lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt; <mark>Pékin</mark> répond &quot; onmouseover=&quot;alert(1)"
    )
    # the article view too
    view = client.get("/view/hostile-1").text
    for raw in ("<script>", "<img", "<b>Source", "<em>Dupont", "javascript:"):
        assert raw not in view, raw


def test_page_says_what_is_wrong_in_words(client: TestClient) -> None:
    bad_date = client.get("/", params={"q": "pekin", "from": "hier soir"})
    assert bad_date.status_code == 400
    assert 'role="alert"' in bad_date.text and "Date de début non reconnue : « hier soir »" in bad_date.text
    assert "Aucun article trouvé." in client.get("/", params={"q": "zzzyxw"}).text
    assert client.get("/view/nope").status_code == 404
    common = client.get("/", params={"q": "le la les"})
    assert common.status_code == 200 and "que des mots courants (le, la, les)" in common.text
    assert "faut exclure (NOT, SAUF, -)" in client.get("/", params={"q": "-pekin"}).text
    assert "ont été cherchés tels quels" in client.get("/", params={"q": '"pekin'}).text


def test_page_offers_did_you_mean(client: TestClient) -> None:
    page = client.get("/", params={"q": "pekim", "sort": "-date"}).text
    assert "Aucun article trouvé." in page
    link = re.search(r'Vouliez-vous dire : <a href="([^"]*)">pekin</a> \((\d+) articles\)', page)
    assert link, "no suggestion shown"
    followed = client.get("/" + link.group(1).replace("&amp;", "&")).text
    assert f"sur {link.group(2)} articles" in followed and 'selected>plus récents' in followed


def test_wire_copies_are_one_hit_on_the_page_and_in_json(new_archive: Callable[[], Archive]) -> None:
    from tests.search.test_grouping import archive_with_reprints

    client = TestClient(create_app(archive_with_reprints(new_archive)))
    data = client.get("/search", params={"q": "agriculteurs secheresse"}).json()
    assert data["total"] == 5 and len(data["hits"]) == 3
    assert {copy["source"] for copy in data["copies"]["afp"]} == {"Le Monde", "Ouest-France"}
    page = client.get("/", params={"q": "agriculteurs secheresse"}).text
    assert "+2 autres reprises de la même dépêche : Le Monde, Ouest-France" in page


def test_stats_are_read_once_a_minute_not_on_every_request(served: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive.open(served)
    client = TestClient(create_app(archive))
    computed = []
    stats = archive.stats
    monkeypatch.setattr(archive, "stats", lambda: computed.append(1) or stats())
    answers = [client.get("/stats").json() for _ in range(5)]
    assert computed == [1] and all(answer == answers[0] for answer in answers)
    assert answers[0]["articles"] == len(archive)


def test_requests_beyond_the_concurrency_limit_wait_their_turn(served: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading
    import time

    import httpx2

    archive = Archive.open(served)
    app = create_app(archive, limits=Limits(concurrent=2))
    running, most = [0], [0]
    lock = threading.Lock()
    search = archive.search

    def slow_search(query: str, **options: object) -> object:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)  # long enough for the other requests to arrive meanwhile
        with lock:
            running[0] -= 1
        return search(query, **options)

    monkeypatch.setattr(archive, "search", slow_search)

    async def many() -> list[int]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/search", params={"q": "pekin"}) for _ in range(12)))
        return [answer.status_code for answer in answers]

    assert asyncio.run(many()) == [200] * 12
    assert most[0] == 2

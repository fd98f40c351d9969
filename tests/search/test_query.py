"""Searching like a journalist: French operators, +/-, fuzzy words, dates, filters, sorting, paging,
facets, the timeline and "did you mean"."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Archive, Article, ArticleNotFound
from searchlib.cli import main
from searchlib.ingest.dates import parse_date_bound
from searchlib.errors import BadFilter
from searchlib.render import histogram, results_text, timeline_counts

ARTICLES = [
    Article(
        id="jakarta", title="Blinken et Wang à Jakarta", body="Antony Blinken rencontre Wang Yi. Une cyberattaque est évoquée.",
        date=dt.date(2023, 7, 14), source="AFP", section="Monde", author="Georges Haddad",
    ),
    Article(
        id="bavard", title="Diplomatie", body="Blinken parle longtemps de choses et d'autres avant de citer Wang.",
        date=dt.date(2022, 1, 3), source="Le Monde", section="International", author="Marie Dupont",
    ),
    Article(
        id="undated", title="Sans date", body="Blinken seul. Des cyberattaques visent Li Shangfu.", agency="AFP",
    ),
    Article(
        id="pekin", title="Blinken à Pékin", body="Antony Blinken à Pékin, reçu par Li Shangfu.",
        date=dt.date(2023, 8, 1), source="le monde", section="Monde", author="Paul Martin",
    ),
    Article(id="sport", title="Football", body="Le match a eu lieu à Jakarta.", date=dt.date(2021, 3, 2), source="L'Équipe"),
]  # fmt: skip


@pytest.fixture(scope="module")
def archive() -> Archive:
    archive = Archive.in_memory()
    archive.add_many(ARTICLES)
    return archive


def ids(archive: Archive, query: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in archive.search(query, **kwargs).hits]  # type: ignore[arg-type]


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("2023-07", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("07/2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("2023-07-13", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
        ("13/07/2023", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
        ("juillet 2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("Juillet 2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("juil. 2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("décembre 2023", dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        ("aout 2023", dt.date(2023, 8, 1), dt.date(2023, 8, 31)),
        ("13 juillet 2023", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
        ("1er août 2023", dt.date(2023, 8, 1), dt.date(2023, 8, 1)),
        ("  13   juillet  2023 ", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
    ],
)
def test_date_bounds(text: str, start: dt.date, end: dt.date) -> None:
    assert (parse_date_bound(text, end=False), parse_date_bound(text, end=True)) == (start, end)


@pytest.mark.parametrize("text", ["", "hier", "2023-13", "31 février 2023", "juillembre 2023", "2023-02-30", "23"])
def test_date_bounds_that_name_no_period_raise_a_readable_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|month"):
        parse_date_bound(text, end=False)


# -- query language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("blinken ET wang", {"jakarta", "bavard"}),
        ("blinken AND wang", {"jakarta", "bavard"}),
        ("wang OU football", {"jakarta", "bavard", "sport"}),
        ("blinken SAUF wang", {"undated", "pekin"}),
        ("blinken NOT wang", {"undated", "pekin"}),
        ("blinken -wang", {"undated", "pekin"}),
        ("blinken +shangfu", {"undated", "pekin"}),
        ("+wang +jakarta", {"jakarta"}),
        ("(blinken SAUF wang) OU football", {"undated", "pekin", "sport"}),
        ("(blinken -wang) football", {"undated", "pekin", "sport"}),
        ("jakarta SAUF (wang OU blinken)", {"sport"}),
        ('"Blinken Wang"~3', {"jakarta"}),
        ('"Blinken Wang"~12', {"jakarta", "bavard"}),
        ("date:2023-07", {"jakarta"}),
        ("date:2023", {"jakarta", "pekin"}),
        ("blinken ET date:[2023-01-01 TO 2023-07-31]", {"jakarta"}),
        # One edit from a word as written ("cyberattaque"), then every form of it ("cyberattaques").
        ("cyberataque~", {"jakarta", "undated"}),
        ("cyberataque~2", {"jakarta", "undated"}),
        ("shangfou~", {"undated", "pekin"}),
    ],
)
def test_query_language(archive: Archive, query: str, found: set[str]) -> None:
    results = archive.search(query)
    assert ({hit.id for hit in results.hits}, results.notices) == (found, [])


def test_hyphenated_words_are_not_exclusions(archive: Archive) -> None:
    other = Archive.in_memory()
    other.add_many([Article(id="us", body="Les États-Unis et la Chine."), Article(id="fr", body="La Chine.")])
    assert ids(other, "chine États-Unis")[0] == "us" and ids(other, "chine -Unis") == ["fr"]


def test_fuzzy_words_are_highlighted_as_written(archive: Archive) -> None:
    highlighted = {hit.id: hit.snippet.highlighted_words() for hit in archive.search("cyberataque~").hits}
    assert highlighted == {"jakarta": ["cyberattaque"], "undated": ["cyberattaques"]}


def test_excluded_words_are_not_highlighted(archive: Archive) -> None:
    [hit] = archive.search("jakarta -wang").hits
    assert hit.snippet.highlighted_words() == ["Jakarta"]


@pytest.mark.parametrize("query", ["blinken SAUF", "OU blinken", "(blinken ET wang"])
def test_broken_syntax_with_french_operators_is_searched_as_words(archive: Archive, query: str) -> None:
    results = archive.search(query)
    assert results.total >= 1 and results.notices


@pytest.mark.parametrize("query", ["-wang", "SAUF wang"])
def test_only_exclusions_is_an_empty_query(archive: Archive, query: str) -> None:
    from searchlib import EmptyQuery

    with pytest.raises(EmptyQuery):
        archive.search(query)


# -- filters, sorting, paging ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"date_from": "2023"}, {"jakarta", "pekin"}),
        ({"date_from": "2023", "date_to": "juillet 2023"}, {"jakarta"}),
        ({"date_to": "13 juillet 2023"}, {"bavard"}),
        ({"date_from": dt.date(2023, 8, 1)}, {"pekin"}),
        ({"sources": ["LE MONDE"]}, {"bavard", "pekin"}),
        ({"sources": ["afp"]}, {"jakarta", "undated"}),  # the agency counts as the source
        ({"sources": ["afp", "le monde"]}, {"jakarta", "undated", "bavard", "pekin"}),
        ({"authors": ["dupont"]}, {"bavard"}),
        ({"authors": ["Marie Dupont", "paul martin"]}, {"bavard", "pekin"}),
        ({"sections": ["monde"], "date_to": "2023-07"}, {"jakarta"}),
        ({"sources": ["Libération"]}, set()),
    ],
)
def test_filters(archive: Archive, filters: dict[str, object], found: set[str]) -> None:
    results = archive.search("blinken", **filters)  # type: ignore[arg-type]
    assert {hit.id for hit in results.hits} == found and results.total == len(found)


@pytest.mark.parametrize(
    ("filters", "name"),
    [({"date_from": "hier"}, "from"), ({"date_to": "2023-13"}, "to"), ({"date_from": "2024", "date_to": "2023"}, "dates")],
)
def test_bad_filters_raise_bad_filter_with_a_hint(archive: Archive, filters: dict[str, object], name: str) -> None:
    with pytest.raises(BadFilter) as error:
        archive.search("blinken", **filters)  # type: ignore[arg-type]
    assert error.value.name == name and error.value.hint


def test_sort_by_date_puts_undated_articles_last(archive: Archive) -> None:
    assert ids(archive, "blinken", sort="date") == ["bavard", "jakarta", "pekin", "undated"]
    assert ids(archive, "blinken", sort="-date") == ["pekin", "jakarta", "bavard", "undated"]
    with pytest.raises(BadFilter):
        archive.search("blinken", sort="oldest")


def test_paging(archive: Archive) -> None:
    everything = ids(archive, "blinken", sort="date")
    second = archive.search("blinken", sort="date", limit=3, page=2)
    assert (second.total, second.first, second.last) == (4, 4, 4)
    assert ids(archive, "blinken", sort="date", limit=3) + [hit.id for hit in second.hits] == everything


def test_paging_past_the_end_gives_no_hits_and_the_total(archive: Archive) -> None:
    results = archive.search("blinken", limit=3, page=5, facets=["source"])
    assert (results.hits, results.total, results.facets["source"]) == ([], 4, {"AFP": 2, "Le Monde": 2})
    assert results_text(results, color=False).startswith("No articles on page 5: 4 articles in all, on 2 page(s).")


# -- facets ------------------------------------------------------------------------------------


def test_facets_count_every_match_not_only_the_page(archive: Archive) -> None:
    results = archive.search("blinken", limit=1, facets=["source", "section", "author", "year", "month"])
    assert len(results.hits) == 1
    assert results.facets == {
        # "Le Monde" and "le monde" are one source; the agency stands for a missing source
        "source": {"AFP": 2, "Le Monde": 2},
        "section": {"Monde": 2, "International": 1},
        "author": {"Georges Haddad": 1, "Marie Dupont": 1, "Paul Martin": 1},
        "year": {"2022": 1, "2023": 2},  # the undated article is in no year
        "month": {"2022-01": 1, "2023-07": 1, "2023-08": 1},
    }


def test_facets_follow_the_filters(archive: Archive) -> None:
    results = archive.search("blinken", sources=["AFP"], facets=["source", "year"])
    assert results.facets == {"source": {"AFP": 2}, "year": {"2023": 1}}


def test_empty_facets(archive: Archive) -> None:
    results = archive.search("ornithorynque", facets=["source", "year"])
    assert (results.total, results.facets) == (0, {"source": {}, "year": {}})
    assert archive.search("blinken").facets == {}
    with pytest.raises(BadFilter):
        archive.search("blinken", facets=["colour"])


def test_histogram() -> None:
    assert histogram({"2021": 1, "2022": 0, "2023": 4}, width=8) == [
        "2021 ██       1",
        "2022          0",
        "2023 ████████ 4",
    ]
    assert histogram({}) == []
    assert histogram({"2023": 1234}, width=2) == ["2023 ██ 1 234"]


def test_timeline_is_monthly_over_two_years_at_most_with_empty_periods_shown() -> None:
    short = {"year": {"2023": 3}, "month": {"2023-05": 1, "2023-07": 2}}
    assert timeline_counts(short) == {"2023-05": 1, "2023-06": 0, "2023-07": 2}
    long = {"year": {"2019": 1, "2023": 2}, "month": {"2019-01": 1, "2023-07": 2}}
    assert timeline_counts(long) == {"2019": 1, "2020": 0, "2021": 0, "2022": 0, "2023": 2}
    assert timeline_counts({"source": {"AFP": 1}}) == {}


# -- did you mean ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "suggestion", "total"),
    [
        ("cyberataque", "cyberattaque", 2),  # cyberattaque and cyberattaques
        ("Shangfou", "Shangfu", 2),
        ("Blinkin", "Blinken", 4),
        ("cyberataque Jakartaa", "cyberattaque Jakarta", 3),
    ],
)
def test_did_you_mean(archive: Archive, query: str, suggestion: str, total: int) -> None:
    results = archive.search(query)
    assert (results.total, results.suggestion, results.suggestion_total) == (0, suggestion, total)


def test_no_suggestion_when_the_query_finds_enough_or_nothing_is_close(archive: Archive) -> None:
    assert archive.search("blinken").suggestion is None
    assert archive.search("ornithorynque").suggestion is None


def test_suggestion_counts_with_the_same_filters(archive: Archive) -> None:
    results = archive.search("Shangfou", sources=["le monde"])
    assert (results.suggestion, results.suggestion_total) == ("Shangfu", 1)


def test_a_word_no_article_holds_is_also_searched_as_the_archive_spells_it(archive: Archive) -> None:
    results = archive.search("cyberataque Pékin")
    assert {hit.id for hit in results.hits} == {"pekin", "jakarta", "undated"}  # cyberattaque(s) too
    assert results.notices == ['no article holds "cyberataque": searched for "cyberattaque" as well']


@pytest.mark.parametrize("query", ['"cyberataque" Pékin', "Pékin NOT cyberataque", "Pékin -cyberataque"])
def test_a_quoted_or_excluded_word_is_searched_as_written(archive: Archive, query: str) -> None:
    results = archive.search(query)
    assert ([hit.id for hit in results.hits], results.notices) == (["pekin"], [])


def test_when_every_word_misses_the_query_finds_nothing_and_suggests(archive: Archive) -> None:
    results = archive.search("cyberataque Jakartaa")
    assert (results.total, results.notices, results.suggestion) == (0, [], "cyberattaque Jakarta")


# -- the command -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("features") / "ix"
    with Archive(path) as archive:
        archive.add_many(ARTICLES)
    return path


def cli(index_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner(env={"SEARCHLIB_INDEX": None, "NO_COLOR": None}).invoke(
        main, ["search", *args, "--index", str(index_dir)]
    )
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_echoes_paging_and_filters_and_counts_facets(index_dir: Path) -> None:
    code, out, _ = cli(
        index_dir, "blinken", "--json", "--from", "juillet 2023", "--source", "AFP", "--source", "Le Monde",
        "--sort", "-date", "--limit", "1", "--page", "2", "--facets", "source,year",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert {key: data[key] for key in ("total", "page", "limit", "sort")} == {"total": 2, "page": 2, "limit": 1, "sort": "-date"}
    assert data["filters"] == {"from": "2023-07-01", "source": ["AFP", "Le Monde"]}
    assert data["facets"] == {"source": {"AFP": 1, "le monde": 1}, "year": {"2023": 2}}  # as that article spells it
    assert [hit["id"] for hit in data["hits"]] == ["jakarta"]


def test_cli_text_shows_the_range_the_suggestion_and_the_timeline(index_dir: Path) -> None:
    code, out, _ = cli(index_dir, "blinken", "--limit", "2", "--page", "2", "--sort", "date", "--facets", "year,source")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Showing 3–4 of 4 articles" and lines[2].startswith("3. ")
    assert "Sources: AFP (2) · Le Monde (2)" in lines
    # two years or less: drawn per month, the months without articles shown empty
    timeline = lines[lines.index("2022-01 " + "█" * 40 + " 1") :]
    assert [line[:7] for line in timeline] == [f"{year}-{month:02d}" for year in (2022, 2023) for month in range(1, 13)][:20]
    assert timeline[1] == "2022-02 " + " " * 40 + " 0"
    code, out, _ = cli(index_dir, "cyberataque")
    assert out == "No articles found.\n\nDid you mean: cyberattaque (2 articles)\n"
    code, out, _ = cli(index_dir, "cyberataque", "--json")
    assert json.loads(out)["suggestion"] == {"query": "cyberattaque", "total": 2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "hier"], "bad from 'hier'"),
        (["--facets", "source,colour"], "'colour' is not one of"),
        (["--sort", "oldest"], "'oldest' is not one of"),
        (["--page", "0"], "0 is not in the range"),
    ],
)
def test_cli_bad_filters_fail_with_one_line(index_dir: Path, args: list[str], message: str) -> None:
    code, out, err = cli(index_dir, "blinken", *args)
    assert code in (1, 2) and out == "" and message in err


def test_facets_and_date_sort_when_no_article_has_the_value() -> None:
    archive = Archive.in_memory()
    archive.add(Article(id="a", title="Pékin"))  # no date, source, author or section: no columns
    results = archive.search("pekin", sort="-date", facets=["source", "author", "section", "year", "month"])
    assert [hit.id for hit in results.hits] == ["a"]
    assert results.facets == {"source": {}, "author": {}, "section": {}, "year": {}, "month": {}}
    archive.add(Article(id="b", title="Pékin", source="AFP", date=dt.date(2023, 7, 1)))  # another segment
    results = archive.search("pekin", sort="-date", facets=["source", "year"])
    assert [hit.id for hit in results.hits] == ["b", "a"]
    assert results.facets == {"source": {"AFP": 1}, "year": {"2023": 1}}


def test_the_total_counts_every_match_even_with_a_small_page() -> None:
    # Whoosh's top-N collector drops sub-queries that can no longer reach the page once it is full,
    # and with them the count of the matches they alone would have found.
    archive = Archive.in_memory()
    archive.add_many(
        [Article(id=f"t{i}", title="France " * (i % 7 + 1), body=("Pékin " * i) + "France") for i in range(300)]
        + [Article(id=f"b{i}", body="France " + "et puis " * i) for i in range(300)]
    )
    assert archive.search("france", limit=1).total == archive.search("france", limit=1000).total == 600


# -- similar articles ----------------------------------------------------------------------------


def story_archive() -> Archive:
    archive = Archive.in_memory()
    archive.add_many(
        [
            Article(id="pollution-1", title="Alerte rouge à la pollution à Pékin",
                    body="Pékin décrète l'alerte rouge : particules fines, smog, écoles fermées et usines à l'arrêt."),
            Article(id="pollution-2", title="Pékin étouffe sous le smog",
                    body="Le smog recouvre Pékin ; les particules fines ferment les écoles, les usines ralentissent."),
            Article(id="football", title="Le PSG gagne à Lyon",
                    body="Le PSG s'impose à Lyon grâce à un doublé en fin de match."),
            Article(id="alaska", title="Séisme en Alaska",
                    body="Une alerte au tsunami a été lancée après un séisme en Alaska."),
        ]
    )  # fmt: skip
    return archive


def test_similar_finds_the_same_story_first_and_leaves_the_article_out() -> None:
    results = story_archive().similar("pollution-1")
    ids = [hit.id for hit in results.hits]
    assert ids[0] == "pollution-2" and "pollution-1" not in ids and "football" not in ids


def test_similar_to_an_unknown_article_says_so() -> None:
    with pytest.raises(ArticleNotFound):
        story_archive().similar("nope")


def _zorg_archive() -> tuple[Archive, int]:
    """676 articles of one word each, zorgaa to zorgzz, and five more of zorgzz: (archive, articles)."""
    import itertools
    import string

    words = ["zorg" + "".join(pair) for pair in itertools.product(string.ascii_lowercase, repeat=2)]
    archive = Archive.in_memory()
    articles = [Article(id=f"w{n}", title=f"Article {n}", body=f"Le mot {word}.") for n, word in enumerate(words)]
    articles += [Article(id=f"often{n}", title=f"Souvent {n}", body="Le mot zorgzz encore.") for n in range(5)]
    archive.add_many(articles)
    return archive, len(articles)


def test_a_wildcard_naming_too_many_words_searches_the_most_frequent_and_says_so() -> None:
    archive, count = _zorg_archive()
    results = archive.search("zorg*", limit=10)
    # (fewer than 676 index words: the stemmer merges some of them)
    assert len(results.notices) == 1
    assert re.fullmatch(r"zorg\* matches \d{3} words; searched for the 200 most frequent", results.notices[0])
    assert 200 <= results.total < count
    assert {f"often{n}" for n in range(5)} <= {hit.id for hit in archive.search("zorg*", limit=300).hits}
    few = archive.search("zorgz*")
    assert few.total == 26 + 5 and not few.notices


def test_a_fuzzy_term_naming_too_many_words_searches_the_most_frequent() -> None:
    archive, count = _zorg_archive()
    results = archive.search("zorgxx~2", limit=300)  # every zorg word is two edits away or fewer
    assert results.notices == ["zorgxx~ matches 676 words; searched for the 200 most frequent"]
    assert {f"often{n}" for n in range(5)} <= {hit.id for hit in results.hits}
    assert 200 <= results.total < count

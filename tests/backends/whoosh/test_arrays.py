"""The fast search path gives what Whoosh gives: the same hits in the same order, exact totals,
the same facets and snippets — over several segments, with deleted articles, filters and sorting.
(How fast it is is measured by ``benchmarks/query_latency.py``, not here.)"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchlib import Archive, Article
from searchlib.backends.whoosh import arrays as topk
from searchlib.analysis.french import french_analyzer, terms
from searchlib.search import snippets as highlight
from searchlib.backends.whoosh.schema import RANKED_FIELDS
from searchlib.search.spelling import best_spelling, words_within
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "wikinews_fr_sample.jsonl"

QUERIES = [
    "pekin",
    "chine pollution",
    "Président de la République",
    "elections presidentielles france",
    '"Coupe du monde"',
    '"Coupe du monde" football',
    "gouvernement",
    "séisme japon tsunami victimes",
    "etats-unis",
    "the",  # a word few articles hold
    "zzzzzz",  # none
    "chine pollutoin",  # a misspelt word, also searched as the archive spells it
    "pol* chine",  # a wildcard: not searched in the title's words as written
    "pollutoin~ chine",  # a fuzzy word: neither
    "titre:chine élections",
]
OPTIONS = [
    {},
    {"page": 2, "limit": 5},
    {"sort": "date"},
    {"sort": "-date", "limit": 3},
    {"all_copies": True},
    {"facets": ["source", "section", "author", "year", "month"]},
    {"date_from": "2017", "date_to": "2017-06"},
    {"sources": ["Wikinews"], "facets": ["year"]},
]


def sample_articles() -> list[Article]:
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = []
    for record in records:
        date = record.get("date")
        articles.append(
            Article(
                id=str(record.get("id") or record.get("url")),
                title=record.get("title") or "",
                lede=record.get("lede") or "",
                body=record.get("text") or record.get("body") or "",
                source=record.get("source") or "Wikinews",
                date=dt.date.fromisoformat(date[:10]) if date else None,
            )
        )
    return articles


@pytest.fixture(scope="module")
def archive() -> Archive:
    archive = Archive.in_memory()
    articles = sample_articles()
    # Three commits make three segments; the deletions make deleted documents in them.
    for part in range(3):
        archive.add_many(articles[part::3])
    archive.delete([article.id for article in articles[::17]])
    return archive


def whoosh_only(archive: Archive, monkeypatch: pytest.MonkeyPatch, query: str, **options: object) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(topk.Engine, "search", lambda *args, **kwargs: None)
        return archive.search(query, **options)  # type: ignore[arg-type]


def shape(results: object) -> tuple:
    hits = [(h.id, round(h.score, 9), h.snippet, h.copies) for h in results.hits]  # type: ignore[attr-defined]
    return results.total, hits, results.facets, results.suggestion, results.suggestion_total  # type: ignore[attr-defined]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda options: ",".join(options) or "plain")
def test_the_fast_path_finds_what_whoosh_finds(archive: Archive, monkeypatch: pytest.MonkeyPatch, options: dict) -> None:
    for query in QUERIES:
        assert shape(archive.search(query, **options)) == shape(whoosh_only(archive, monkeypatch, query, **options)), query


def test_decoded_blocks_stay_within_their_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # Phrases and proximity bonuses read positions from decompressed blocks, kept in a cache
    # bounded by bytes: past the bound the oldest go, and results do not change.
    archive = Archive.in_memory()
    archive.add_many(sample_articles())
    roomy = [shape(archive.search(query)) for query in QUERIES]
    monkeypatch.setattr(topk, "DECODED_BYTES", 1_500)
    archive = Archive.in_memory()
    archive.add_many(sample_articles())
    assert [shape(archive.search(query)) for query in QUERIES] == roomy
    cache = topk.engine(archive._search_with())._decoded
    assert 0 < cache.size <= 1_500 or len(cache) == 1
    assert cache.size == sum(map(topk._block_bytes, cache.values()))


def test_the_fast_path_reads_the_queries_people_type(archive: Archive) -> None:
    engine = topk.engine(archive._search_with())
    for query in ["chine pollution", '"Coupe du monde" football', "pekin"]:
        assert engine.search(archive._queries.parse(query).query, 10, None, RANKED_FIELDS) is not None
    for query in ["chine AND pollution", "chine -pollution", "pol*", "pollutoin~"]:  # Whoosh runs these
        assert engine.search(archive._queries.parse(query).query, 10, None, RANKED_FIELDS) is None


def test_deleted_articles_are_neither_found_nor_counted() -> None:
    archive = Archive.in_memory()
    archive.add_many([Article(id=f"a{n}", title="Pékin", body=f"Pékin, jour {n}.") for n in range(50)])
    archive.add_many([Article(id=f"b{n}", title="Pékin", body="Pékin encore.") for n in range(50)])
    archive.delete([f"a{n}" for n in range(0, 50, 2)] + ["b7"])
    results = archive.search("pekin", limit=100)
    assert results.total == len(results.hits) == 74
    assert {"a0", "b7"}.isdisjoint(hit.id for hit in results.hits)


def test_snippets_find_the_words_the_analyzer_finds() -> None:
    # The snippet scans the text with the tokenizer's pattern and analyses each distinct word once:
    # it must find exactly the words running the whole analyzer over the text finds.
    analyzer = french_analyzer()
    rng = random.Random(3)
    for article in sample_articles()[:80]:
        text = " ".join(f"{article.title} {article.lede} {article.body} Aujourd'hui, l'État".split())
        wanted = set(rng.sample(terms(text), 3)) | {"aujourd'hui", "etat"}
        expected = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True, mode="index") if t.text in wanted]
        assert highlight._matches(text, wanted, analyzer) == expected


@pytest.mark.parametrize(
    "text, words",
    [
        ("Aujourd'hui, hui et AUJOURD’HUI ; xaujourd'hui", "hui"),
        ("les prud'hommes, un homme, prud’homie", "homme"),
        ("Œuvres, œuvre et oeuvre ; cœur", "oeuvre coeur"),
        ("Élysée, élysée, l'Élysée et _élysée", "elysee"),
        ("Αθήνα, Москва, 北京 et Pékin", "pekin москва"),
        ("ǅemal et ßtraße, ﬁlm", "dzemal film"),
    ],
)
def test_snippets_find_the_words_the_tokenizer_keeps_whole(text: str, words: str) -> None:
    analyzer = french_analyzer()
    wanted = set(terms(words))
    expected = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True, mode="index") if t.text in wanted]
    assert expected
    assert highlight._matches(text, wanted, analyzer) == expected


_SPACES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())


@given(st.text(alphabet=st.sampled_from(f"ab é\x90\u200b{_SPACES}\n"), max_size=30))
def test_snippet_text_is_single_spaced_as_split_and_join_make_it(text: str) -> None:
    # make_snippet's offsets are into the text with its white space made single spaces: the quick
    # check for text that is single-spaced but for its line breaks must give the same text.
    assert highlight._single_spaced(text) == " ".join(text.split())


def test_did_you_mean_counts_a_swap_of_neighbouring_letters_as_one_edit() -> None:
    archive = Archive.in_memory()
    archive.add_many([Article(id=f"a{n}", title="Pékin", body="Une cyberattaque visait Pékin.") for n in range(30)])
    words = archive._words(archive._search_with())
    assert "pekin" in words_within(words, "pkein", 1)  # one swap: two Levenshtein edits
    assert best_spelling("pkein", words) == "pekin"
    assert best_spelling("cyebrattaque", words) == "cyberattaque"
    assert archive.search("cyebrattaque").suggestion == "cyberattaque"


def test_an_index_term_but_its_last_three_letters_starts_its_word_folded() -> None:
    # What lets a snippet skip analysing the words that cannot match (see highlight._matches):
    # the stemmer cuts a word's end or replaces at most three letters of it ("aux" → "al").
    from searchlib.analysis.french import fold

    analyzer = french_analyzer()
    replaced = "chevaux Châteaux biologie heureuse première abonnement évidemment Pékin États"
    text = " ".join(f"{a.title} {a.lede} {a.body}" for a in sample_articles()) + " " + replaced
    for token in analyzer(text, chars=True, mode="index"):
        folded = fold(text[token.startchar : token.endchar].lower())
        assert folded.startswith(token.text[: max(len(token.text) - highlight._REPLACED, 1)]), folded

"""Snippets (searchlib.search.snippets): the opening or the best matches, short, and the words the
analyzer finds, found without running the analyzer over the whole text."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchlib import Archive, Article
from searchlib.analysis.french import terms
from searchlib.backends.whoosh.analyzer import french_analyzer
from searchlib.search import snippets as highlight
from tests.corpora import sample_articles, shared_articles


def test_snippet_is_the_opening_when_only_the_title_matched(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add(Article(id="a", title="Alerte rouge à Pékin", body="Les autorités ont décrété une alerte."))
    snippet = archive.search("pekin").hits[0].snippet
    assert snippet.text == "Les autorités ont décrété une alerte." and snippet.highlights == ()


def test_snippet_is_short_and_shows_distant_matches(new_archive: Callable[[], Archive]) -> None:
    filler = " ".join(["Une phrase sans rapport avec le sujet."] * 40)
    body = f"Le fentanyl arrive. {filler} Antony Blinken parle. {filler}"
    archive = new_archive()
    archive.add(Article(id="a", title="Titre", body=body))
    snippet = archive.search("fentanyl Blinken").hits[0].snippet
    assert len(snippet.text) <= 260
    assert snippet.highlighted_words() == ["fentanyl", "Blinken"]
    assert "…" in snippet.text


@pytest.mark.equivalence
def test_snippets_find_the_words_the_analyzer_finds(corpus: str) -> None:
    # The snippet scans the text with the tokenizer's pattern and analyses each distinct word once:
    # it must find exactly the words running the whole analyzer over the text finds.
    analyzer = french_analyzer()
    rng = random.Random(3)
    for article in sample_articles()[:80] if corpus == "samples" else shared_articles():
        text = " ".join(f"{article.title} {article.lede} {article.body} Aujourd'hui, l'État".split())
        wanted = set(rng.sample(terms(text), 3)) | {"aujourd'hui", "etat"}
        expected = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True, mode="index") if t.text in wanted]
        assert highlight._matches(text, wanted) == expected


@pytest.mark.equivalence
@pytest.mark.parametrize(
    "text, words",
    [
        ("Aujourd'hui, hui et AUJOURD’HUI ; xaujourd'hui", "hui"),
        ("les prud'hommes, un homme, prud’homie", "homme"),
        ("Œuvres, œuvre et oeuvre ; cœur", "oeuvre coeur"),
        ("Élysée, élysée, l'Élysée et _élysée", "elysee"),
        ("Αθήνα, Москва, 北京 et Pékin", "pekin москва"),
        ("ǅemal et ßtraße, ﬁlm", "dzemal film"),
        ("EƱrope, l'EƱROPE et éƎlection", "EƱrope éƎlection"),
    ],
)
def test_snippets_find_the_words_the_tokenizer_keeps_whole(text: str, words: str) -> None:
    analyzer = french_analyzer()
    wanted = set(terms(words))
    # Alone, as a title, and inside a longer text, as an article.
    for written in (text, f"{_FILLER} {text} {_FILLER}"):
        expected = [(t.startchar, t.endchar, t.text) for t in analyzer(written, chars=True, mode="index") if t.text in wanted]
        assert expected
        assert highlight._matches(written, wanted) == expected


_FILLER = "Une phrase sans rapport avec le sujet, écrite à l’avance. " * 8
# Pieces of text the tokenizer and the folding treat each their own way.
_PIECES = [
    " ", ", ", "'", "’", "_", "\u0301", "\n", "été", "Été", "ÉTÉ", "etes", "œuvre", "Œuvres", "oeuvre", "cœur",
    "Straße", "ǅemal", "ﬁlm", "aujourd'hui", "AUJOURD’HUI", "xaujourd'hui", "prud'hommes", "prud’homie", "hui",
    "homme", "Москва", "北京", "x²", "l'État", "Pékin", "pekin", "chevaux", "cheval", "Ørsted", "ĳs", "2024",
    "EƱrope", "Ǝlection", "Ʊnion",  # letters that fold otherwise once lower-cased
]


@pytest.mark.equivalence
@given(st.lists(st.sampled_from(_PIECES), max_size=160), st.randoms(use_true_random=False))
def test_snippets_find_the_words_the_analyzer_finds_in_any_text(pieces: list[str], rng: random.Random) -> None:
    text = "".join(pieces)
    analyzer = french_analyzer()
    tokens = [(t.startchar, t.endchar, t.text) for t in analyzer(text, chars=True, mode="index")]
    every = sorted({term for _, _, term in tokens})
    wanted = set(rng.sample(every, min(len(every), 3))) | {"hui", "homm"}
    assert highlight._matches(text, wanted) == [token for token in tokens if token[2] in wanted]


_SPACES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())


@given(st.text(alphabet=st.sampled_from(f"ab é\x90\u200b{_SPACES}\n"), max_size=30))
def test_snippet_text_is_single_spaced_as_split_and_join_make_it(text: str) -> None:
    # make_snippet's offsets are into the text with its white space made single spaces: the quick
    # check for text that is single-spaced but for its line breaks must give the same text.
    assert highlight._single_spaced(text) == " ".join(text.split())


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

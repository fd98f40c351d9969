"""The French analysis: what matches what, for documents and queries alike."""

from __future__ import annotations

import pickle

import pytest

from searchlib import Archive, Article
from searchlib.analysis.french import FRENCH_STOP_WORDS, fold, terms
from searchlib.backends.whoosh.analyzer import french_analyzer


@pytest.mark.parametrize(
    ("query", "text"),
    [
        # case and accents never matter
        ("securite", "la sécurité"),
        ("Sécurité", "la sécurité"),
        ("SÉCURITÉ", "la sécurité"),
        ("sécurité", "la securite"),
        ("pekin", "visite à Pékin"),
        ("PEKIN", "visite à Pékin"),
        ("opioide", "l'opioïde synthétique"),
        ("oeuvre", "une œuvre d'art"),
        ("œuvre", "les oeuvres"),
        ("noel", "à Noël"),
        ("francais", "les Français"),
        # compounds and elisions, with both apostrophes
        ("etats-unis", "les États-Unis"),
        ("etats-unis", "les Etats-Unis"),
        ("asean", "le sommet de l'Asean"),
        ("asean", "le sommet de l’Asean"),
        ("Asean", "jusqu'à l'Asean"),
        ("aujourd'hui", "c'est aujourd’hui"),
        ("aujourd’hui", "c'est aujourd'hui"),
        ("hui", "Hui Ka Yan"),
        ("entretenu", "s'est entretenu"),
        ("exige", "qu'il exige"),
        # plural and feminine forms meet, with or without accents
        ("cyberattaque", "des cyberattaques"),
        ("cyberattaques", "une cyberattaque"),
        ("chinois", "la diplomatie chinoise"),
        ("chinoise", "un diplomate chinois"),
        ("chinoises", "le gouvernement chinois"),
        ("americain", "les Américaines"),
        ("présidente", "le président"),
        ("nationaux", "national"),
        ("elections", "l'élection présidentielle"),
        ("economique", "la crise économique"),
        ("federales", "agences fédérales"),
        ("réchauffement", "rechauffement climatique"),
        # numbers are words too
        ("2023", "en juillet 2023"),
        ("g20", "le sommet du G20"),
    ],
)
def test_query_matches_text(query: str, text: str) -> None:
    query_terms = terms(query)
    assert query_terms, f"{query!r} analysed to nothing"
    assert set(query_terms) <= set(terms(text))


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("pain", "la peinture"),
        ("chine", "la machine"),
        ("mer", "la mémoire"),
        ("asie", "l'Asean"),
    ],
)
def test_different_words_stay_apart(query: str, text: str) -> None:
    assert not set(terms(query)) & set(terms(text))


@pytest.mark.parametrize("word", ["le", "la", "les", "de", "des", "du", "cette", "qu", "l", "d", "et", "à", "où"])
def test_french_stop_words_are_dropped(word: str) -> None:
    assert terms(word) == []


@pytest.mark.parametrize("word", ["as", "us", "new", "york", "été", "plus", "mars", "pas-de-calais"])
def test_words_that_english_or_naive_lists_drop_are_kept(word: str) -> None:
    assert terms(word)


def test_stop_words_are_stored_folded() -> None:
    assert all(word == fold(word) for word in FRENCH_STOP_WORDS)


@pytest.mark.parametrize(
    ("word", "folded"),
    [("Pékin", "pekin"), ("œuvre", "oeuvre"), ("Æther", "aether"), ("opioïde", "opioide"), ("ÇA", "ca")],
)
def test_fold(word: str, folded: str) -> None:
    assert fold(word) == folded


def test_glued_sentences_split_into_words() -> None:
    assert terms("l'accident domestique.Consternant") == terms("l'accident domestique. Consternant")


def test_token_offsets_point_into_the_original_text() -> None:
    text = "Œuvres à Pékin, l’Asean"
    tokens = [(t.text, text[t.startchar : t.endchar]) for t in french_analyzer()(text, chars=True)]
    assert tokens == [("oeuvr", "Œuvres"), ("pekin", "Pékin"), ("asean", "Asean")]


def test_analyzer_pickles_and_behaves_the_same() -> None:
    analyzer = pickle.loads(pickle.dumps(french_analyzer()))
    text = "Les cyberattaques chinoises contre les États-Unis"
    assert [t.text for t in analyzer(text)] == terms(text)


def test_wildcards_fold_but_do_not_stem() -> None:
    archive = Archive.in_memory()
    archive.add(Article(id="a", body="Une cyberattaque visant Pékin."))
    archive.add(Article(id="b", body="Un cybercriminel arrêté."))
    assert {hit.id for hit in archive.search("cyber*").hits} == {"a", "b"}
    assert [hit.id for hit in archive.search("pék*").hits] == ["a"]
    assert [hit.id for hit in archive.search("pek*").hits] == ["a"]

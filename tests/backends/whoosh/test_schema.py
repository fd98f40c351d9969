"""The schema's French text fields (searchlib.backends.whoosh.schema) index as the Whoosh analyzer
chain does, in one pass, and pickle without their caches."""

from __future__ import annotations

import json

import pytest

from tests.corpora import SAMPLE_JSONL, shared_articles


def _sample_texts(corpus: str = "samples") -> list[str]:
    texts = []
    if corpus == "shared":
        texts = [f"{article.title}\n{article.body}" for article in shared_articles()]
    else:
        for line in SAMPLE_JSONL.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append(f"{record['title']}\n{record['text']}")
    return texts + [
        "",
        "le la les de",
        "L'État d'aujourd'hui, les prud'hommes et l’œuvre — İstanbul, Straße, 中文, x2 ½",
        "a" * 70 + " mot " + "é" * 65,
    ]


@pytest.mark.equivalence
def test_the_fast_index_paths_give_exactly_the_postings_of_the_analyzer_chain(corpus: str) -> None:
    from whoosh.fields import TEXT

    from searchlib.analysis.french import folded_words
    from searchlib.backends.whoosh.analyzer import folded_analyzer, french_analyzer, name_analyzer
    from searchlib.backends.whoosh.schema import build_schema

    schema = build_schema()
    chain_text = TEXT(analyzer=french_analyzer(), multitoken_query="phrase")
    chain_text.format = schema["text"].format  # the compact positions (see searchlib.backends.whoosh.codec)
    for text in _sample_texts(corpus):
        assert list(schema["text"].index(text)) == list(chain_text.index(text))
        assert list(schema["title"].index(text)) == list(chain_text.index(text))
        # The title's words as written: those of the folded analyzer chain, with their counts.
        chain_words = TEXT(analyzer=folded_analyzer(), phrase=False)
        assert sorted(schema["title_words"].index(text)) == sorted(chain_words.index(text))
        # The words counted for "did you mean" are those the name analyzer gives.
        assert folded_words(text) == {token.text for token in name_analyzer()(text)}
        # Indexing counts them from the same pass as the postings.
        assert schema["text"].index_and_words(text) == (list(chain_text.index(text)), folded_words(text))


def test_the_schema_pickles_without_the_word_cache() -> None:
    import pickle

    from searchlib.analysis import french as analysis
    from searchlib.backends.whoosh.schema import build_schema

    analysis.french_positions("Pékin sécurité " * 50)
    assert analysis._WORDS
    data = pickle.dumps(build_schema())
    assert b"securit" not in data
    restored = pickle.loads(data)
    assert list(restored["text"].index("Les sécurités de Pékin")) == list(build_schema()["text"].index("Les sécurités de Pékin"))

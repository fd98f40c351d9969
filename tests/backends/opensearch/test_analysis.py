"""The cluster analyses French as searchlib does: sentences of real articles sent through
OpenSearch's ``_analyze`` (with the settings of searchlib.backends.opensearch.settings) and through
searchlib's analysis give the same terms, in the same order.

Over the shipped samples (Wikinews, always) and over sentences of OrangeSum (``../shared``, when
beside the repository). ``agreement`` is the share of sentences whose terms are identical; what
differs is printed, and explained in docs/scale-out.md.
"""

from __future__ import annotations

import json
import lzma
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from searchlib.analysis.french import content_word, fold, raw_words, terms
from searchlib.backends.opensearch import settings
from tests.conftest import SAMPLES, SHARED

ORANGESUM = SHARED / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz"
SENTENCES = 300
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def _sentences(texts: Iterator[str], count: int, seed: int) -> list[str]:
    found = [s.strip() for text in texts for s in _SENTENCE.split(text) if len(s.split()) >= 4]
    return random.Random(seed).sample(found, min(count, len(found)))


def _sample_texts() -> Iterator[str]:
    for path in sorted(SAMPLES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            yield " ".join(str(record.get(key) or "") for key in ("title", "text", "body", "content"))


def _orangesum_texts(limit: int = 2000) -> Iterator[str]:
    with lzma.open(ORANGESUM, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= limit:
                return
            record = json.loads(line)
            yield " ".join(str(record.get(key) or "") for key in ("title", "summary", "text"))


#: What searchlib makes of a sentence, per analyzer of the cluster.
OURS: dict[str, Callable[[str], list[str]]] = {
    settings.FRENCH: terms,
    settings.FOLDED: lambda text: [f for f in (fold(w) for w in raw_words(text)) if content_word(f)],
    settings.NAMES: lambda text: [fold(w) for w in raw_words(text)],
}


def _theirs(client: Any, index: str, analyzer: str, text: str) -> list[str]:
    answer = client.indices.analyze(index=index, body={"analyzer": analyzer, "text": text})
    return [token["token"] for token in answer["tokens"]]


def agreement(client: Any, index: str, analyzer: str, sentences: list[str]) -> tuple[float, list[tuple[str, list[str], list[str]]]]:
    """The share of ``sentences`` analysed alike, and the ones that differ (sentence, ours, theirs)."""
    differ = []
    for text in sentences:
        ours, theirs = OURS[analyzer](text), _theirs(client, index, analyzer, text)
        if ours != theirs:
            differ.append((text, ours, theirs))
    return 1 - len(differ) / len(sentences), differ


@pytest.fixture(scope="module")
def analysed_index(cluster: Any, unique_name: str) -> Iterator[str]:
    name = unique_name + "-analysis"
    cluster.indices.create(index=name, body=settings.index_body(shards=1, replicas=0))
    yield name
    cluster.indices.delete(index=name, ignore_unavailable=True)


def _report(corpus: str, analyzer: str, share: float, differ: list[tuple[str, list[str], list[str]]]) -> str:
    lines = [f"{corpus} / {analyzer}: {share:.3f} of the sentences analysed alike"]
    for text, ours, theirs in differ[:10]:
        only_ours = [t for t in ours if t not in theirs]
        only_theirs = [t for t in theirs if t not in ours]
        lines.append(f"  {text[:100]!r}: searchlib {only_ours} / cluster {only_theirs}")
    return "\n".join(lines)


@pytest.mark.parametrize("analyzer", [settings.FRENCH, settings.FOLDED, settings.NAMES])
def test_the_samples_are_analysed_alike(cluster: Any, analysed_index: str, analyzer: str) -> None:
    sentences = _sentences(_sample_texts(), SENTENCES, seed=21)
    share, differ = agreement(cluster, analysed_index, analyzer, sentences)
    print(_report("samples", analyzer, share, differ))
    assert share >= 0.99, _report("samples", analyzer, share, differ)


@pytest.mark.parametrize("analyzer", [settings.FRENCH, settings.NAMES])
def test_news_sentences_are_analysed_alike(cluster: Any, analysed_index: str, analyzer: str) -> None:
    if not ORANGESUM.is_file():
        pytest.skip("../shared is not beside the repository")
    sentences = _sentences(_orangesum_texts(), SENTENCES, seed=21)
    share, differ = agreement(cluster, analysed_index, analyzer, sentences)
    print(_report("orangesum", analyzer, share, differ))
    assert share >= 0.99, _report("orangesum", analyzer, share, differ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L’été des sécurités jusqu’à Paris", ["ete", "securit", "paris"]),
        ("l'Asean et les États-Unis", ["asean", "etat", "unis"]),
        ("Aujourd'hui, les prud’hommes", ["aujourdhui", "prudhomm"]),
        ("securite SÉCURITÉ sécurité", ["securit", "securit", "securit"]),
    ],
)
def test_elisions_accents_and_the_words_with_an_apostrophe(cluster: Any, analysed_index: str, text: str, expected: list[str]) -> None:
    assert terms(text) == expected
    assert _theirs(cluster, analysed_index, settings.FRENCH, text) == expected

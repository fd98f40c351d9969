"""searchlib's Snowball French stemmer gives Whoosh's stems, the ones every index holds: on the
samples' words, on words made to reach each rule, and on every word of the shared corpora."""

from __future__ import annotations

import itertools
import json
import lzma
from pathlib import Path

import pytest
from whoosh.lang.snowball.french import FrenchStemmer

from searchlib.analysis.french import _WORD, fold
from searchlib.analysis.stemmer import (
    _STEP1_SUFFIXES,
    _STEP2A_SUFFIXES,
    _STEP2B_SUFFIXES,
    _STEP4_SUFFIXES,
    french_stem,
)

from tests.conftest import SAMPLES

pytestmark = pytest.mark.equivalence

WHOOSH = FrenchStemmer().stem


def _words(text: str) -> set[str]:
    """What reaches the stemmer (folded words), and the words as written, lower-cased."""
    return {form for word in _WORD.findall(text) for form in (fold(word.lower()), word.lower())}


def _differences(words: set[str]) -> list[str]:
    return sorted(word for word in words if french_stem(word) != WHOOSH(word))


def test_the_samples_words_stem_as_whoosh_stems_them() -> None:
    words = set().union(*(_words(path.read_text(encoding="utf-8", errors="replace")) for path in SAMPLES.iterdir()))
    assert len(words) > 5000
    assert _differences(words) == []


@pytest.mark.parametrize(
    "word, stem",
    [("sécurité", "sécur"), ("securite", "securit"), ("chevaux", "cheval"), ("française", "français"),
     ("rapidement", "rapid"), ("évidemment", "évident"), ("nationalisations", "nationalis"), ("yeux", "yeux"),
     ("quelqu", "quelqu"), ("a", "a"), ("", "")],
)
def test_french_words_take_their_snowball_stems(word: str, stem: str) -> None:
    assert french_stem(word) == stem == WHOOSH(word)


def test_every_suffix_after_every_kind_of_stem_stems_as_whoosh_stems_it() -> None:
    # Stems of every shape (vowels and consonants where the regions R1, R2 and RV start, the
    # endings the steps look for before a suffix) with every suffix of every step.
    stems = ["", "a", "i", "u", "y", "qu", "par", "col", "tap", "ab", "arb", "ouv", "aud", "bayon", "cri",
             "ic", "at", "abil", "iv", "eus", "abl", "iqU", "ièr", "gu", "enn", "ell", "paie", "nouv", "rést",
             "nation", "réfléch", "ennu", "cré", "voy", "essuy", "pélér", "heur", "bell", "mouv"]
    suffixes = {*_STEP1_SUFFIXES, *_STEP2A_SUFFIXES, *_STEP2B_SUFFIXES, *_STEP4_SUFFIXES, "s", "es", "ions", "ités", "ivement"}
    made = {(a + b + suffix).lower() for a, b in itertools.product(stems, stems) for suffix in suffixes}
    assert len(made) > 50_000
    assert _differences(made) == []


@pytest.mark.slow
def test_every_word_of_the_shared_corpora_stems_as_whoosh_stems_it(shared: Path) -> None:
    words: set[str] = set()
    for path in sorted((shared / "data").glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            words |= _words(" ".join(str(record.get(key) or "") for key in ("title", "text", "summary")))
    with lzma.open(shared / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz", "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, 5000):
            record = json.loads(line)
            words |= _words(" ".join(str(record.get(key) or "") for key in ("title", "summary", "text")))
    assert len(words) > 80_000
    assert _differences(words) == []

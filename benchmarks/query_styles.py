"""Known-item queries made the ways people type them, for ``relevance.py --news --styles``.

Each style is a generator of queries for articles, with a seed of its own: what a reader
remembers of an article they read, typed as a query. The answer is the article itself.

- ``consecutive``: 2-4 consecutive content words of the title, in order (the harness's first set);
- ``scattered``: 2-4 content words of the title, anywhere in it, in a random order;
- ``rare-common``: the title's rarest word and one of its most common ones, in a random order;
- ``lede``: 2-3 content words of the lede that the title does not hold, in a random order;
- ``body``: 2-4 of the words that most set the article's body apart (tf-idf), in a random order;
- ``name-topic``: a name from the title (a capitalised word inside it) and another title word,
  in a random order;
- ``slip``: 3 content words of the title, in order, one of them with a typing slip (a letter
  left out, doubled, swapped with the next or replaced by its AZERTY neighbour).

Every other query of a style is typed without accents and in lower case (all of ``slip``).
The articles are split in two by a hash of their id: the *tuning* half and the *check* half, each
with its own seed, so that what a ranking was tuned on says nothing about the check figures.
:func:`permuted` gives each query with its words in another order, :func:`reversed_words` in the
reverse order (the ranking must not care).
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+")
STOP = frozenset("""
    les des une aux par pour sur dans avec sans sous entre vers chez est sont ont été être avoir
    qui que quoi dont où son ses leur leurs mais ou donc car pas plus très cette ces cet elle ils
    elles nous vous lui tout tous toute toutes comme fait après avant contre selon encore aussi
    the and del los las der die das pas peu bien fin mis ans lors elle ils
""".split())
SITE_SUFFIX = re.compile(r"\s*:\s*actualité automobile, infos, scoop\s*$")
STYLES = ("consecutive", "scattered", "rare-common", "lede", "body", "name-topic", "slip")
HALVES = ("tune", "check")
# Neighbouring keys on an AZERTY keyboard (a slip hits one of them).
AZERTY = ["azertyuiop", "qsdfghjklm", "wxcvbn"]


class Doc(Protocol):
    id: str
    title: str
    lede: str
    body: str


def unaccented(text: str) -> str:
    """``text`` without accents, lower-cased (NFD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def content_words(text: str) -> list[str]:
    """The words of ``text`` a person would type: three letters or more, no stop word, no
    elided article (l', d')."""
    words = []
    for word in WORD.findall(SITE_SUFFIX.sub("", text)):
        word = re.sub(r"^(?:[a-zA-Z]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’]", "", word, flags=re.I)
        if len(word) >= 3 and word.lower() not in STOP and not word.isdigit():
            words.append(word)
    return words


def half_of(doc_id: str) -> str:
    """The half an article belongs to, by a hash of its id."""
    return HALVES[zlib.crc32(doc_id.encode()) & 1]


class Corpus:
    """The articles and the document frequency of each (lower-cased) word."""

    def __init__(self, docs: Sequence[Doc]) -> None:
        self.docs = docs
        self.df: Counter[str] = Counter()
        for doc in docs:
            self.df.update({w.lower() for w in WORD.findall(f"{doc.title} {doc.lede} {doc.body}")})

    def idf(self, word: str) -> float:
        return math.log(len(self.docs) / (1 + self.df.get(word.lower(), 0)))


def _unique(words: list[str]) -> list[str]:
    seen: set[str] = set()
    return [w for w in words if not (w.lower() in seen or seen.add(w.lower()))]


def consecutive(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    words = content_words(doc.title)
    if len(words) < 2:
        return None
    size = rng.randint(2, min(4, len(words)))
    start = rng.randint(0, len(words) - size)
    return words[start:start + size]


def scattered(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    words = _unique(content_words(doc.title))
    if len(words) < 3:  # two words of a two-word title are consecutive: nothing scattered
        return None
    picked = rng.sample(words, rng.randint(2, min(4, len(words))))
    return picked


def rare_common(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    words = sorted(_unique(content_words(doc.title)), key=corpus.idf)
    if len(words) < 3:
        return None
    pair = [words[-1], rng.choice(words[:max(1, len(words) // 3)])]
    rng.shuffle(pair)
    return pair


def lede(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    in_title = {w.lower() for w in content_words(doc.title)}
    words = [w for w in _unique(content_words(doc.lede)) if w.lower() not in in_title and len(w) >= 4]
    if len(words) < 3:
        return None
    return rng.sample(words, rng.randint(2, 3))


def body(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    counts = Counter(w.lower() for w in content_words(doc.body))
    in_title = {w.lower() for w in content_words(doc.title)}
    scored = sorted((w for w, n in counts.items() if w not in in_title and len(w) >= 4 and corpus.df[w] > 1),
                    key=lambda w: -counts[w] * corpus.idf(w))
    if len(scored) < 6:
        return None
    return rng.sample(scored[:8], rng.randint(2, 4))


def name_topic(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    title = SITE_SUFFIX.sub("", doc.title)
    words = content_words(title)
    first = words[0] if words else None
    names = [w for w in words if w[0].isupper() and w != first and not w.isupper() and not _opens_clause(title, w)]
    if not names:
        return None
    name = rng.choice(names)
    others = [w for w in words if w.lower() != name.lower() and not w[0].isupper()]
    if not others:
        return None
    pair = [name, rng.choice(others)]
    rng.shuffle(pair)
    return pair


def _opens_clause(title: str, word: str) -> bool:
    """Whether ``word`` is capitalised only because it opens a clause (after ``:`` or ``.``)."""
    return re.search(r"[:.!?«]\s*" + re.escape(word) + r"\b", title) is not None


def slip(doc: Doc, rng: random.Random, corpus: Corpus) -> list[str] | None:
    words = _unique(content_words(doc.title))
    if len(words) < 3:
        return None
    start = rng.randint(0, len(words) - 3)
    picked = [unaccented(w) for w in words[start:start + 3]]
    long = [i for i, w in enumerate(picked) if len(w) >= 5 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    picked[i] = typing_slip(picked[i], rng)
    return picked


def typing_slip(word: str, rng: random.Random) -> str:
    """``word`` with one typing slip inside it (never on its first letter)."""
    at = rng.randint(1, len(word) - 2)
    kind = rng.choice(("drop", "double", "swap", "neighbour"))
    if kind == "drop":
        return word[:at] + word[at + 1:]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap" and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    row = next((r for r in AZERTY if word[at] in r), None)
    if row is None:
        return word[:at] + word[at + 1:]
    j = row.index(word[at])
    near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
    return word[:at] + rng.choice(near) + word[at + 1:]


GENERATORS: dict[str, Callable[[Doc, random.Random, Corpus], list[str] | None]] = {
    "consecutive": consecutive, "scattered": scattered, "rare-common": rare_common, "lede": lede,
    "body": body, "name-topic": name_topic, "slip": slip,
}


def style_queries(corpus: Corpus, style: str, half: str, n: int) -> list[tuple[str, str]]:
    """``n`` queries of ``style`` for articles of ``half``: (answer's id, query text)."""
    rng = random.Random(zlib.crc32(f"{style}/{half}".encode()))
    order = [i for i, doc in enumerate(corpus.docs) if half_of(doc.id) == half]
    rng.shuffle(order)
    queries: list[tuple[str, str]] = []
    for i in order:
        words = GENERATORS[style](corpus.docs[i], rng, corpus)
        if not words:
            continue
        text = " ".join(words)
        if style != "slip" and len(queries) % 2:
            text = unaccented(text)
        queries.append((corpus.docs[i].id, text))
        if len(queries) == n:
            break
    return queries


def permuted(queries: list[tuple[str, str]], seed: int = 7) -> list[tuple[str, str]]:
    """The same queries, each with its words in another order (when it has one)."""
    rng = random.Random(seed)
    out = []
    for qid, text in queries:
        words = text.split()
        if len(set(words)) > 1:
            shuffled = words[:]
            while shuffled == words:
                rng.shuffle(shuffled)
            words = shuffled
        out.append((qid, " ".join(words)))
    return out


def reversed_words(queries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The same queries, each with its words in the reverse order."""
    return [(qid, " ".join(reversed(text.split()))) for qid, text in queries]

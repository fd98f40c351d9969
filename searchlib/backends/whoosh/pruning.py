"""Which documents can still make the top k of a search, found before scoring them: MaxScore over
whole arrays.

A search's score for a document is a sum over its *scorers* (each term and each phrase searched for
itself) plus *bonuses* (phrases whose words are terms of the query, added only where the words
stand together). Each scorer has an upper bound, its largest score in any document; a bonus too.
Scoring every posting of every word costs what the archive's size costs: a word common in ten
times the articles has ten times the postings. Here, as Lucene's and Tantivy's MaxScore do with
their terms:

1. a *floor* is found cheaply: the exact partial score (scorers only, bonuses left out) of a few
   documents, those holding the scorers of highest bound; the k-th best of them is at most the
   k-th best final score, since bonuses only add;
2. the scorers of lowest bound are set aside while their bounds, and the bounds of the bonuses
   that need only them, add up to less than the floor: a document holding only those cannot reach
   the top k;
3. only the documents of the other scorers (the *essential* ones, the rare words, typically) are
   scored, exactly as the exhaustive search scores them.

The result is the same top k as scoring every document (``Engine.exhaustive``; the equivalence
tests and ``benchmarks/pruning.py`` compare the two on every query). When the floor sets nothing
aside worth the saving (queries of common words only), :func:`candidates` says so and the caller
scores every document on whole arrays, which is then the cheaper way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .phrases import union

#: Documents whose exact partial scores set the floor: this many times k, at least.
FLOOR_DOCS = 4
#: Relative slack on bounds: the same sums added in another order differ in their last bits.
SLACK = 1e-9
#: A lookup of one document in one scorer (a binary search) costs about this many postings
#: scattered whole; past that, scoring every document is the cheaper way.
LOOKUP_COST = 2
#: Below this many postings in all, scoring every one costs less than trying to prune: on the
#: relevance sets and OrangeSum (1x), trying made the match step 1.2 to 1.8 times slower.
MIN_POSTINGS = 50_000


@dataclass(frozen=True)
class Scorer:
    """A term or phrase of the query: the documents it scores (ascending) and its largest score."""

    docs: np.ndarray
    bound: float


@dataclass(frozen=True)
class Bonus:
    """A phrase bonus: its largest value, and the scorers (indexes) a document must all be in to get it."""

    bound: float
    needs: frozenset[int]


PartialAt = Callable[[Sequence[int], np.ndarray], np.ndarray]


def candidates(
    scorers: Sequence[Scorer], bonuses: Sequence[Bonus], allowed: np.ndarray | None, k: int, partial_at: PartialAt
) -> np.ndarray | None:
    """The documents (ascending, among the scorers' and those ``allowed``: a mask, None for any)
    that may make the top ``k``, or None when
    scoring every match is cheaper. ``partial_at(which, docs)`` gives the exact sum of the scorers
    ``which`` (indexes, in the query's order) at ``docs``."""
    postings = sum(len(scorer.docs) for scorer in scorers)
    if not scorers or postings < MIN_POSTINGS:
        return None
    # Lookups in more documents than this cost more than scoring every posting.
    budget = postings / (len(scorers) * LOOKUP_COST)
    if len(max(scorers, key=lambda scorer: scorer.bound).docs) >= budget:
        return None  # the scorer of highest bound is never set aside, and it alone is too many
    floor = _floor(scorers, allowed, k, partial_at)
    if floor <= 0:
        return None
    aside = _set_aside(scorers, bonuses, floor)
    essential = [scorer.docs for i, scorer in enumerate(scorers) if i not in aside]
    if sum(len(docs) for docs in essential) >= budget:
        return None
    docs = union(essential) if len(essential) > 1 else essential[0]
    return docs if allowed is None else docs[allowed[docs]]


def _floor(scorers: Sequence[Scorer], allowed: np.ndarray | None, k: int, partial_at: PartialAt) -> float:
    """A score the k-th best document reaches at least (0 when fewer than k are found): the k-th
    best exact partial score of the documents scoring best on the scorers of highest bound."""
    order = sorted(range(len(scorers)), key=lambda i: -scorers[i].bound)
    wanted = FLOOR_DOCS * max(k, 1)
    seeds: list[int] = []
    size = 0
    for i in order:
        if seeds and size + len(scorers[i].docs) > 16 * wanted:
            break
        seeds.append(i)
        size += len(scorers[i].docs)
    docs = union([scorers[i].docs for i in seeds]) if len(seeds) > 1 else scorers[seeds[0]].docs
    if allowed is not None:
        docs = docs[allowed[docs]]
    if len(docs) < k:
        return 0.0
    if len(docs) > wanted:  # the best on the seeds alone, then their whole partial score
        seeded = partial_at(sorted(seeds), docs)
        docs = np.sort(docs[np.argpartition(-seeded, wanted - 1)[:wanted]])
    partial = partial_at(range(len(scorers)), docs)
    return float(np.partition(partial, len(partial) - k)[len(partial) - k])


def _set_aside(scorers: Sequence[Scorer], bonuses: Sequence[Bonus], floor: float) -> set[int]:
    """The scorers of lowest bound whose bounds, with those of the bonuses needing only them, add
    up to less than ``floor``: a document in none of the others scores less than the k-th best."""
    aside: set[int] = set()
    total = 0.0
    for i in sorted(range(len(scorers)), key=lambda i: scorers[i].bound):
        gained = scorers[i].bound + sum(b.bound for b in bonuses if i in b.needs and b.needs <= aside | {i})
        if (total + gained) * (1 + SLACK) >= floor:
            break
        total += gained
        aside.add(i)
    return aside

"""Associated terms (``searchlib terms``): the words and names unusually frequent in the articles
matching a query, compared with the whole archive.

The score is JLH, the default significance heuristic of Elasticsearch's and OpenSearch's
``significant_terms``: with ``fg`` the share of matching articles holding a word and ``bg`` its
share of the archive, ``(fg - bg) * fg / bg`` when ``fg > bg``, else 0. It weighs both how much more
frequent a word is among the matches (the ratio) and how many more articles that is (the
difference): rare words met once do not win, as they do with a plain ratio, and common words do not
win, as they do with counts. The same score as a cluster's, so both engines rank alike. As there,
a word must be in at least :data:`MIN_ARTICLES` matching articles.

Words are read from the best matches as written, grouped by stem ("grève", "grèves") and counted
as the index's text terms, shown in their most frequent spelling among the best matches. A word nearly always next to the same other word in the best
matches ("jaunes" after "gilets", "Hidalgo" after "Anne") is shown as that pair, counted as a
phrase. Stop words, numbers and the query's own words (any form of their stems) are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from ..analysis.french import content_word, fold, stem, words_in
from ..backends.base import DocRef, View
from ..errors import BadFilter, QueryError
from ..models import AssociatedTerm, AssociatedTerms, SearchFilters
from ..search import tree
from ..search.pipeline import resolve
from ..search.query import QueryBuilder

#: A term must be in this many matching articles at least (``min_doc_count`` of significant_terms).
MIN_ARTICLES = 3
#: The best matches read for spellings, neighbours and a first ranking of the candidates.
SAMPLE = 200
#: Candidates counted exactly over every match, per term asked for.
CANDIDATES_PER_TERM = 3
#: A word in more than this share of the archive's articles is general vocabulary ("plus", "deux",
#: "mardi"): it says nothing about a subject, however often the matches use it.
MAX_ARCHIVE_SHARE = 0.25
#: A neighbour next to a word in at least this share of its occurrences makes a pair with it.
PAIR_SHARE = 0.6
MAX_TOP = 200
#: Terms beyond the top looked at for pairs: a name of two terms shown once leaves room for another.
PAIR_SPARE = 10
#: What may stand between the two words of a pair: "gilets jaunes", "États-Unis", "Jean-Luc".
_JOINS = " -"


@dataclass
class _Sample:
    """What the best matches say about each word: how many hold it, how it is written, what is
    next to it. Words as written are counted; they are folded only for the few terms shown."""

    size: int = 0
    #: Folded word → how many of the sampled articles hold it.
    articles: Counter[str] = field(default_factory=Counter)
    #: Word as written → its occurrences.
    written: Counter[str] = field(default_factory=Counter)
    #: (word, what is between, next word), as written → occurrences: the pairs of neighbours.
    pairs: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    @cached_property
    def forms(self) -> dict[str, dict[str, int]]:
        """Folded word → its spellings and their occurrences."""
        forms: dict[str, dict[str, int]] = {}
        for word, count in self.written.items():
            folded = fold(word)
            found = forms.get(folded)
            if found is None:
                forms[folded] = {word: count}
            else:
                found[word] = count
        return forms

    def neighbours(self, wanted: set[str]) -> dict[str, Counter[tuple[str, str]]]:
        """Each of the folded words ``wanted`` → the pairs it is in, as (folded pair, as written)
        → occurrences."""
        found: dict[str, Counter[tuple[str, str]]] = {word: Counter() for word in wanted}
        for (left, between, right), count in self.pairs.items():
            key = (fold(left), fold(right))
            if key[0] != key[1]:
                for word in key:
                    if word in found:
                        found[word][(" ".join(key), left + between + right)] += count
        return found

    def spelling(self, folded: list[str]) -> str:
        """The most frequent spelling of the words ``folded``; between equals, with accents or capitals."""
        forms = [item for word in folded for item in self.forms.get(word, {}).items()]
        if not forms:
            return folded[0]
        return max(forms, key=lambda item: (item[1], not item[0].isascii(), item[0] != item[0].lower()))[0]


def associated_terms(view: View, parser: QueryBuilder, text: str, filters: SearchFilters, top: int = 30) -> AssociatedTerms:
    """The ``top`` terms that set the matches of ``text`` apart from the archive."""
    if not 1 <= top <= MAX_TOP:
        raise BadFilter("top", top, f"ask for 1 to {MAX_TOP} terms")
    q, _, notices = resolve(view, parser, text)
    found = view.match(q, filters, window=view.count())
    docs = [doc for doc, _ in found.top]
    archive = view.count()
    if found.total < MIN_ARTICLES:
        return AssociatedTerms(text, [], found.total, archive, filters, notices)
    sample = _read(view, docs[:SAMPLE])
    own = _query_stems(q)
    # A first ranking on the sample, against the archive's word list (approximate counts) ...
    known = view.vocabulary()
    common = MAX_ARCHIVE_SHARE * (known.articles or archive)
    words = [w for w, n in sample.articles.items() if n >= MIN_ARTICLES and _kept(w, own) and known.frequency(w) <= common]
    words.sort(key=lambda w: -jlh(sample.articles[w], sample.size, known.frequency(w) or 1, known.articles or archive))
    # ... then the forms of one stem as one term ("grève", "grèves"), counted exactly over every
    # match and over the whole archive.
    stems: dict[str, list[str]] = {}
    for word in words[: top * CANDIDATES_PER_TERM]:
        stems.setdefault(stem(word), []).append(word)
    matching, background = view.word_counts(list(stems), docs), view.word_counts(list(stems), None)
    terms = [
        AssociatedTerm(sample.spelling(forms), jlh(matching[s], len(docs), background[s], archive), matching[s], background[s])
        for s, forms in stems.items()
        if matching[s] >= MIN_ARTICLES and background[s] <= MAX_ARCHIVE_SHARE * archive
    ]
    terms = _with_pairs(view, parser, set(docs), sorted(terms, key=_rank)[: top + PAIR_SPARE], sample, archive, own)
    return AssociatedTerms(text, sorted(terms, key=_rank)[:top], found.total, archive, filters, notices)


def jlh(subset: int, subset_size: int, superset: int, superset_size: int) -> float:
    """Elasticsearch's JLH score of a term in ``subset`` of ``subset_size`` articles and ``superset``
    of ``superset_size``: ``(fg - bg) * fg / bg`` with the two shares, 0 when not more frequent."""
    if not subset or not subset_size or not superset or not superset_size:
        return 0.0
    fg, bg = subset / subset_size, superset / superset_size
    return (fg - bg) * fg / bg if fg > bg else 0.0


def _rank(term: AssociatedTerm) -> tuple[float, str]:
    return -term.score, term.term


def _read(view: View, docs: list[DocRef]) -> _Sample:
    """Counts the words of the articles ``docs``: no stemming (a word's folded form says whether
    it is a stop word), as the stemmer is the slow part of analysing words seen for the first time."""
    sample = _Sample(size=len(docs))
    written, pairs = sample.written, sample.pairs
    folds: dict[str, str | None] = {}
    view.read(docs)
    for doc in docs:
        article = view.article(doc)
        seen: set[str] = set()
        for text in (article.title, article.lede, article.body):
            before, end = "", -9
            for match in words_in(text):
                word = match.group()
                folded = folds.get(word, "")
                if folded == "":
                    folded = folds[word] = f if content_word(f := fold(word)) else None
                if folded is None:  # a stop word breaks a pair: "Banque de France" is not one here
                    before = ""
                    continue
                seen.add(folded)
                written[word] += 1
                start = match.start()
                if before and start - end == 1 and text[end] in _JOINS:
                    pairs[(before, text[end], word)] += 1
                before, end = word, match.end()
        sample.articles.update(seen)
    return sample


def _query_stems(q: tree.Node) -> set[str]:
    """The stems of the query's words (a stem of the text field, or a word as written, stemmed)."""
    own = set()
    for leaf in tree.leaves(q):
        if isinstance(leaf, tree.Term):
            own.update({leaf.text, stem(leaf.text)})
        elif isinstance(leaf, (tree.Phrase, tree.Near)):
            own.update(leaf.words)
            own.update(stem(word) for word in leaf.words)
    return own


def _kept(word: str, own: set[str]) -> bool:
    return len(word) > 1 and not word.isdigit() and stem(word) not in own and word not in own


def _with_pairs(  # noqa: PLR0913
    view: View,
    parser: QueryBuilder,
    docs: set[DocRef],
    terms: list[AssociatedTerm],
    sample: _Sample,
    archive: int,
    own: set[str],
) -> list[AssociatedTerm]:
    """``terms`` with each word that nearly always comes with the same neighbour shown as the pair,
    counted as a phrase over every match (``docs``) and the archive; a pair is shown once, and
    not when its neighbour is a word of the query (``own``: "Anne" for "Hidalgo" stays "Anne")."""
    shown: list[AssociatedTerm] = []
    taken: set[str] = set()  # the words shown, alone or in a pair: each once
    neighbours = sample.neighbours({fold(term.term) for term in terms})
    for term in terms:
        pair = _pair_of(fold(term.term), sample, neighbours)
        if pair is not None and any(word in own or stem(word) in own for word in _folded(pair).split()):
            pair = None
        if pair is not None:
            words = set(_folded(pair).split())
            inside, everywhere = _phrase_counts(view, parser, docs, pair) if not words & taken else (0, 0)
            if inside >= MIN_ARTICLES:
                taken.update(words)
                shown.append(AssociatedTerm(pair, jlh(inside, len(docs), everywhere, archive), inside, everywhere))
                continue
        if fold(term.term) not in taken:
            taken.add(fold(term.term))
            shown.append(term)
    return shown


def _pair_of(folded: str, sample: _Sample, neighbours: dict[str, Counter[tuple[str, str]]]) -> str | None:
    """The pair, as most often written, that ``folded`` makes with one neighbour in most of its
    occurrences, if any."""
    times = sum(sample.forms.get(folded, {}).values())
    together: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for (key, written), count in neighbours.get(folded, Counter()).items():
        together[key] += count
        spellings.setdefault(key, Counter())[written] += count
    if not together:
        return None
    key, count = together.most_common(1)[0]
    if count < max(MIN_ARTICLES, PAIR_SHARE * times):
        return None
    return spellings[key].most_common(1)[0][0]


def _folded(text: str) -> str:
    return " ".join(fold(match.group()) for match in words_in(text))


def _phrase_counts(view: View, parser: QueryBuilder, docs: set[DocRef], written: str) -> tuple[int, int]:
    """Matching articles (of ``docs``) and archive articles holding the phrase ``written``."""
    try:
        phrase = parser.parse(f'"{written}"').query
    except QueryError:
        return 0, 0
    found = view.match(phrase, SearchFilters(), window=view.count())
    return sum(1 for doc, _ in found.top if doc in docs), found.total

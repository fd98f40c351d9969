"""One search, step by step: parse → prepare → match and rank → second look → group copies →
snippets → suggestion. Each step is a function of its own, reading the index through one
:class:`~searchlib.backends.base.View` so that every step sees the same articles.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backends.base import DocRef, Matches, View
from ..errors import QueryError
from ..models import Article, CopyOf, Hit, SearchFilters, SearchResults, Snippet
from . import ranking, tree
from .fields import ALL_WORDS_FIELD
from .tree import Node
from .grouping import Group, group_copies
from .query import ParsedQuery, QueryBuilder
from .second_look import query_words, rerank
from .snippets import make_snippet, marked
from .spelling import FEW_RESULTS, corrected, with_spelling_alternatives

#: Ranked candidates per page shown when wire copies are grouped.
COPY_WINDOW = 3
#: A similar article scores at least this share of the closest one's score.
SIMILAR_MIN_SHARE = 0.3


@dataclass(frozen=True)
class SearchRequest:
    """What a search asks for, its options checked."""

    query: str
    filters: SearchFilters
    limit: int = 10
    page: int = 1
    sort: str = "relevance"
    facets: tuple[str, ...] = ()
    snippets: bool = True
    all_copies: bool = False
    #: Seconds the ranking may take before it stops with the best found by then.
    time_limit: float | None = None

    @property
    def window(self) -> int:
        """How many ranked candidates the pages up to this one need: copies folded into groups
        leave room on a page, so more than a page's worth."""
        return max(self.page * self.limit * (1 if self.all_copies else COPY_WINDOW), 1)


def resolve(view: View, parser: QueryBuilder, text: str) -> tuple[Node, ParsedQuery, list[str]]:
    """The query ``text`` as the index searches it: parsed, its wildcards and fuzzy words bounded to
    the words the archive holds, and words no article holds searched respelt too; with the notices
    to show. Every tool over a query's matches (search, trend, concordance…) starts here, so that
    they all match the same articles."""
    parsed = parser.parse(text)
    q, bounded = view.prepare(parsed.query)
    q, respelt = with_spelling_alternatives(q, parsed.parsed_from, view.holds, view.vocabulary)
    return q, parsed, list(parsed.notices) + bounded + respelt


def search(view: View, parser: QueryBuilder, request: SearchRequest) -> SearchResults:
    """Runs ``request`` on ``view``."""
    q, parsed, notices = resolve(view, parser, request.query)
    found = match(view, q, parsed, request)
    if found.stopped:
        notices.append(
            f"the search was stopped after {request.time_limit:g} s: these are the best "
            "of the articles found by then; a narrower query will be complete"
        )
    hits = page_hits(view, found.top, q, request)
    suggestion, suggestion_total = suggest(view, parser, parsed.text, request.filters, found.total)
    return SearchResults(
        query=request.query,
        total=found.total,
        hits=hits,
        notices=notices,
        page=request.page,
        limit=request.limit,
        sort=request.sort,
        filters=request.filters,
        facets=found.facets,
        suggestion=suggestion,
        suggestion_total=suggestion_total,
        stopped=found.stopped,
    )


def match(view: View, q: Node, parsed: ParsedQuery, request: SearchRequest) -> Matches:
    """The ranked candidates of the pages up to ``request.page``; ranked by relevance, the best
    :data:`~searchlib.search.ranking.RERANK_DEPTH` of them get a second look."""
    second_look = request.sort == "relevance"
    window = request.window
    depth = max(window, ranking.RERANK_DEPTH) if second_look else window
    found = view.match(
        q, request.filters, window=depth, sort=request.sort, facets=request.facets, time_limit=request.time_limit
    )
    if second_look:
        found.top = look_again(view, found.top, q, parsed.parsed_from)[:window]
    return found


def look_again(view: View, top: list[tuple[DocRef, float]], q: Node, typed: str) -> list[tuple[DocRef, float]]:
    """``top`` with its best articles reordered by :func:`searchlib.search.second_look.rerank`."""
    words = query_words(q, typed, view.term_weight)
    view.read([doc for doc, _ in top[: ranking.RERANK_DEPTH]])
    return rerank(top, words, view.holding, view.positions, lambda doc: view.article(doc).text())


def page_hits(view: View, top: list[tuple[DocRef, float]], q: Node, request: SearchRequest) -> list[Hit]:
    """The hits of ``request.page``: copies of one dispatch grouped (unless ``all_copies``), each
    with its snippet. Only the page's articles are read."""
    page = slice((request.page - 1) * request.limit, request.page * request.limit)
    if request.all_copies:
        groups = [Group([candidate]) for candidate in top[page]]
    else:  # grouped on the copy keys and dates, without reading the articles
        groups = group_copies(top, view.copy_key)[page]
    terms = view.highlight_terms(q) if request.snippets else set()
    written = as_written(q)
    view.read([doc for group in groups for doc, _ in group.rows])
    hits = []
    for group in groups:
        articles = [view.article(doc) for doc, _ in group.rows]
        first = group.shown() if len(articles) > 1 else 0
        shown = articles[first]
        others = tuple(
            CopyOf(article.id, article.source or article.agency, article.date)
            for i, article in enumerate(articles) if i != first
        )
        snippet = snippet_of(shown, terms) if request.snippets else Snippet("")
        title_marks = marked(shown.title, terms, written) if request.snippets else ()
        hits.append(hit(shown, group.rows[0][1], snippet, others, title_marks))
    return hits


def as_written(q: Node) -> frozenset[str]:
    """The words a query of common words only looks for in titles as written (see
    :func:`~searchlib.search.query.common_words_query`); none for any other query."""
    words: set[str] = set()
    for leaf in tree.leaves(q):
        if isinstance(leaf, tree.Term) and leaf.field == ALL_WORDS_FIELD:
            words.add(leaf.text)
        elif isinstance(leaf, tree.Phrase) and leaf.field == ALL_WORDS_FIELD:
            words.update(leaf.words)
    return frozenset(words)


def suggest(view: View, parser: QueryBuilder, text: str, filters: SearchFilters, total: int) -> tuple[str | None, int]:
    """A corrected query when ``text`` found little, and what it finds (with the same filters)."""
    if total >= FEW_RESULTS:
        return None, 0
    suggestion = corrected(text, view.vocabulary())
    if suggestion is None:
        return None, 0
    try:
        better = parser.parse(suggestion)
    except QueryError:
        return None, 0
    found = view.total(better.query, filters)
    return (suggestion, found) if found > total else (None, 0)


def similar(view: View, article_id: str, limit: int, snippets: bool) -> SearchResults | None:
    """Articles about the same story as ``article_id`` (None for an unknown id)."""
    found = view.similar(article_id, limit)
    if found is None:
        return None
    top, words = found
    label = f"similar to {article_id}"
    best = top[0][1] if top else 0.0
    # Sharing one common word is not being about the same story: weak matches are left out.
    close = [(doc, score) for doc, score in top if score >= SIMILAR_MIN_SHARE * best]
    view.read([doc for doc, _ in close])
    hits = []
    for doc, score in close:
        article = view.article(doc)
        snippet = snippet_of(article, words) if snippets else Snippet("")
        hits.append(hit(article, score, snippet, title_highlights=marked(article.title, words) if snippets else ()))
    return SearchResults(query=label, total=len(hits), hits=hits, limit=limit)


def snippet_of(article: Article, terms: set[str]) -> Snippet:
    text = " ".join(part for part in (article.lede, article.body) if part)
    return make_snippet(text or article.title, terms)


def hit(
    article: Article,
    score: float,
    snippet: Snippet,
    copies: tuple[CopyOf, ...] = (),
    title_highlights: tuple[tuple[int, int], ...] = (),
) -> Hit:
    return Hit(
        id=article.id,
        title=article.title,
        date=article.date,
        source=article.source or article.agency,
        author=article.author,
        url=article.url,
        score=score,
        snippet=snippet,
        copies=copies,
        title_highlights=title_highlights,
    )

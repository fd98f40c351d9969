"""Plain data: what goes into the index and what comes out of a search. No Whoosh here."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Article:
    """One news article, as read and cleaned from an archive file."""

    id: str
    title: str = ""
    lede: str = ""
    body: str = ""
    date: dt.date | None = None
    source: str | None = None
    author: str | None = None
    agency: str | None = None
    #: Where a wire story was filed from, read from its dateline ("PARIS (AFP) -" → "Paris").
    place: str | None = None
    url: str | None = None
    section: str | None = None
    path: str | None = None

    def text(self) -> str:
        """What is searched as the article's text: its title, lede and body, a line apart."""
        return "\n".join(part for part in (self.title, self.lede, self.body) if part)

    def fingerprint(self) -> str:
        """A digest of the content, so re-indexing can tell unchanged articles from edited ones:
        each field's name, \\x1f, its value as text, \\x1e (in one call: digests stored in indexes
        compare with it, and a call per part took twice as long)."""
        parts = [f"{name}\x1f{str(getattr(self, name) or '')}\x1e" for name in _FIELD_NAMES]
        return hashlib.blake2b("".join(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


#: Article's fields in order: what :meth:`Article.fingerprint` digests.
_FIELD_NAMES = tuple(f.name for f in fields(Article))


@dataclass(frozen=True)
class Snippet:
    """Text taken from the article, with the character ranges of the matched words.

    Ranges are ``(start, end)`` offsets into :attr:`text`, sorted and non-overlapping.
    Rendering (HTML, terminal colours) is done by :mod:`searchlib.render`.
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def highlighted_words(self) -> list[str]:
        return [self.text[start:end] for start, end in self.highlights]


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: dt.date | None
    source: str | None
    author: str | None
    url: str | None
    score: float
    snippet: Snippet
    #: Other copies of the same agency dispatch, grouped under this hit (see searchlib.search.grouping).
    copies: tuple[CopyOf, ...] = ()
    #: ``(start, end)`` offsets into :attr:`title` of the matched words, as in :class:`Snippet`.
    title_highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class CopyOf:
    """Another outlet's copy of a hit's dispatch."""

    id: str
    source: str | None
    date: dt.date | None


@dataclass(frozen=True)
class SearchFilters:
    """What a search was narrowed to, beyond its query: dates (inclusive) and names (any of them)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    #: Only articles indexed at or after this time (timezone-aware; see ``--new-since``).
    added_since: dt.datetime | None = None

    def __bool__(self) -> bool:
        return any((self.date_from, self.date_to, self.sources, self.authors, self.sections, self.added_since))


@dataclass(frozen=True)
class SearchResults:
    """One page of ranked hits, and what was left out."""

    query: str
    total: int
    hits: list[Hit]
    #: Things the user should know about how the query was read (e.g. a syntax error ignored).
    notices: list[str] = field(default_factory=list)
    #: The page shown (from 1) and the hits per page: ``hits`` are results ``first``…``last``.
    page: int = 1
    limit: int = 10
    sort: str = "relevance"
    filters: SearchFilters = field(default_factory=SearchFilters)
    #: Counts per value over every match (not only this page), per facet asked for:
    #: ``{"source": {"AFP": 12}, "year": {"2023": 40}}``, most frequent first (dates in order).
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: A corrected query when this one found little ("cyberataque" → "cyberattaque"), and its total.
    suggestion: str | None = None
    suggestion_total: int = 0
    #: True when the query time limit stopped the search: ``hits`` are the best found by then and
    #: ``total`` counts only what was matched before the stop.
    stopped: bool = False

    @property
    def first(self) -> int:
        """The rank of the first hit shown (from 1)."""
        return (self.page - 1) * self.limit + 1

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1

    @property
    def truncated(self) -> bool:
        return self.total > len(self.hits)


@dataclass(frozen=True)
class Failure:
    """A file or record that could not be indexed, and why."""

    path: str
    reason: str
    line: int | None = None
    #: A warning means the record was indexed, with something left out (e.g. an unreadable date).
    warning: bool = False
    #: The file could not be opened or read (permissions, I/O): trying again later may work.
    transient: bool = False
    #: Where the record starts, in bytes, for formats without lines (WARC, JSON arrays).
    offset: int | None = None
    #: Not an article file at all (a judgement TSV, a list of queries): passed over, not a failure.
    skipped: bool = False

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.offset is not None:
            where = f"{where}@{self.offset}"
        return f"{where}: {self.reason}"


@dataclass
class IndexReport:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Commits made: a long run commits in batches, so a crash loses at most the batch in flight.
    batches: int = 0
    failed: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    #: Files none of whose records could be an article (see :attr:`Failure.skipped`).
    skipped: list[Failure] = field(default_factory=list)
    #: Articles read from files in this run (files unchanged since the last run are not read).
    read: int = 0
    #: How long the run took, in seconds.
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def rate(self) -> float:
        """Articles read per second."""
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def note(self, failure: Failure) -> None:
        """Counts ``failure`` as a failure, a warning or a skipped file."""
        kind = self.skipped if failure.skipped else self.warnings if failure.warning else self.failed
        kind.append(failure)


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one file for one reason (give or take a quoted value or a number), told once."""

    first: Failure
    count: int
    #: Whether every failure of the group gave the very same reason as the first.
    same_reason: bool


# What differs between two failures for the same reason: quoted values and numbers.
_PARTICULARS = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")


def group_failures(failures: list[Failure]) -> list[FailureGroup]:
    """``failures`` grouped by file and reason, in the order each group first appears."""
    groups: dict[tuple[str, str], list[Failure]] = {}
    for failure in failures:
        groups.setdefault((failure.path, _PARTICULARS.sub("#", failure.reason)), []).append(failure)
    return [
        FailureGroup(members[0], len(members), all(f.reason == members[0].reason for f in members))
        for members in groups.values()
    ]


@dataclass(frozen=True)
class IndexStats:
    articles: int
    first_date: dt.date | None
    last_date: dt.date | None
    sources: dict[str, int]
    size_bytes: int
    path: str | None


# -- research: trends, concordance, associated terms, export ---------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    """One query's matching articles per period."""

    query: str
    #: Matching articles per period, for every period of :attr:`Trend.periods` (0 when none).
    counts: dict[str, int]
    #: Every matching article, the undated ones included: the total a search gives.
    total: int
    #: Matching articles without a date (counted in :attr:`total`, in no period).
    undated: int = 0
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Trend:
    """How often each query matched, period by period (``searchlib trend``)."""

    #: "year", "month" or "week": periods are "2023", "2023-07" or "2023-W07" (ISO weeks).
    by: str
    #: Every period from the first to the last shown, in time order, empty ones included.
    periods: list[str]
    series: list[TrendSeries]
    #: Every article of each period (within the filters): what :attr:`per` divides by.
    articles: dict[str, int]
    #: None for counts; 1000 for matching articles per 1,000 articles of the period.
    per: int | None = None
    filters: SearchFilters = field(default_factory=SearchFilters)

    def value(self, series: TrendSeries, period: str) -> float:
        """What the chart shows for ``series`` in ``period``: its count, or its rate per :attr:`per`."""
        count = series.counts.get(period, 0)
        if self.per is None:
            return float(count)
        articles = self.articles.get(period, 0)
        return count * self.per / articles if articles else 0.0


@dataclass(frozen=True)
class ConcordanceLine:
    """One occurrence of a matched word, with the original text around it."""

    id: str
    date: dt.date | None
    source: str | None
    #: Up to the concordance's width of characters before the match, white space single.
    left: str
    #: The word as written in the article.
    match: str
    right: str


@dataclass(frozen=True)
class Concordance:
    """Keyword in context (``searchlib kwic``): a page of occurrences of the matched words."""

    query: str
    lines: list[ConcordanceLine]
    #: Articles matching the query and filters.
    articles: int
    page: int = 1
    limit: int = 50
    #: "date" (oldest first), "left" (by the words before the match) or "right" (after it).
    sort: str = "date"
    width: int = 60
    #: Occurrences in all, when they were all read (sorting by left or right reads them all).
    total: int | None = None
    #: Whether a later page has lines.
    more: bool = False
    filters: SearchFilters = field(default_factory=SearchFilters)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AssociatedTerm:
    """A word or name unusually frequent in the articles matching a query."""

    #: As written: the most frequent spelling in the matching articles ("Anne Hidalgo").
    term: str
    #: Significance: JLH, as Elasticsearch's ``significant_terms`` (see docs/research.md).
    score: float
    #: Matching articles holding it.
    matching: int
    #: Articles of the whole archive holding it.
    archive: int


@dataclass(frozen=True)
class AssociatedTerms:
    """The terms that set a query's articles apart from the archive (``searchlib terms``)."""

    query: str
    terms: list[AssociatedTerm]
    #: Articles matching the query and filters (the foreground).
    matching: int
    #: Articles in the archive (the background).
    archive: int
    filters: SearchFilters = field(default_factory=SearchFilters)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExportRow:
    """One matching article as a row of an export (``searchlib search --format csv``)."""

    id: str
    title: str
    date: dt.date | None
    source: str | None
    author: str | None
    section: str | None
    url: str | None
    score: float
    #: The snippet as plain text (no marks).
    snippet: str

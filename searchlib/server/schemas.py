"""The shapes of the JSON API, for its OpenAPI document (the bodies come from searchlib.render,
the same dicts as the CLI's ``--json``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HitOut(BaseModel):
    id: str
    title: str
    title_html: str = Field(description="HTML: the title escaped, matched words in <mark>, as in snippet")
    date: str | None = Field(description="ISO date, or null for an undated article")
    source: str | None
    author: str | None
    url: str | None
    score: float
    snippet: str = Field(description="HTML: the article text escaped, matched words in <mark>")


class CopyOut(BaseModel):
    id: str
    source: str | None
    date: str | None


class SuggestionOut(BaseModel):
    query: str
    total: int


class SearchOut(BaseModel):
    query: str
    total: int = Field(description="Articles matching, copies of a dispatch included")
    page: int
    limit: int
    sort: str
    filters: dict[str, str | list[str]] = Field(description="The filters applied (dates as ISO)")
    hits: list[HitOut]
    copies: dict[str, list[CopyOut]] | None = Field(
        None, description="Other copies of a hit's agency dispatch, by hit id (only hits that have some)"
    )
    facets: dict[str, dict[str, int]] | None = Field(None, description="Counts over every match, per facet asked for")
    suggestion: SuggestionOut | None = Field(None, description="A corrected query when this one found little")
    notices: list[str] | None = Field(None, description="How the query was read (syntax ignored, …)")


class SimilarOut(BaseModel):
    query: str
    total: int
    page: int
    limit: int
    sort: str
    filters: dict[str, str | list[str]]
    hits: list[HitOut]


class ArticleOut(BaseModel):
    id: str
    title: str
    lede: str | None
    body: str | None
    date: str | None
    source: str | None
    author: str | None
    agency: str | None
    place: str | None
    url: str | None
    section: str | None
    path: str | None


class StatsOut(BaseModel):
    articles: int
    first_date: str | None
    last_date: str | None
    sources: dict[str, int]
    size_bytes: int
    path: str | None


class HealthOut(BaseModel):
    status: str
    articles: int


class TrendSeriesOut(BaseModel):
    query: str
    counts: list[int] = Field(description="Matching articles per period, in the order of `periods` (0 when none)")
    rates: list[float] | None = Field(None, description="With `per`: matching articles per `per` articles of the period")
    total: int = Field(description="Every matching article, the undated ones included: a search's total")
    undated: int = Field(description="Matching articles without a date (in no period)")
    notices: list[str] | None = None


class TrendOut(BaseModel):
    by: str = Field(description="year, month or week")
    periods: list[str] = Field(description="Every period from the first to the last, in order: 2023, 2023-07, 2023-W07")
    series: list[TrendSeriesOut] = Field(description="One per query, in the order asked")
    per: int | None = Field(None, description="With `per`: the rates' base (1000: per thousand articles)")
    articles: list[int] | None = Field(None, description="With `per`: every article of each period (any query)")
    filters: dict[str, str | list[str]] = Field(description="The filters applied (dates as ISO)")


class ConcordanceLineOut(BaseModel):
    id: str
    date: str | None
    source: str | None
    left: str = Field(description="Text before the match, as written (plain text, single-spaced)")
    match: str = Field(description="The matched word(s) as written")
    right: str = Field(description="Text after the match")


class ConcordanceOut(BaseModel):
    query: str
    articles: int = Field(description="Articles matching")
    page: int
    limit: int
    sort: str
    width: int
    total: int | None = Field(None, description="Lines in all, when every line was read (sorting by left or right)")
    more: bool = Field(description="Whether a next page has lines")
    filters: dict[str, str | list[str]]
    lines: list[ConcordanceLineOut]
    notices: list[str] | None = None


class AssociatedTermOut(BaseModel):
    term: str = Field(description="As written most often in the matching articles")
    score: float = Field(description="JLH significance")
    matching: int = Field(description="Matching articles holding it")
    archive: int = Field(description="Articles of the archive holding it")


class TermsOut(BaseModel):
    query: str
    matching: int = Field(description="Articles matching (the foreground)")
    archive: int = Field(description="Articles in the archive (the background)")
    score: str = Field(description="The significance score: jlh")
    filters: dict[str, str | list[str]]
    terms: list[AssociatedTermOut]
    notices: list[str] | None = None


class ErrorOut(BaseModel):
    error: str = Field(description="What went wrong, in one sentence")
    hint: str | None = Field(None, description="What to do about it")


#: The error responses every route may give, for the OpenAPI document.
ERRORS = {
    400: {"model": ErrorOut, "description": "A parameter that cannot be used (a bad date, an empty query…)"},
    503: {"model": ErrorOut, "description": "The search ran too long, or the index cannot be read"},
}
NOT_FOUND = {404: {"model": ErrorOut, "description": "No article with this id"}}

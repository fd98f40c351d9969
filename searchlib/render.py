"""Results → text for people and programs: HTML, terminal colours, plain dicts. No I/O here."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import quote
from typing import Any

import click

from .models import (
    Article, AssociatedTerms, Concordance, CopyOf, ExportRow, Failure, FailureGroup, Hit, IndexReport, IndexStats,
    SearchFilters, SearchResults, Snippet, Trend, group_failures,
)  # fmt: skip


def snippet_html(snippet: Snippet) -> str:
    """The snippet with matched words in ``<mark>`` and everything else HTML-escaped."""
    return marked_html(snippet.text, snippet.highlights, quote=False)


def title_html(hit: Hit) -> str:
    """The hit's title with matched words in ``<mark>`` and everything else HTML-escaped, quotes
    too (a title often ends up in an attribute as well)."""
    return marked_html(hit.title, hit.title_highlights, quote=True)


def marked_html(text: str, highlights: tuple[tuple[int, int], ...], *, quote: bool) -> str:
    escape = lambda part: html.escape(part, quote=quote)  # noqa: E731
    return "".join(f"<mark>{escape(part)}</mark>" if hit else escape(part) for part, hit in _parts(text, highlights))


def snippet_ansi(snippet: Snippet) -> str:
    """The snippet with matched words in bold yellow for a terminal."""
    return "".join(click.style(part, bold=True, fg="yellow") if hit else part for part, hit in _parts(snippet.text, snippet.highlights))


def title_ansi(hit: Hit) -> str:
    """The hit's title in bold, its matched words in bold yellow, for a terminal."""
    parts = _parts(hit.title, hit.title_highlights)
    return "".join(click.style(part, bold=True, fg="yellow" if hit else None) for part, hit in parts)


def _parts(text: str, highlights: tuple[tuple[int, int], ...]) -> list[tuple[str, bool]]:
    """``text`` cut at ``highlights``: (part, whether it is a matched word), empty parts left out."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in highlights:
        parts += [(text[position:start], False), (text[start:end], True)]
        position = end
    parts.append((text[position:], False))
    return [(part, hit) for part, hit in parts if part]


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "title_html": title_html(hit),
        "date": _iso(hit.date),
        "source": hit.source,
        "author": hit.author,
        "url": hit.url,
        "score": round(hit.score, 4),
        "snippet": snippet_html(hit.snippet),
    }


def results_dict(results: SearchResults) -> dict[str, Any]:
    data: dict[str, Any] = {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "limit": results.limit,
        "sort": results.sort,
        "filters": filters_dict(results.filters),
        "hits": [hit_dict(hit) for hit in results.hits],
    }
    copies = {hit.id: [copy_dict(copy) for copy in hit.copies] for hit in results.hits if hit.copies}
    if copies:
        # Beside the hits, not in them: a hit keeps the shape scripts already rely on.
        data["copies"] = copies
    if results.facets:
        data["facets"] = results.facets
    if results.suggestion:
        data["suggestion"] = {"query": results.suggestion, "total": results.suggestion_total}
    if results.notices:
        data["notices"] = results.notices
    return data


def copy_dict(copy: CopyOf) -> dict[str, Any]:
    return {"id": copy.id, "source": copy.source, "date": _iso(copy.date)}


def copies_line(hit: Hit) -> str | None:
    """"+2 other copies: Le Monde, Libération" — or None for a hit with no copies."""
    if not hit.copies:
        return None
    sources = ", ".join(dict.fromkeys(copy.source or copy.id for copy in hit.copies))
    return f"+{len(hit.copies)} other {'copy' if len(hit.copies) == 1 else 'copies'}: {sources}"


def filters_dict(filters: SearchFilters) -> dict[str, Any]:
    """The filters applied, and only those: ``{"from": "2023-01-01", "source": ["AFP"]}``."""
    data: dict[str, Any] = {"from": _iso(filters.date_from), "to": _iso(filters.date_to)}
    data.update(source=list(filters.sources), author=list(filters.authors), section=list(filters.sections))
    if filters.added_since is not None:
        data["new_since"] = filters.added_since.isoformat()
    return {key: value for key, value in data.items() if value}


def trend_dict(trend: Trend) -> dict[str, Any]:
    """``{"by": "month", "periods": [...], "series": [{"query", "counts": [...], "total", …}]}``:
    counts (or rates, with ``per``) in the order of ``periods``."""
    series = []
    for one in trend.series:
        item: dict[str, Any] = {"query": one.query, "total": one.total, "undated": one.undated}
        item["counts"] = [one.counts.get(period, 0) for period in trend.periods]
        if trend.per is not None:
            item["rates"] = [round(trend.value(one, period), 4) for period in trend.periods]
        if one.notices:
            item["notices"] = one.notices
        series.append(item)
    data: dict[str, Any] = {"by": trend.by, "periods": trend.periods, "series": series}
    if trend.per is not None:
        data["per"] = trend.per
        data["articles"] = [trend.articles.get(period, 0) for period in trend.periods]
    data["filters"] = filters_dict(trend.filters)
    return data


def concordance_dict(concordance: Concordance) -> dict[str, Any]:
    data: dict[str, Any] = {
        "query": concordance.query,
        "articles": concordance.articles,
        "page": concordance.page,
        "limit": concordance.limit,
        "sort": concordance.sort,
        "width": concordance.width,
        "more": concordance.more,
        "lines": [
            {"id": line.id, "date": _iso(line.date), "source": line.source, "left": line.left, "match": line.match, "right": line.right}
            for line in concordance.lines
        ],
        "filters": filters_dict(concordance.filters),
    }
    if concordance.total is not None:
        data["total"] = concordance.total
    if concordance.notices:
        data["notices"] = concordance.notices
    return data


def terms_dict(terms: AssociatedTerms) -> dict[str, Any]:
    data: dict[str, Any] = {
        "query": terms.query,
        "matching": terms.matching,
        "archive": terms.archive,
        "score": "jlh",
        "terms": [
            {"term": term.term, "score": round(term.score, 4), "matching": term.matching, "archive": term.archive}
            for term in terms.terms
        ],
        "filters": filters_dict(terms.filters),
    }
    if terms.notices:
        data["notices"] = terms.notices
    return data


def export_row_dict(row: ExportRow) -> dict[str, Any]:
    """One exported article: the columns of :data:`searchlib.tables.EXPORT_COLUMNS`."""
    return {
        "id": row.id,
        "title": row.title,
        "date": _iso(row.date),
        "source": row.source,
        "author": row.author,
        "section": row.section,
        "url": row.url,
        "score": round(row.score, 4),
        "snippet": row.snippet,
    }


def article_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "lede": article.lede,
        "body": article.body,
        "date": _iso(article.date),
        "source": article.source,
        "author": article.author,
        "agency": article.agency,
        "place": article.place,
        "url": article.url,
        "section": article.section,
        "path": article.path,
    }


def failure_dict(failure: Failure) -> dict[str, Any]:
    data: dict[str, Any] = {"path": failure.path, "line": failure.line, "reason": failure.reason}
    offset = getattr(failure, "offset", None)
    if offset is not None:
        data["offset"] = offset
    data["indexed"] = failure.warning
    data["skipped"] = failure.skipped
    return data


#: Lines of problems an indexing run prints before it sends people to ``--errors FILE``.
PROBLEM_LINES = 20


def report_problems(report: IndexReport, errors_file: str | None = None) -> list[str]:
    """One line per file and reason for what went wrong in an indexing run (not one per record)."""
    lines = [
        f"{kind}: {_group_text(group)}"
        for kind, failures in (("skipped", report.skipped), ("warning", report.warnings), ("failed", report.failed))
        for group in group_failures(failures)
    ]
    if len(lines) <= PROBLEM_LINES:
        return lines
    where = f"in {errors_file}" if errors_file else "with --errors FILE"
    return [*lines[:PROBLEM_LINES], f"… and {_count(len(lines) - PROBLEM_LINES)} more lines like these: the whole list {where}"]


def _group_text(group: FailureGroup) -> str:
    first = group.first
    if group.count == 1:
        return str(first)
    at = f"line {first.line}" if first.line is not None else f"byte {first.offset}" if first.offset is not None else None
    records = f"{_count(group.count)} records" + ("" if first.warning else " skipped")
    if not group.same_reason:
        return f"{first.path}: {records}, the first{f' at {at}' if at else ''}: {first.reason}"
    return f"{first.path}: {records}: {first.reason}" + (f" (first at {at})" if at else "")


def report_text(report: IndexReport) -> str:
    """The closing line of an indexing run: what changed, in how long, how fast."""
    counts = [
        f"{_count(report.added)} added", f"{_count(report.updated)} updated", f"{_count(report.unchanged)} unchanged",
        f"{_count(report.removed)} removed", f"{_count(len(report.failed))} failed",
    ]  # fmt: skip
    if report.skipped:
        files = len(report.skipped)
        counts.append(f"{_count(files)} not article file{'s' if files > 1 else ''} passed over")
    line = ", ".join(counts) + f" in {duration(report.seconds)}"
    if report.read:
        line += f", {_count(round(report.rate))} articles/s"
    return line


def size(count: int) -> str:
    """Bytes for people: ``812 kB``, ``1.4 GB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}" if count < 10 * scale else f"{count / scale:.0f} {unit}"
    return f"{count} B"


def duration(seconds: float) -> str:
    """``0.4 s``, ``39 s``, ``5 min 12 s``, ``1 h 05 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def stats_dict(stats: IndexStats) -> dict[str, Any]:
    return {
        "articles": stats.articles,
        "first_date": _iso(stats.first_date),
        "last_date": _iso(stats.last_date),
        "sources": stats.sources,
        "size_bytes": stats.size_bytes,
        "path": stats.path,
    }


def results_text(results: SearchResults, color: bool) -> str:
    """Ranked hits for a terminal: title, date · source · author, snippet, id."""
    if not results.total:
        return "\n".join(["No articles found.", *_suggestion_lines(results)])
    if not results.hits:
        pages = -(-results.total // results.limit) if results.limit else 0
        lines = [f"No articles on page {results.page}: {_count(results.total)} articles in all, on {pages} page(s)."]
        return "\n".join(lines + _suggestion_lines(results) + facets_text(results.facets))
    shown = f"{results.first}" if results.first == results.last else f"{results.first}–{results.last}"
    lines = [f"Showing {shown} of {_count(results.total)} articles"]
    for rank, hit in enumerate(results.hits, results.first):
        title = title_ansi(hit) if color else hit.title
        meta = " · ".join(x for x in (_iso(hit.date), hit.source, hit.author) if x)
        snippet = snippet_ansi(hit.snippet) if color else hit.snippet.text
        lines += ["", f"{rank}. {title}"]
        if meta:
            lines.append(f"   {meta}")
        lines.append(f"   {snippet}")
        lines.append(f"   id: {hit.id}" + (f"  {readable_url(hit.url)}" if hit.url else ""))
        copies = copies_line(hit)
        if copies:
            lines.append(f"   {copies}")
    lines += _suggestion_lines(results) + facets_text(results.facets)
    return "\n".join(lines)


_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def readable_url(url: str) -> str:
    """``url`` with its percent-encoded letters decoded for people ("%C3%89lection" → "Élection").

    Decoded are the letters beyond ASCII and what a path may hold as it is (letters, digits,
    ``-._~:@!$'()*,;``); an encoded space, slash, ``?``, ``#``, ``&``, ``=``, ``+``, ``%`` or
    control character stays encoded, so the address still opens the same page when copied, and
    bytes that are not UTF-8 stay as they are. JSON keeps the address as stored."""

    def decoded(run: re.Match[str]) -> str:
        try:
            text = bytes.fromhex(run.group().replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return run.group()
        return "".join(char if _shown_as_is(char) else quote(char, safe="") for char in text)

    return _ESCAPES.sub(decoded, url)


def _shown_as_is(char: str) -> bool:
    if ord(char) > 127:
        return char.isprintable() and not char.isspace()
    return char.isalnum() or char in "-._~:@!$'()*,;"


def count(number: int) -> str:
    """1 234: a space between thousands, as French prints them."""
    return f"{number:,}".replace(",", " ")


_count = count


def _suggestion_lines(results: SearchResults) -> list[str]:
    if not results.suggestion:
        return []
    return ["", f"Did you mean: {results.suggestion} ({_count(results.suggestion_total)} articles)"]


#: How many values of a name facet (source, author, section) the terminal shows.
TOP_NAMES = 10
_NAME_FACETS = {"source": "Sources", "section": "Sections", "author": "Authors"}


def facets_text(facets: dict[str, dict[str, int]], width: int = 40) -> list[str]:
    """Lines for a terminal: the most frequent names per facet, then a timeline drawn with bars."""
    lines: list[str] = []
    for name, title in _NAME_FACETS.items():
        if name in facets:
            counts = list(facets[name].items())
            shown = " · ".join(f"{value} ({_count(count)})" for value, count in counts[:TOP_NAMES]) or "none"
            more = f" and {len(counts) - TOP_NAMES} more" if len(counts) > TOP_NAMES else ""
            lines += ["", f"{title}: {shown}{more}"]
    timeline = timeline_counts(facets)
    if timeline:
        lines += ["", *histogram(timeline, width)]
    return lines


def timeline_counts(facets: dict[str, dict[str, int]]) -> dict[str, int]:
    """Per month when the results span at most two years (and months were counted), else per year;
    periods without articles in between are shown empty."""
    months, years = facets.get("month"), facets.get("year")
    if months and (not years or len(_all_periods(list(months), 7)) <= 24):
        return {period: months.get(period, 0) for period in _all_periods(list(months), 7)}
    if years:
        return {period: years.get(period, 0) for period in _all_periods(list(years), 4)}
    return {}


def _all_periods(periods: list[str], width: int) -> list[str]:
    first, last = min(periods), max(periods)
    if width == 4:
        return [str(year) for year in range(int(first), int(last) + 1)]
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def histogram(counts: dict[str, int], width: int = 40) -> list[str]:
    """One line per label: the label, a bar as long as its share of the largest count, the count.

    >>> histogram({"2022": 2, "2023": 4}, width=4)
    ['2022 ██   2', '2023 ████ 4']
    """
    if not counts:
        return []
    most = max(counts.values()) or 1
    label_width = max(len(label) for label in counts)
    lines = []
    for label, count in counts.items():
        bar = "█" * (max(1, round(count / most * width)) if count else 0)
        lines.append(f"{label:<{label_width}} {bar:<{width}} {_count(count)}")
    return lines


def article_text(article: Article) -> str:
    meta = [
        ("Date", _iso(article.date)), ("Source", article.source), ("Author", article.author),
        ("Agency", article.agency), ("Place", article.place), ("Section", article.section),
        ("URL", readable_url(article.url) if article.url else None),
        ("Id", article.id), ("File", article.path),
    ]  # fmt: skip
    lines = [article.title, "=" * min(len(article.title), 80)]
    lines += [f"{name}: {value}" for name, value in meta if value]
    for part in (article.lede, article.body):
        if part:
            lines += ["", part]
    return "\n".join(lines)


def stats_text(stats: IndexStats) -> str:
    span = f"{_iso(stats.first_date)} … {_iso(stats.last_date)}" if stats.first_date else "no dates"
    sources = ", ".join(f"{name} ({count})" for name, count in list(stats.sources.items())[:10]) or "none"
    more = len(stats.sources) - 10
    if more > 0:
        sources += f" and {more} more"
    return "\n".join(
        [
            f"Index:    {stats.path or '(in memory)'}",
            f"Articles: {stats.articles}",
            f"Dates:    {span}",
            f"Sources:  {sources}",
            f"Size:     {stats.size_bytes / 2**20:.1f} MiB",
        ]
    )

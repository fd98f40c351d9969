"""Research results laid out for a terminal: a trend as aligned sparklines over a time axis, a
concordance as lines with the match centred, associated terms as a table.

Pure functions returning lines of text: the CLI chooses the width, whether colours are allowed
and whether the terminal can show block characters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import click

from .models import AssociatedTerms, Concordance, Trend, TrendSeries
from .render import count

#: Eight levels, lowest first: an empty period is the lowest, any match at least the second.
BLOCKS = "▁▂▃▄▅▆▇█"
#: The same eight levels for a terminal that cannot show the blocks (an empty period is blank).
ASCII_LEVELS = " .:-=+*#"
#: One colour per query, in order (six queries at most).
COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")
#: Longest query label before it is cut short.
LABEL_WIDTH = 24
#: Fewest periods per block of a chart, however narrow the terminal.
MIN_BLOCK = 12


def trend_chart(trend: Trend, *, width: int = 80, color: bool = False, plain: bool = False) -> list[str]:
    """The whole chart: a title, one sparkline per query (one character per period, every query
    on the same scale) over a time axis, cut into blocks that fit ``width``, then a legend with
    each query's total and peak period.

    ``color`` draws each query in its own colour (ANSI escapes); ``plain`` uses " .:-=+*#"
    instead of block characters.
    """
    labels = [_label(series.query, plain) for series in trend.series]
    label_width = max((len(label) for label in labels), default=0)
    lines = [_title(trend, plain)]
    if not trend.periods:
        lines.append("nothing to draw: no dated article matches in this period")
    room = max(width - label_width - 2, MIN_BLOCK)
    most = max((trend.value(series, period) for series in trend.series for period in trend.periods), default=0.0)
    for start in range(0, len(trend.periods), room):
        block = trend.periods[start : start + room]
        previous = trend.periods[start - 1] if start else None
        lines.append("")
        for index, (series, label) in enumerate(zip(trend.series, labels)):
            line = sparkline([trend.value(series, period) for period in block], most, plain)
            lines.append(f"{_paint(label.ljust(label_width), index, color)}  {_paint(line, index, color)}")
        lines.append((" " * (label_width + 2) + time_axis(block, trend.by, room, previous)).rstrip())
    lines.append("")
    for index, (series, label) in enumerate(zip(trend.series, labels)):
        lines.append(f"{_paint(label.ljust(label_width), index, color)}  {summary(trend, series)}")
    return lines


def sparkline(values: Sequence[float], most: float, plain: bool = False) -> str:
    """One character per value, its height its share of ``most``: 0 is the lowest level, any
    value above 0 at least the second, ``most`` the highest.

    >>> sparkline([0, 1, 2, 4], 4)
    '▁▃▅█'
    """
    levels = ASCII_LEVELS if plain else BLOCKS
    top = len(levels) - 1
    chars = []
    for value in values:
        level = 0 if value <= 0 or most <= 0 else max(1, round(value / most * top))
        chars.append(levels[min(level, top)])
    return "".join(chars)


def time_axis(periods: Sequence[str], by: str, room: int, previous: str | None = None) -> str:
    """A line to put under a sparkline of ``periods``: each year (for week charts, each month)
    written under the period where it starts, as many as fit with a space between; the block's
    first period is named too when there is room before the next name. ``previous`` is the
    period before the block, if any. Names may run past the block, not past ``room``.

    >>> time_axis(["2022-11", "2022-12", "2023-01", "2023-02"], "month", 10)
    '  2023'
    >>> time_axis(["2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12", "2023-01"], "month", 12)
    '2022   2023'
    """
    keys = [_axis_key(period, by) for period in periods]
    before = _axis_key(previous, by) if previous else None
    starts = [
        i for i, key in enumerate(keys)
        if (key != keys[i - 1] if i else (key != before if previous else _opens_group(periods[0], by)))
    ]  # fmt: skip
    placed: list[int] = []
    for index in starts:
        if (not placed or index > placed[-1] + len(keys[placed[-1]])) and index + len(keys[index]) <= room:
            placed.append(index)
    if keys and (not placed or placed[0] > 0) and len(keys[0]) < (placed[0] if placed else room + 1):
        placed.insert(0, 0)
    axis = [" "] * room
    for index in placed:
        axis[index : index + len(keys[index])] = keys[index]
    return "".join(axis).rstrip()


def _opens_group(period: str, by: str) -> bool:
    """Whether ``period`` is the first of its year (of its month, for a week)."""
    if by == "week" and "-W" in period:
        year, week = period.split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 4).day <= 7
    return by == "year" or period.endswith("-01")


def _axis_key(period: str, by: str) -> str:
    """What the axis names: the year of a month or year, the month ("2023-07") of an ISO week
    (the month of its Thursday, which decides the week's year too)."""
    if by == "week" and "-W" in period:
        year, week = period.split("-W")
        thursday = dt.date.fromisocalendar(int(year), int(week), 4)
        return f"{thursday.year:04d}-{thursday.month:02d}"
    return period[:4]


def summary(trend: Trend, series: TrendSeries) -> str:
    """"1 234 articles, peak 2016-08 (14)" — or "no article matches QUERY"."""
    if not series.total:
        return f"no article matches {series.query}"
    text = f"{count(series.total)} article{'s' if series.total > 1 else ''}"
    peak = max(trend.periods, key=lambda period: trend.value(series, period), default=None)
    if peak is not None and trend.value(series, peak) > 0:
        value = trend.value(series, peak)
        shown = count(int(value)) if trend.per is None else f"{value:.1f} per {count(trend.per)} articles"
        text += f", peak {peak} ({shown})"
    if series.undated:
        text += f", {count(series.undated)} undated"
    return text


def _title(trend: Trend, plain: bool) -> str:
    name = trend.by
    what = f"Matching articles per {name}"
    if trend.per is not None:
        what = f"Matching articles per {count(trend.per)} articles of the {name}"
    span = ""
    if trend.periods:
        dots = ".." if plain else "…"
        span = f", {trend.periods[0]}" + (f" {dots} {trend.periods[-1]}" if len(trend.periods) > 1 else "")
    return what + span


def _label(query: str, plain: bool) -> str:
    label = " ".join(query.split())
    if len(label) <= LABEL_WIDTH:
        return label
    return label[: LABEL_WIDTH - 1] + ("~" if plain else "…")


def _paint(text: str, index: int, color: bool) -> str:
    return click.style(text, fg=COLORS[index % len(COLORS)]) if color else text


# -- concordance -------------------------------------------------------------------------------

#: Widest match column: longer matches push their right context along.
MATCH_WIDTH = 20


def concordance_lines(concordance: Concordance, *, color: bool = False) -> list[str]:
    """``id  date  left  MATCH  right``: the left context right-aligned to the concordance's
    width so that every match starts in the same column, matches in bold yellow with ``color``."""
    lines = concordance.lines
    if not lines:
        return []
    id_width = max(len(line.id) for line in lines)
    match_width = min(max(len(line.match) for line in lines), MATCH_WIDTH)
    width = concordance.width
    shown = []
    for line in lines:
        date = line.date.isoformat() if line.date else ""
        left = line.left.strip()[-width:].rjust(width)
        match = line.match.ljust(match_width)
        if color:
            match = match.replace(line.match, click.style(line.match, bold=True, fg="yellow"), 1)
        shown.append(f"{line.id.ljust(id_width)}  {date:<10}  {left}  {match}  {line.right.strip()}".rstrip())
    return shown


def concordance_footer(concordance: Concordance) -> str:
    """What the page holds and how to see more: "Lines 51–100 of 312, in 45 matching articles;
    the next page: --page 3"."""
    lines = len(concordance.lines)
    first = (concordance.page - 1) * concordance.limit + 1
    shown = f"{first}" if lines == 1 else f"{first}–{first + lines - 1}"
    of = f" of {count(concordance.total)}" if concordance.total is not None else ""
    articles = f"{count(concordance.articles)} matching article{'s' if concordance.articles != 1 else ''}"
    text = f"Lines {shown}{of}, in {articles}"
    if concordance.more:
        text += f"; the next page: --page {concordance.page + 1}"
    return text


# -- associated terms --------------------------------------------------------------------------


def terms_table(terms: AssociatedTerms) -> list[str]:
    """A header line, then one row per term: term, score, matching articles holding it, archive
    articles holding it."""
    head = (
        f"Terms associated with {terms.query}: {count(terms.matching)} matching article"
        f"{'s' if terms.matching != 1 else ''} of {count(terms.archive)}"
    )
    if not terms.terms:
        return [head, "", "no associated term stands out"]
    term_width = max(4, *(len(term.term) for term in terms.terms))
    rows = [f"{'term':<{term_width}}  {'score':>9}  {'matching':>8}  {'archive':>8}"]
    for term in terms.terms:
        rows.append(
            f"{term.term:<{term_width}}  {term.score:>9.3f}  {count(term.matching):>8}  {count(term.archive):>8}"
        )
    return [head, "", *rows]

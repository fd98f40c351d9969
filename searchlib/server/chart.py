"""The page's trend chart: a :class:`~searchlib.models.Trend` drawn as an inline SVG line chart.

Drawn on the server, so the chart needs no JavaScript: one line per query (a colour and a dash
pattern each, so that it reads in grey too), a legend, a value axis and year labels along the
time axis. Each point is a link (``<a href>`` around a ``<circle>``) to that period's results,
named by a ``<title>`` that is also its tooltip. The page puts a table of the same numbers beside
it for screen readers (``templates/trend.html``).

A pure function of its inputs: :func:`trend_svg` returns the markup as a string, every text in it
escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from ..models import Trend, TrendSeries
from . import french

#: One colour per query (Okabe and Ito's palette for colour-blind readers, darkened where needed
#: for 3:1 contrast on white), with a dash pattern each.
COLOURS = ("#0072b2", "#c24e00", "#007a5a", "#b0407f", "#8a6300", "#3a6ea5")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "10 4")

WIDTH = 760
PLOT_HEIGHT = 240
LEFT, RIGHT, BOTTOM = 64, 20, 36
LEGEND_ROW = 22
#: Above the plot: room for the value axis' unit.
UNIT_ROOM = 22
STYLE = (
    "<style>.chart text{font:13px system-ui,sans-serif;fill:#1b1b1b}.chart .tick,.chart .unit{fill:#555}"
    ".chart .grid{stroke:#e4e4e4}.chart .axis{stroke:#555}.chart .empty{font-size:15px}"
    ".chart a:focus-visible circle,.chart a:hover circle{stroke:#1b1b1b;stroke-width:2}</style>"
)
#: Roughly how wide a character of the legend is at its font size, to lay the legend out.
CHAR_WIDTH = 7.2
#: The most year labels along the time axis; more years are labelled every second, fifth… year.
MAX_LABELS = 12


@dataclass(frozen=True)
class _Frame:
    """Where the plot area is, and how values and periods map into it."""

    top: float
    count: int
    most: float

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    def x(self, index: int) -> float:
        inner = WIDTH - LEFT - RIGHT
        return LEFT + inner / 2 if self.count <= 1 else LEFT + inner * index / (self.count - 1)

    def y(self, value: float) -> float:
        return self.bottom - PLOT_HEIGHT * value / self.most if self.most else self.bottom


def trend_svg(trend: Trend, href: Callable[[TrendSeries, str], str], *, label: str = "") -> str:
    """The chart of ``trend`` as an ``<svg>`` element; ``href(series, period)`` is the address a
    point links to. ``label`` names the chart for assistive technology.

    >>> trend_svg(trend, lambda series, period: f"/?q={series.query}&from={period}")  # doctest: +SKIP
    """
    legend, legend_height = _legend(trend)
    top = 12 + legend_height + UNIT_ROOM
    values = [trend.value(series, period) for series in trend.series for period in trend.periods]
    ticks = nice_ticks(max(values, default=0.0))
    frame = _Frame(top=top, count=len(trend.periods), most=ticks[-1])
    height = frame.bottom + BOTTOM
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" '
        f'role="group" aria-label="{escape(label or "Graphique de la tendance")}">',
        STYLE,
        *legend,
        *_value_axis(frame, ticks, trend.per),
        *_time_axis(frame, trend.periods),
    ]
    if not any(values):
        parts.append(_empty_message(frame))
    for number, series in enumerate(trend.series):
        parts += _series(trend, series, number, frame, href)
    parts.append("</svg>")
    return "\n".join(parts)


def nice_ticks(most: float, count: int = 5) -> list[float]:
    """Values for the value axis from 0 to at least ``most``, on round steps (1, 2, 2.5, 5 × 10ⁿ),
    at most ``count`` + 1 of them; ``[0, 1]`` when there is nothing to show."""
    if most <= 0:
        return [0.0, 1.0]
    raw = most / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * factor for factor in (1, 2, 2.5, 5, 10) if power * factor >= raw)
    if most >= 1 and step < 1:  # whole articles: no 0.5 steps for counts of one or two
        step = 1.0
    steps = math.ceil(most / step - 1e-9)
    return [round(step * index, 10) for index in range(steps + 1)]


def _legend(trend: Trend) -> tuple[list[str], float]:
    """The legend (a line sample and the query with its total), laid out in rows; its height."""
    parts: list[str] = []
    x, row = float(LEFT), 0
    for number, series in enumerate(trend.series):
        text = f"{series.query} ({french.articles(series.total)})"
        width = 34 + CHAR_WIDTH * len(text)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = float(LEFT), row + 1
        y = 12 + row * LEGEND_ROW
        parts.append(
            f'<g class="legend-item"><line x1="{x:g}" y1="{y + 5:g}" x2="{x + 26:g}" y2="{y + 5:g}" '
            f'stroke="{COLOURS[number % len(COLOURS)]}" stroke-width="3"{_dash(number)}/>'
            f'<text x="{x + 32:g}" y="{y + 10:g}">{escape(text)}</text></g>'
        )
        x += width + 16
    return parts, (row + 1) * LEGEND_ROW + 8 if parts else 0.0


def _value_axis(frame: _Frame, ticks: list[float], per: int | None) -> list[str]:
    parts = []
    for value in ticks:
        y = frame.y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:g}" x2="{WIDTH - RIGHT}" y2="{y:g}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 8}" y="{y + 4:g}" text-anchor="end">{french.number(value)}</text>')
    unit = f"pour {french.number(per)} articles" if per is not None else "articles"
    parts.append(f'<text class="unit" x="{LEFT - 8}" y="{frame.top - 10:g}">{unit}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{frame.bottom:g}" x2="{WIDTH - RIGHT}" y2="{frame.bottom:g}"/>')
    return parts


def year_labels(periods: list[str]) -> list[tuple[int, str]]:
    """``(index, year)`` for the periods that start a year along the time axis (the first period
    too), thinned to at most :data:`MAX_LABELS` on round years."""
    starts = [(index, period[:4]) for index, period in enumerate(periods) if index == 0 or period[:4] != periods[index - 1][:4]]
    if len(starts) <= MAX_LABELS:
        return starts
    every = next((step for step in (2, 5, 10, 20, 50, 100) if len(starts) / step <= MAX_LABELS), 1000)
    return [(index, year) for index, year in starts if int(year) % every == 0]


def _time_axis(frame: _Frame, periods: list[str]) -> list[str]:
    parts = []
    for index, year in year_labels(periods):
        x = frame.x(index)
        parts.append(f'<line class="axis" x1="{x:g}" y1="{frame.bottom:g}" x2="{x:g}" y2="{frame.bottom + 5:g}"/>')
        parts.append(f'<text class="tick" x="{x:g}" y="{frame.bottom + 20:g}" text-anchor="middle">{year}</text>')
    return parts


def _empty_message(frame: _Frame) -> str:
    return (
        f'<text class="empty" x="{(LEFT + WIDTH - RIGHT) / 2:g}" y="{frame.top + PLOT_HEIGHT / 2:g}" '
        'text-anchor="middle">Aucun article ne correspond à la recherche.</text>'
    )


def _series(trend: Trend, series: TrendSeries, number: int, frame: _Frame, href: Callable[[TrendSeries, str], str]) -> list[str]:
    """One query's line, then its points, each a link with a tooltip."""
    colour = COLOURS[number % len(COLOURS)]
    points = [(frame.x(index), frame.y(trend.value(series, period))) for index, period in enumerate(trend.periods)]
    parts = [f'<g class="series" data-query="{escape(series.query)}">']
    if len(points) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"{_dash(number)}/>')
    radius = 4 if len(points) <= 60 else 2.5
    for (x, y), period in zip(points, trend.periods):
        tip = escape(french.trend_point(trend, series, period))
        parts.append(
            f'<a href="{escape(href(series, period))}" data-period="{escape(period)}">'
            f"<title>{tip}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:g}" fill="{colour}"/></a>'
        )
    parts.append("</g>")
    return parts


def _dash(number: int) -> str:
    dash = DASHES[number % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""

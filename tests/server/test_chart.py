"""The page's SVG trend chart and the Atom writer, as pure functions of hand-made results."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from searchlib.models import Hit, SearchResults, Snippet, Trend, TrendSeries
from searchlib.server import chart, feed, french

SVG = "{http://www.w3.org/2000/svg}"


def _trend(periods: list[str], *counts: list[int], per: int | None = None) -> Trend:
    series = [
        TrendSeries(f"requête {number} <b>&", dict(zip(periods, values)), sum(values)) for number, values in enumerate(counts, 1)
    ]
    return Trend("month", periods, series, {period: 200 for period in periods}, per)


def _points(svg: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f".//{SVG}a")


def test_each_point_is_a_link_with_a_tooltip() -> None:
    periods = ["2022-11", "2022-12", "2023-01", "2023-02"]
    trend = _trend(periods, [3, 0, 5, 1], [0, 0, 2, 0])
    svg = chart.trend_svg(trend, lambda series, period: f"/?q={series.query}&period={period}")
    points = _points(svg)
    assert len(points) == len(periods) * 2
    first = points[0]
    assert first.get("href") == "/?q=requête 1 <b>&&period=2022-11"  # escaped in the markup, whole once parsed
    assert first.find(f"{SVG}title").text == "« requête 1 <b>& », novembre 2022 : 3 articles"  # type: ignore[union-attr]
    assert first.find(f"{SVG}circle") is not None
    lowest = max(float(point.find(f"{SVG}circle").get("cy")) for point in points)  # type: ignore[union-attr]
    assert all(
        float(point.find(f"{SVG}circle").get("cy")) == lowest  # type: ignore[union-attr]
        for point in points
        if point.find(f"{SVG}title").text.endswith(": 0 article")  # type: ignore[union-attr]
    )
    labels = [text.text for text in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "2022" in labels and "2023" in labels  # a label where each year starts
    assert "requête 1 <b>& (9 articles)" in labels and "requête 2 <b>& (2 articles)" in labels  # the legend


def test_rates_per_thousand_in_tooltips_and_axis() -> None:
    trend = _trend(["2023-01", "2023-02"], [1, 3], per=1000)
    svg = chart.trend_svg(trend, lambda series, period: "#")
    titles = [point.find(f"{SVG}title").text for point in _points(svg)]  # type: ignore[union-attr]
    assert titles == ["« requête 1 <b>& », janvier 2023 : 1 article (5 pour 1\xa0000)", "« requête 1 <b>& », février 2023 : 3 articles (15 pour 1\xa0000)"]
    assert "pour 1\xa0000 articles" in svg
    assert "pour 5 articles" in chart.trend_svg(_trend(["2023-01"], [1], per=5), lambda series, period: "#")


def test_an_empty_trend_is_an_empty_chart_with_a_message() -> None:
    svg = chart.trend_svg(_trend([], []), lambda series, period: "#")
    assert not _points(svg)
    assert "Aucun article ne correspond à la recherche." in svg
    ET.fromstring(svg)


@pytest.mark.parametrize(
    ("most", "ticks"),
    [(0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (137, [0, 50, 100, 150]), (0.3, [0, 0.1, 0.2, 0.3])],
)
def test_value_axis_ticks_are_round(most: float, ticks: list[float]) -> None:
    assert chart.nice_ticks(most) == pytest.approx(ticks)


def test_year_labels_are_thinned_on_round_years() -> None:
    months = [f"{year}-{month:02d}" for year in range(2019, 2022) for month in range(1, 13)][4:]
    assert chart.year_labels(months) == [(0, "2019"), (8, "2020"), (20, "2021")]
    years = [str(year) for year in range(1987, 2024)]
    assert [year for _, year in chart.year_labels(years)] == [str(year) for year in range(1990, 2024, 5)]


def test_french_periods() -> None:
    assert [french.period(p) for p in ("2023", "2023-07", "2023-W07")] == ["2023", "juillet 2023", "semaine 7 de 2023"]
    assert [french.number(n) for n in (0, 12, 1234, 2.5)] == ["0", "12", "1\xa0234", "2,5"]


def test_atom_feed_of_hand_made_results() -> None:
    hits = [
        Hit("a/1", "Titre\x0b un", dt.date(2023, 7, 13), "AFP", "Ann", None, 1.0, Snippet("Le texte <b>", ((10, 13),))),
        Hit("b 2", "", None, None, None, None, 0.5, Snippet("Sans date.")),
    ]
    updated = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    document = feed.atom_feed(
        SearchResults("q", 2, hits), title="t", feed_id="urn:x", self_url="http://h/search.atom?q=q",
        page_url="http://h/?q=q", view_url=lambda article_id: "http://h/view/" + article_id, updated=updated,
    )  # fmt: skip
    root = ET.fromstring(document)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert [entry.find(f"{atom}id").text for entry in entries] == ["http://h/view/a/1", "http://h/view/b 2"]  # type: ignore[union-attr]
    assert entries[0].find(f"{atom}title").text == "Titre un"  # type: ignore[union-attr]  # no character XML refuses
    assert entries[0].find(f"{atom}updated").text == "2023-07-13T00:00:00Z"  # type: ignore[union-attr]
    assert entries[1].find(f"{atom}updated").text == "2024-01-02T03:04:05Z"  # type: ignore[union-attr]
    assert entries[1].find(f"{atom}title").text == "b 2" and entries[1].find(f"{atom}author") is None  # type: ignore[union-attr]
    assert entries[0].find(f"{atom}summary").text == "Le texte <b>"  # type: ignore[union-attr]

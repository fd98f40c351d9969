"""Trends: matching articles per period, exactly the totals a search gives."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from searchlib import Archive, Article, BadFilter, EmptyQuery
from searchlib.research.trend import MAX_TREND_QUERIES, period_span
from tests.research.conftest import dated


@pytest.fixture(scope="module")
def months(new_archive: Callable[[], Archive]) -> Archive:
    archive = new_archive()
    archive.add_many(
        [
            dated("a", "2019-01-05", "Les gilets jaunes manifestent à Paris."),
            dated("b", "2019-01-20", "Nouvel acte des gilets jaunes, samedi."),
            dated("c", "2019-03-02", "Les gilets jaunes et la réforme des retraites."),
            dated("d", "2019-03-30", "La réforme des retraites au Parlement."),
            dated("e", "2019-04-02", "La météo de la semaine."),
            dated("f", "2019-04-03", "La météo du week-end."),
        ]
    )
    archive.add(Article(id="undated", body="Les gilets jaunes encore."))
    return archive


def test_counts_per_month_with_empty_months_as_zero(months: Archive) -> None:
    trend = months.trend(["gilets jaunes", "retraites"], by="month")
    assert trend.periods == ["2019-01", "2019-02", "2019-03"]
    jaunes, retraites = trend.series
    assert jaunes.counts == {"2019-01": 2, "2019-02": 0, "2019-03": 1}
    assert retraites.counts == {"2019-01": 0, "2019-02": 0, "2019-03": 2}
    assert (jaunes.total, jaunes.undated) == (4, 1)


@pytest.mark.parametrize("by", ["year", "month", "week"])
def test_each_period_counts_what_a_search_of_that_period_finds(samples: Archive, by: str) -> None:
    trend = samples.trend(["chine", "police", "football"], by=by)
    assert trend.periods == sorted(trend.periods)
    for series in trend.series:
        assert series.total == samples.search(series.query, limit=0).total
        for period in trend.periods[:40]:
            first, last = period_span(period)
            found = samples.search(series.query, limit=0, date_from=first, date_to=last).total
            assert series.counts[period] == found, (series.query, period)


def test_per_thousand_divides_by_the_articles_of_the_period(months: Archive) -> None:
    trend = months.trend(["gilets jaunes"], by="month", per=1000)
    assert trend.articles == {"2019-01": 2, "2019-02": 0, "2019-03": 2}
    series = trend.series[0]
    assert [trend.value(series, p) for p in trend.periods] == [1000.0, 0.0, 500.0]


def test_dates_given_set_the_span(months: Archive) -> None:
    trend = months.trend(["météo"], by="month", date_from="2018-11", date_to="2019-05")
    assert trend.periods == ["2018-11", "2018-12", "2019-01", "2019-02", "2019-03", "2019-04", "2019-05"]
    assert trend.series[0].counts["2019-04"] == 2 and sum(trend.series[0].counts.values()) == 2


def test_weeks_are_iso_weeks_across_the_new_year(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add_many([dated("x", "2024-12-30", "Bilan de l'année."), dated("y", "2024-12-20", "Bilan d'étape.")])
    trend = archive.trend(["bilan"], by="week")
    assert trend.periods == ["2024-W51", "2024-W52", "2025-W01"]
    assert trend.series[0].counts == {"2024-W51": 1, "2024-W52": 0, "2025-W01": 1}
    assert period_span("2025-W01")[0].isoformat() == "2024-12-30"


def test_a_query_with_no_match_is_a_flat_line_with_a_notice(months: Archive) -> None:
    trend = months.trend(["gilets jaunes", "zyxwvutsr"], by="month")
    empty = trend.series[1]
    assert set(empty.counts.values()) == {0} and empty.total == 0
    assert any("zyxwvutsr" in notice for notice in empty.notices)


def test_nothing_matching_at_all_has_no_periods(months: Archive) -> None:
    trend = months.trend(["zyxwvutsr"], by="year")
    assert trend.periods == [] and trend.series[0].total == 0


@pytest.mark.parametrize(
    ("queries", "by", "message"),
    [
        (["a"] * (MAX_TREND_QUERIES + 1), "month", "up to 6 queries"),
        (["chine"], "day", "count by year, month, week"),
        ([], "month", "at least one query"),
    ],
)
def test_what_a_trend_cannot_draw_is_one_clear_error(months: Archive, queries: list[str], by: str, message: str) -> None:
    with pytest.raises(BadFilter, match=message):
        months.trend(queries, by=by)


def test_a_query_of_nothing_to_search_is_refused_as_in_search(months: Archive) -> None:
    with pytest.raises(EmptyQuery):
        months.trend(["-chine"], by="month")


@pytest.mark.parametrize(("date_from", "date_to"), [("9998", "9999"), ("0001", "0002-03")])
def test_the_ends_of_the_calendar_are_periods_like_any(months: Archive, date_from: str, date_to: str) -> None:
    trend = months.trend(["météo"], by="month", date_from=date_from, date_to=date_to)
    assert trend.periods[0].startswith(date_from) and trend.periods[-1].startswith(date_to[:4])
    assert set(trend.series[0].counts.values()) == {0}


def test_a_chart_too_long_to_read_is_refused_with_what_to_do(months: Archive) -> None:
    with pytest.raises(BadFilter, match="more than") as caught:
        months.trend(["météo"], by="week", date_from="1900", date_to="2020")
    assert "--by month" in (caught.value.hint or "")
    assert len(months.trend(["météo"], by="month", date_from="1900", date_to="2020").periods) == 121 * 12


def test_one_query_given_as_a_string_is_one_query(months: Archive) -> None:
    assert [series.query for series in months.trend("gilets jaunes").series] == ["gilets jaunes"]

"""Rendering results (searchlib.render): snippets as HTML, the histogram and the timeline."""

from __future__ import annotations

from searchlib import Archive, Article
from searchlib.render import histogram, snippet_html, timeline_counts


def test_snippet_html_escapes_the_text_but_not_the_marks() -> None:
    archive = Archive.in_memory()
    archive.add(Article(id="a", title="T", body='<script>alert("x")</script> & Pékin'))
    assert snippet_html(archive.search("pekin").hits[0].snippet) == (
        '&lt;script&gt;alert("x")&lt;/script&gt; &amp; <mark>Pékin</mark>'
    )


def test_histogram() -> None:
    assert histogram({"2021": 1, "2022": 0, "2023": 4}, width=8) == [
        "2021 ██       1",
        "2022          0",
        "2023 ████████ 4",
    ]
    assert histogram({}) == []
    assert histogram({"2023": 1234}, width=2) == ["2023 ██ 1 234"]


def test_timeline_is_monthly_over_two_years_at_most_with_empty_periods_shown() -> None:
    short = {"year": {"2023": 3}, "month": {"2023-05": 1, "2023-07": 2}}
    assert timeline_counts(short) == {"2023-05": 1, "2023-06": 0, "2023-07": 2}
    long = {"year": {"2019": 1, "2023": 2}, "month": {"2019-01": 1, "2023-07": 2}}
    assert timeline_counts(long) == {"2019": 1, "2020": 0, "2021": 0, "2022": 0, "2023": 2}
    assert timeline_counts({"source": {"AFP": 1}}) == {}

"""Export: every matching article as a row, in the search's order, streamed; safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest

from searchlib import Archive, Article, BadFilter
from searchlib.tables import EXPORT_COLUMNS, spreadsheet_safe, write_csv, write_jsonl


def test_every_match_in_the_search_order_each_copy_its_own_row(samples: Archive) -> None:
    rows = samples.export("chine")
    listed = list(rows)
    search = samples.search("chine", limit=100, all_copies=True)
    assert rows.total == search.total == len(listed)
    assert [row.id for row in listed] == [hit.id for hit in search.hits]
    assert [row.score for row in listed] == pytest.approx([hit.score for hit in search.hits])
    assert all(row.snippet and "<mark>" not in row.snippet for row in listed)


def test_sorted_by_date_and_limited(samples: Archive) -> None:
    rows = samples.export("police", sort="-date", limit=5)
    dates = [row.date for row in rows]
    assert len(dates) == 5 and rows.truncated and rows.total > 5
    assert [d for d in dates if d] == sorted((d for d in dates if d), reverse=True)


def test_filters_narrow_the_export_as_they_narrow_a_search(samples: Archive) -> None:
    rows = list(samples.export("chine", date_from="2017"))
    assert len(rows) == samples.search("chine", date_from="2017").total
    assert all(row.date and row.date.year >= 2017 for row in rows)


def test_csv_is_spreadsheet_safe_and_jsonl_is_as_written(new_archive: Callable[[], Archive]) -> None:
    archive = new_archive()
    archive.add(Article(id="x1", title="=HYPERLINK(\"http://evil\")", body="+33 est -1 mais @home: la formule.", source="@AFP"))
    out = io.StringIO()
    assert write_csv(archive.export("formule"), out) == 1
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(header) == EXPORT_COLUMNS
    values = dict(zip(header, row))
    assert values["title"] == "'=HYPERLINK(\"http://evil\")" and values["source"] == "'@AFP"
    assert values["snippet"].startswith("'+33")
    lines = io.StringIO()
    write_jsonl(archive.export("formule"), lines)
    data = json.loads(lines.getvalue())
    assert data["title"] == "=HYPERLINK(\"http://evil\")" and list(data) == list(EXPORT_COLUMNS)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_escaped(start: str) -> None:
    assert spreadsheet_safe(start + "1+1") == "'" + start + "1+1"
    assert spreadsheet_safe("Paris " + start) == "Paris " + start


def test_bad_options_are_one_clear_error(samples: Archive) -> None:
    with pytest.raises(BadFilter, match="sort"):
        samples.export("chine", sort="title")
    with pytest.raises(BadFilter, match="limit"):
        samples.export("chine", limit=-1)


def test_an_export_reads_its_own_view_from_any_thread_while_commits_come_in(new_archive: Callable[[], Archive]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import SAMPLES

    archive = new_archive()
    archive.index_paths([SAMPLES])
    expected = [row.id for row in archive.export("france")]
    rows = archive.export("france")
    first = next(rows)
    archive.add(Article(id="later", title="La France, plus tard"))  # a commit: searches move on to it
    assert archive.search("france").total == len(expected) + 1
    with ThreadPoolExecutor(1) as other:
        rest = other.submit(list, rows).result()
    assert [first.id] + [row.id for row in rest] == expected

"""`searchlib trend`, `kwic`, `terms` and `search --format/--new-since` as people and scripts use
them: the chart's alignment and characters, colour only on a terminal, numbers equal to the
library's, files written whole or not at all, and what is new since the last look."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from searchlib import Archive, Article, charts, render
from searchlib.analysis.french import fold, raw_words
from searchlib.cli import main
from tests.conftest import SAMPLES

ANSI = re.compile(r"\x1b\[")
DAY = dt.date(2023, 7, 13)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("research") / "ix"
    with Archive(path) as archive:
        archive.index_paths([SAMPLES])
    return path


@pytest.fixture
def runner() -> CliRunner:
    # The variables that change what the commands print, unset for every invocation.
    return CliRunner(env={"SEARCHLIB_INDEX": None, "NO_COLOR": None, "COLUMNS": None})


def run(runner: CliRunner, index: Path, *args: str | Path, **kwargs: Any) -> Result:
    return runner.invoke(main, [*(str(a) for a in args), "--index", str(index)], **kwargs)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# -- trend -------------------------------------------------------------------------------------


def chart_rows(output: str, label: str) -> list[str]:
    """The chart lines of query ``label`` (its legend line left out), in block order."""
    lines = output.splitlines()
    legend = max(i for i, line in enumerate(lines) if line.startswith(label))
    return [line for line in lines[:legend] if line.startswith(label)]


def test_trend_draws_one_aligned_character_per_period_over_a_time_axis(runner: CliRunner, index: Path) -> None:
    with Archive.open(index) as archive:
        trend = archive.trend(["france", "chine"], by="month")
    result = ok(run(runner, index, "trend", "france", "chine", "--by", "month", env={"COLUMNS": "200"}))
    lines = result.stdout.splitlines()
    [france] = chart_rows(result.stdout, "france")
    [chine] = chart_rows(result.stdout, "chine")
    column = len("france") + 2  # the longest label, then two spaces
    assert france[column:] == charts.sparkline([trend.value(trend.series[0], p) for p in trend.periods], max(
        trend.value(s, p) for s in trend.series for p in trend.periods
    ))
    assert len(france) - column == len(chine) - column == len(trend.periods) == 36
    for line, series in ((france, trend.series[0]), (chine, trend.series[1])):
        for period, char in zip(trend.periods, line[column:]):
            assert (char == "▁") == (series.counts[period] == 0), period
    assert "█" in france  # the busiest period of either query reaches the top
    axis = lines[lines.index(chine) + 1]
    for year in ("2016", "2017", "2018"):
        assert axis[column + trend.periods.index(f"{year}-01") :].startswith(year)
    # The legend: each query's total (the search's) and its peak period.
    peak = max(trend.periods, key=lambda p: trend.series[0].counts[p])
    assert f"france  {trend.series[0].total} articles, peak {peak} ({trend.series[0].counts[peak]})" in lines
    assert result.stderr == ""


def test_a_chart_wider_than_the_terminal_is_cut_into_blocks(runner: CliRunner, index: Path) -> None:
    wide = ok(run(runner, index, "trend", "france", "--by", "week", env={"COLUMNS": "300"})).stdout
    narrow = ok(run(runner, index, "trend", "france", "--by", "week", env={"COLUMNS": "50"})).stdout
    [whole] = chart_rows(wide, "france")
    blocks = chart_rows(narrow, "france")
    assert len(blocks) > 2
    assert all(len(line) <= 50 for line in narrow.splitlines())
    assert "".join(line[len("france  ") :] for line in blocks) == whole[len("france  ") :]
    # Every block has its own axis, starting with the month of its first week when there is room.
    assert all(re.fullmatch(r"( +\d{4}-\d\d)+", line) for line in narrow.splitlines() if line.startswith("   "))


def test_trend_csv_has_a_column_per_query_with_the_library_counts(runner: CliRunner, index: Path) -> None:
    with Archive.open(index) as archive:
        trend = archive.trend(["france", "élection"], by="year")
        per = archive.trend(["france", "élection"], by="year", per=1000)
    rows = csv_rows(ok(run(runner, index, "trend", "france", "élection", "--by", "year", "--csv")).stdout)
    assert rows[0] == ["period", "france", "élection"]
    assert rows[1:] == [[p, *(str(s.counts[p]) for s in trend.series)] for p in trend.periods]
    rates = csv_rows(ok(run(runner, index, "trend", "france", "élection", "--by", "year", "--per", "1000", "--csv")).stdout)
    assert rates[0] == ["period", "france", "élection", "articles"]  # what the rates divide by, last
    assert [[float(v) for v in row[1:-1]] for row in rates[1:]] == [
        [pytest.approx(per.value(s, p), abs=1e-4) for s in per.series] for p in per.periods
    ]
    assert [int(row[-1]) for row in rates[1:]] == [per.articles[p] for p in per.periods]


def test_trend_json_is_the_trend_as_data(runner: CliRunner, index: Path) -> None:
    with Archive.open(index) as archive:
        trend = archive.trend(["chine"], by="year")
    data = json.loads(ok(run(runner, index, "trend", "chine", "--by", "year", "--json")).stdout)
    assert data == json.loads(json.dumps(render.trend_dict(trend)))


def test_a_query_with_no_match_draws_a_flat_line_and_says_so(runner: CliRunner, index: Path) -> None:
    result = ok(run(runner, index, "trend", "france", "zzyzxq"))
    [flat] = chart_rows(result.stdout, "zzyzxq")
    assert set(flat[len("zzyzxq  ") :]) == {"▁"}
    assert "zzyzxq  no article matches zzyzxq" in result.stdout.splitlines()


def test_no_colour_codes_unless_on_a_terminal(runner: CliRunner, index: Path) -> None:
    result = ok(run(runner, index, "trend", "france", "chine", color=True))  # color=True: click strips nothing
    assert not ANSI.search(result.output)


def on_a_terminal(index: Path, *args: str, **env: str) -> str:
    """What `searchlib ARGS` writes to a real terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SEARCHLIB_INDEX")}
    command = [sys.executable, "-m", "searchlib", *args, "--index", str(index)]
    process = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env={**environment, **env})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(leader)
    return output.decode("utf-8")


def test_one_colour_per_query_on_a_terminal_and_none_with_no_color(index: Path) -> None:
    coloured = on_a_terminal(index, "trend", "france", "chine", PYTHONIOENCODING="utf-8")
    assert "\x1b[36mfrance" in coloured and "\x1b[35mchine" in coloured
    assert not ANSI.search(on_a_terminal(index, "trend", "france", "chine", NO_COLOR="1", PYTHONIOENCODING="utf-8"))
    assert not ANSI.search(on_a_terminal(index, "trend", "france", "--no-color", PYTHONIOENCODING="utf-8"))


def test_a_terminal_that_cannot_show_blocks_gets_ascii(index: Path) -> None:
    result = ok(CliRunner(charset="ascii", env={"NO_COLOR": None}).invoke(main, ["trend", "france", "--index", str(index)]))
    [line] = chart_rows(result.stdout, "france")
    assert set(line[len("france  ") :]) <= set(charts.ASCII_LEVELS) and "#" in line


def test_sparkline_levels() -> None:
    assert charts.sparkline([0, 1, 50, 100], 100) == "▁▂▅█"
    assert charts.sparkline([0, 1, 50, 100], 100, plain=True) == " .=#"
    assert charts.sparkline([0, 0], 0) == "▁▁"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["a", "b", "c", "d", "e", "f", "g"], "up to 6 queries"),
        (["france", "--from", "2018", "--to", "2016"], "swap --from and --to"),
        (["NOT france"], "only has words to leave out"),
    ],
)
def test_trend_errors_are_one_line(runner: CliRunner, index: Path, args: list[str], expected: str) -> None:
    assert expected in one_error_line(run(runner, index, "trend", *args))


def test_an_unknown_period_is_a_usage_error(runner: CliRunner, index: Path) -> None:
    result = run(runner, index, "trend", "france", "--by", "day")
    assert result.exit_code == 2 and "'day' is not one of 'year', 'month', 'week'" in result.stderr
    assert "Traceback" not in result.output


def test_trend_needs_a_query_and_one_output(runner: CliRunner, index: Path) -> None:
    assert run(runner, index, "trend").exit_code == 2
    both = run(runner, index, "trend", "france", "--json", "--csv")
    assert both.exit_code == 2 and "--json and --csv" in both.stderr


# -- kwic --------------------------------------------------------------------------------------


def kwic_lines(runner: CliRunner, index: Path, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(run(runner, index, "kwic", *args, "--json")).stdout)["lines"]


def test_kwic_centres_the_match_as_written(runner: CliRunner, index: Path) -> None:
    result = ok(run(runner, index, "kwic", "election", "--width", "30", "--limit", "10"))
    lines, footer = result.stdout.splitlines()[:-2], result.stdout.splitlines()[-1]
    data = kwic_lines(runner, index, "election", "--width", "30", "--limit", "10")
    id_width = max(len(row["id"]) for row in data)
    start = id_width + 2 + 10 + 2 + 30 + 2  # id, date, then the left context right-aligned to the width
    assert len(lines) == len(data) == 10
    for line, row in zip(lines, data):
        assert line.startswith(f"{row['id']}  {row['date']}  ")
        assert line[start:].startswith(row["match"]) and fold(row["match"].lower()).startswith("election")
        left = row["left"].strip()
        assert line[start - 2 - len(left) : start - 2] == left
    assert any(row["match"][0] in "éÉ" for row in data)  # accents as written
    assert footer.startswith("Lines 1–10") and "--page 2" in footer


def test_kwic_csv_columns(runner: CliRunner, index: Path) -> None:
    rows = csv_rows(ok(run(runner, index, "kwic", "chine", "--limit", "3", "--csv")).stdout)
    assert rows[0] == ["id", "date", "source", "left", "match", "right"] and len(rows) == 4
    assert [row[4] for row in rows[1:]] == [line["match"] for line in kwic_lines(runner, index, "chine", "--limit", "3")]


def test_kwic_sort_left_orders_by_the_word_before(runner: CliRunner, index: Path) -> None:
    data = kwic_lines(runner, index, "election", "--sort", "left", "--limit", "60")
    before = [[fold(word.lower()) for word in raw_words(row["left"])][::-1] for row in data]
    assert before == sorted(before) and len({tuple(words[:1]) for words in before}) > 5


def test_kwic_pages_and_no_match(runner: CliRunner, index: Path) -> None:
    first = kwic_lines(runner, index, "france", "--limit", "5")
    second = kwic_lines(runner, index, "france", "--limit", "5", "--page", "2")
    assert first + second == kwic_lines(runner, index, "france", "--limit", "10")
    assert ok(run(runner, index, "kwic", "zzyzxq")).stdout == "No article matches zzyzxq.\n"


# -- terms -------------------------------------------------------------------------------------


def test_terms_table_and_csv(runner: CliRunner, index: Path) -> None:
    with Archive.open(index) as archive:
        found = archive.terms("chine", top=5)
    table = ok(run(runner, index, "terms", "chine", "--top", "5")).stdout.splitlines()
    assert table[0] == f"Terms associated with chine: {found.matching} matching articles of {found.archive}"
    assert table[2].split() == ["term", "score", "matching", "archive"]
    assert [line.split()[0] for line in table[3:]] == [term.term.split()[0] for term in found.terms]
    rows = csv_rows(ok(run(runner, index, "terms", "chine", "--top", "5", "--csv")).stdout)
    assert rows[0] == ["term", "score", "matching", "archive"]
    assert [(r[0], int(r[2]), int(r[3])) for r in rows[1:]] == [(t.term, t.matching, t.archive) for t in found.terms]


# -- search --format ---------------------------------------------------------------------------


def test_export_writes_every_match_not_a_page(runner: CliRunner, index: Path, tmp_path: Path) -> None:
    total = json.loads(ok(run(runner, index, "search", "france", "--json")).stdout)["total"]
    assert total > 10
    result = ok(run(runner, index, "search", "france", "--format", "csv"))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == total and list(rows[0]) == ["id", "title", "date", "source", "author", "section", "url", "score", "snippet"]
    assert result.stderr == f"{total} articles written\n"
    out = tmp_path / "france.jsonl"
    result = ok(run(runner, index, "search", "france", "--format", "jsonl", "--output", out))
    assert (result.stdout, result.stderr) == ("", f"{total} articles written to {out}\n")
    assert len([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]) == total
    first = ok(run(runner, index, "search", "france", "--format", "csv", "--limit", "3"))
    assert len(csv_rows(first.stdout)) == 4 and f"the first 3 articles of {total} matching" in first.stderr


def test_export_csv_is_safe_for_spreadsheets(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with Archive(path) as archive:
        archive.add(Article(id="evil", title='=HYPERLINK("http://x","Pékin")', body="-2+3 Pékin @SUM(A1)", author="+33 1 23"))
    out = tmp_path / "evil.csv"
    ok(run(CliRunner(), path, "search", "pekin", "--format", "csv", "-o", out))
    [row] = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert row["title"] == """'=HYPERLINK("http://x","Pékin")"""
    assert row["author"] == "'+33 1 23"
    assert not row["snippet"].startswith(("=", "+", "-", "@"))
    # JSON Lines are for programs: as written.
    line = json.loads(ok(run(CliRunner(), path, "search", "pekin", "--format", "jsonl")).stdout)
    assert line["title"].startswith("=HYPERLINK")


@pytest.mark.parametrize("where", ["missing-folder/out.csv", "."])
def test_an_unwritable_output_is_one_line_and_no_file(runner: CliRunner, index: Path, tmp_path: Path, where: str) -> None:
    out = tmp_path / where
    line = one_error_line(run(runner, index, "search", "france", "--format", "csv", "--output", out))
    assert str(out) in line and "--output" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_export_that_fails_midway_leaves_the_old_file(
    runner: CliRunner, index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "france.csv"
    out.write_text("yesterday's export\n", encoding="utf-8")

    def disk_full(rows: Any, stream: Any) -> int:
        stream.write("id,title\r\nwiner-1,half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("searchlib.tables.write_csv", disk_full)
    line = one_error_line(run(runner, index, "search", "france", "--format", "csv", "--output", out))
    assert "No space left on device" in line and str(out) in line
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["france.csv"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--json"], "--format and --json"),
        (["--page", "2"], "leave --page out"),
        (["--facets", "year"], "leave --facets out"),
    ],
)
def test_format_conflicts_with_page_options(runner: CliRunner, index: Path, args: list[str], expected: str) -> None:
    result = run(runner, index, "search", "france", "--format", "csv", *args)
    assert result.exit_code == 2 and expected in result.stderr and result.stdout == ""


def test_output_needs_a_format(runner: CliRunner, index: Path, tmp_path: Path) -> None:
    result = run(runner, index, "search", "france", "--output", tmp_path / "x.csv")
    assert result.exit_code == 2 and "--output goes with --format" in result.stderr


# -- search --new-since ------------------------------------------------------------------------


def ids(result: Result) -> list[str]:
    return [hit["id"] for hit in json.loads(ok(result).stdout)["hits"]]


def test_new_since_last_lists_what_was_added_since_the_previous_run(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with Archive(path) as archive:
        archive.add_many([Article(id=f"old-{n}", title=f"Pékin, épisode {n}", body="Pékin.", date=DAY) for n in range(3)])
    first = run(runner, path, "search", "pekin", "--new-since", "last", "--json")
    assert sorted(ids(first)) == ["old-0", "old-1", "old-2"] and "first --new-since last" in first.stderr
    assert ids(run(runner, path, "search", "pekin", "--new-since", "last", "--json")) == []
    nothing = ok(run(runner, path, "search", "pekin", "--new-since", "last"))
    assert nothing.stdout.startswith("No new articles since ")

    with Archive(path) as archive:
        archive.add(Article(id="new", title="Pékin encore", body="Pékin.", date=DAY))
    assert ids(run(runner, path, "search", "pekin", "--new-since", "last", "--json")) == ["new"]
    assert ids(run(runner, path, "search", "pekin", "--new-since", "last", "--json")) == []
    # Per search: another query, or other filters, has its own memory.
    assert len(ids(run(runner, path, "search", "pekin", "--from", "2000", "--new-since", "last", "--json"))) == 4
    assert len(ids(run(runner, path, "search", "épisode", "--new-since", "last", "--json"))) == 3


def test_new_since_last_forgets_nothing_a_short_page_left_out(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with Archive(path) as archive:
        archive.add_many([Article(id=f"a-{n}", title=f"Pékin, épisode {n}", body="Pékin.", date=DAY) for n in range(5)])
    short = run(runner, path, "search", "pekin", "--new-since", "last", "--limit", "2", "--json")
    assert len(ids(short)) == 2 and "not remembered" in short.stderr
    # The three not shown are still new: the whole list comes once it fits, then nothing.
    assert len(ids(run(runner, path, "search", "pekin", "--new-since", "last", "--limit", "5", "--json"))) == 5
    assert ids(run(runner, path, "search", "pekin", "--new-since", "last", "--json")) == []
    paged = run(runner, path, "search", "pekin", "--new-since", "last", "--page", "2")
    assert paged.exit_code == 2 and "leave --page out" in paged.stderr


def test_new_since_a_date(runner: CliRunner, index: Path) -> None:
    total = json.loads(ok(run(runner, index, "search", "chine", "--json")).stdout)["total"]
    assert json.loads(ok(run(runner, index, "search", "chine", "--new-since", "2000", "--json")).stdout)["total"] == total
    assert ids(run(runner, index, "search", "chine", "--new-since", "juillet 2999", "--json")) == []
    assert "hier" in one_error_line(run(runner, index, "search", "chine", "--new-since", "hier"))

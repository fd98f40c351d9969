"""The `searchlib` command: each command parses its options, makes one library call, renders."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click
from click.core import ParameterSource

from . import backends, charts, render, tables
from .archive import BATCH_SIZE, Archive
from .errors import BadFilter, SearchlibError
from .ingest.dates import parse_date_bound
from .models import ExportRow, IndexReport, SearchResults, Trend, TrendSeries
from .research import alerts
from .research.associated import MAX_TOP as TERMS_MAX_TOP
from .research.concordance import KWIC_SORTS, MAX_WIDTH as KWIC_MAX_WIDTH
from .search.facets import FACETS, PERIODS, SORTS
from .search.query import make_filters

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INDEX = "index"
#: Most hits on one page of `searchlib search` (--format writes every match).
MAX_PAGE = 1000
#: What `searchlib search --format` writes.
EXPORT_FORMATS = ("csv", "jsonl")


def _fail_cleanly(command: F) -> F:
    """Library errors become one line on stderr (with what to do next) and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SearchlibError as error:
            message = str(error) + (f"; {error.hint}" if error.hint else "")
            raise click.ClickException(message) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if os.environ.get("SEARCHLIB_DEBUG"):
                raise
            # A bug or a damaged index: one line all the same, and how to learn more.
            raise click.ClickException(
                f"unexpected {type(error).__name__}: {error}; run `searchlib check` on the index, "
                "or set SEARCHLIB_DEBUG=1 to see the traceback"
            ) from None

    return wrapper  # type: ignore[return-value]


class IndexLocation(click.ParamType):
    """An index directory, or an index in an OpenSearch cluster given as a URL (kept as text)."""

    name = "DIR|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Path) or backends.is_cluster(value):
            return value
        return click.Path(file_okay=False, path_type=Path).convert(value, param, ctx)


def index_option(command: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        type=IndexLocation(),
        envvar="SEARCHLIB_INDEX",
        default=DEFAULT_INDEX,
        show_default=True,
        help="Index directory, or an OpenSearch index as http://HOST:9200/NAME (also SEARCHLIB_INDEX).",
    )(command)


def json_option(command: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(command)


def no_color_option(command: F) -> F:
    return click.option("--no-color", is_flag=True, help="No colours even on a terminal (also NO_COLOR).")(command)


_FILTER_OPTIONS = (
    click.option("--from", "date_from", metavar="DATE", help="Only articles from this day, month or year on (2023-07-13, 2023-07, 2023, \"juillet 2023\")."),
    click.option("--to", "date_to", metavar="DATE", help="Only articles up to this day, month or year (a month or year counts whole)."),
    click.option("--source", "sources", multiple=True, metavar="NAME", help="Only articles of this source (repeatable; case and accents ignored)."),
    click.option("--author", "authors", multiple=True, metavar="NAME", help="Only articles by this author (repeatable)."),
    click.option("--section", "sections", multiple=True, metavar="NAME", help="Only articles of this section (repeatable)."),
)
_FILTER_NAMES = ("date_from", "date_to", "sources", "authors", "sections")


def filter_options(command: F) -> F:
    """--from, --to, --source, --author and --section, handed to the command as one ``filters``
    dict of the keyword arguments every Archive reading method takes."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        filters = {name: kwargs.pop(name) for name in _FILTER_NAMES}
        return command(*args, filters=filters, **kwargs)

    for option in reversed(_FILTER_OPTIONS):  # click lists options in the order they are applied, reversed
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def data_options(command: F) -> F:
    """--json and --csv, handed to the command as ``output``: "text", "json" or "csv"."""

    @functools.wraps(command)
    def wrapper(*args: Any, as_json: bool, as_csv: bool, **kwargs: Any) -> Any:
        if as_json and as_csv:
            raise click.UsageError("--json and --csv do not go together: choose one")
        return command(*args, output="json" if as_json else "csv" if as_csv else "text", **kwargs)

    wrapper = click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of text.")(wrapper)
    return json_option(wrapper)  # type: ignore[return-value]


def _use_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _ca_cert(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:  # read where the cluster's client is made (backends/opensearch/connection.py)
        os.environ["SEARCHLIB_OPENSEARCH_CA_CERT"] = str(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searchlib")
@click.option(
    "--ca-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    callback=_ca_cert,
    expose_value=False,
    help="A CA certificate for an OpenSearch cluster reached over TLS (also SEARCHLIB_OPENSEARCH_CA_CERT).",
)
def main() -> None:
    """Search French news archives: accents, case and plurals never get in the way.

    \b
    Example:
        searchlib index samples/
        searchlib search "cyberattaque chinoise"
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--wait", default=5.0, show_default=True, help="Seconds to wait for another writer to finish.")
@click.option("--prune", is_flag=True, help="Remove articles whose file under PATHS is gone or no longer holds them.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Build the index anew beside the old one (from PATHS, or the files it was built from), then swap.",
)
@click.option(
    "--batch",
    "batch_size",
    default=BATCH_SIZE,
    show_default=True,
    type=click.IntRange(1),
    help="Articles per commit: a crash loses at most one batch.",
)
@click.option(
    "--jobs",
    default=os.cpu_count() or 1,
    show_default="all cores",
    type=click.IntRange(1),
    help="Processes that analyse and write articles (1: all in this process).",
)
@click.option(
    "--errors",
    "errors_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every record that could not be indexed, and every file passed over, to this file, as JSON Lines.",
)
@_fail_cleanly
def index(
    paths: tuple[Path, ...],
    index_dir: Path,
    wait: float,
    prune: bool,
    rebuild: bool,
    batch_size: int,
    jobs: int,
    errors_file: Path | None,
) -> None:
    """Index the articles in PATHS (files or directories of them, recursively).

    Files unchanged since the last run are skipped, changed articles are updated in place. Files
    or records that cannot be read are reported, one line per file and reason, and everything else
    is indexed; the exit status is 1 when anything failed. Files with no title or text field
    (judgements, queries) are passed over as not articles. On a terminal a bar shows the bytes
    read, the articles per second and the time left.

    \b
    Example:
        searchlib index samples/ /archives/2023/ --index ~/archive-index
        searchlib index /archives/ --prune --errors failures.jsonl --jobs 4
        searchlib index --rebuild --index ~/archive-index
    """
    if not paths and not rebuild:
        raise click.UsageError("name the files or directories to index (or use --rebuild)")
    with _progress_bar() as progress:
        if rebuild:
            report = Archive.rebuild(
                index_dir, paths, progress=progress, batch_size=batch_size, lock_timeout=wait, jobs=jobs
            )
        else:
            with Archive(index_dir, lock_timeout=wait) as archive:
                report = archive.index_paths(paths, progress=progress, prune=prune, batch_size=batch_size, jobs=jobs)
    _print_report(report, errors_file)
    if errors_file is not None:
        _write_failures(errors_file, report)
    if report.failed:
        sys.exit(1)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int, int], None] | None]:
    """A progress bar on stderr when it is a terminal, in bytes read, with the articles per
    second and the time left; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    started = time.monotonic()
    with click.progressbar(length=1, label="Indexing", file=sys.stderr, show_eta=True, item_show_func=str) as bar:

        def progress(done: int, total: int, articles: int) -> None:
            bar.length = max(total, 1)
            rate = articles / max(time.monotonic() - started, 1e-3)
            bar.update(done - bar.pos, f"{render.size(done)} of {render.size(total)}, {rate:,.0f} articles/s")

        yield progress


def _print_report(report: IndexReport, errors_file: Path | None) -> None:
    for line in render.report_problems(report, str(errors_file) if errors_file else None):
        click.echo(line, err=True)
    click.echo(render.report_text(report))
    if report.batches > 1:
        click.echo(f"committed in {report.batches} batches: a crash would have lost at most the batch in flight")


def _write_failures(path: Path, report: IndexReport) -> None:
    try:
        with path.open("w", encoding="utf-8") as out:
            for failure in [*report.failed, *report.warnings, *report.skipped]:
                out.write(json.dumps(render.failure_dict(failure), ensure_ascii=False) + "\n")
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None


@main.command()
@index_option
@click.option("--to", "target", required=True, type=IndexLocation(), help="The archive to copy into: a directory, or http://HOST:9200/NAME.")
@click.option("--batch", "batch_size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1), help="Articles per commit.")
@_fail_cleanly
def copy(index_dir: Path, target: Path | str, batch_size: int) -> None:
    """Copy every article of the archive (and which files they came from) into another one: an
    embedded index into an OpenSearch cluster, or back. Articles already copied are passed over,
    so a copy that stopped is finished by running the same command again.

    \b
    Example:
        searchlib copy --index index/ --to http://localhost:9200/presse
        searchlib copy --index http://localhost:9200/presse --to backup-index/
    """
    with Archive.open(index_dir) as source, _count_bar("Copying") as progress:
        report = source.copy_to(target, progress, batch_size=batch_size)
    _print_report(report, None)
    click.echo(f"copied into {backends.shown(target)}")
    if report.failed:
        sys.exit(1)


@contextmanager
def _count_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar in articles on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr, show_eta=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield progress


@main.command()
@click.argument("article_ids", nargs=-1)
@index_option
@click.option("--source", help="Remove every article of this source (case and accents ignored).")
@_fail_cleanly
def delete(article_ids: tuple[str, ...], index_dir: Path, source: str | None) -> None:
    """Remove articles from the index by id, or all the articles of a source.

    Indexing their files again brings them back.

    \b
    Example:
        searchlib delete winer-2016_12_16-001
        searchlib delete --source "Le Monde"
    """
    if not article_ids and not source:
        raise click.UsageError("name the article ids to remove, or --source NAME")
    with Archive.open(index_dir) as archive:
        removed = archive.delete(article_ids) if article_ids else []
        if source:
            removed += archive.delete_source(source)
    missing = [article_id for article_id in article_ids if article_id not in removed]
    for article_id in missing:
        click.echo(f"warning: no article with id {article_id!r}", err=True)
    click.echo(f"{len(removed)} removed")
    if missing:
        sys.exit(1)


def _facet_names(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip().lower() for name in (value or "").split(",") if name.strip()))
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise click.BadParameter(f"{unknown[0]!r} is not one of {', '.join(FACETS)}")
    return names


@main.command()
@click.argument("query")
@index_option
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Best first, oldest first (date), newest first (-date), or the most recently indexed first (-added).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results to show.")
@click.option(
    "--limit",
    "-n",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="Hits per page (at most 1000); with --format, the most rows to write (all when left out).",
)
@click.option("--facets", callback=_facet_names, metavar="LIST", help=f"Count all the results by {','.join(FACETS)}.")
@click.option("--all-copies", is_flag=True, help="Show every copy of an agency dispatch, not one per story.")
@click.option(
    "--new-since",
    metavar="DATE|last",
    help="Only articles indexed since DATE (written like --from), or with `last` since this search last ran with --new-since last.",
)
@json_option
@click.option("--format", "export_format", type=click.Choice(EXPORT_FORMATS), help="Write every matching article (not one page) as CSV or JSON Lines.")
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="FILE", help="The file --format writes (stdout when left out); written whole or not at all.")
@no_color_option
@_fail_cleanly
def search(  # noqa: PLR0913 - one option per way to narrow or shape a search
    query: str,
    index_dir: Path,
    filters: dict[str, Any],
    sort: str,
    page: int,
    limit: int,
    facets: tuple[str, ...],
    all_copies: bool,
    new_since: str | None,
    as_json: bool,
    export_format: str | None,
    output: Path | None,
    no_color: bool,
) -> None:
    """Search the index; the best articles first, matched words highlighted.

    QUERY takes words (any accents, any case), "exact phrases", "proximity"~5, AND / OR / NOT
    (or ET / OU / SAUF), +required and -excluded words, (brackets), field:word (title, lede,
    body, author, source, section, date:2023-07, date:[2023-01-01 TO 2023-06-30]), wildcards
    (cyber*) and fuzzy words (cyberataque~). A query of common words only ("la une") is searched
    as written in titles and source names. See the README for more.

    --format csv|jsonl writes every matching article (id, title, date, source, author, section,
    url, score, snippet), safe to open in a spreadsheet. --new-since last lists the articles
    indexed since the previous --new-since last run of the same search (the first run lists all).

    \b
    Example:
        searchlib search "cyberattaque chinoise" --limit 5
        searchlib search 'pekin SAUF "mer de Chine"' --from 2023 --source AFP --json
        searchlib search chine --from "juillet 2023" --sort -date --facets source,year
        searchlib search "gilets jaunes" --format csv --output gilets.csv
        searchlib search retraites --new-since last
    """
    _check_export_options(export_format, output, as_json, facets, limit)
    if new_since and new_since.strip().lower() == "last" and _given("page"):
        raise click.UsageError("--new-since last lists every new article on one page: leave --page out (raise --limit)")
    with Archive.open(index_dir) as archive, _new_since(archive, index_dir, query, filters, new_since) as since:
        if export_format:
            rows = limit if _given("limit") else None
            since.complete = _export(
                archive, query, export_format, output, sort=sort, limit=rows, added_since=since.time, **filters
            )
            return
        # The terminal draws a per-month timeline when the results span two years or less.
        counted = facets + ("month",) if "year" in facets and "month" not in facets and not as_json else facets
        options: dict[str, Any] = dict(sort=sort, facets=counted, all_copies=all_copies, added_since=since.time)
        results = archive.search(query, limit=limit, page=page, **options, **filters)
        _print_results(results, as_json, _use_color(no_color), since.time)
        shown = sum(1 + len(hit.copies) for hit in results.hits)  # copies of a dispatch are shown with it
        since.complete = shown >= results.total
        if since.remembering and not since.complete:
            click.echo(
                f"note: {results.total} new articles, {shown} shown: this run is not remembered, so the "
                f"next --new-since last lists them again; show them all with --limit {results.total}",
                err=True,
            )


def _print_results(results: SearchResults, as_json: bool, color: bool, added_since: dt.datetime | None) -> None:
    if as_json:
        _print_json(render.results_dict(results))
        return
    for notice in results.notices:
        click.echo(f"note: {notice}", err=True)
    if added_since is not None and not results.total:
        click.echo(f"No new articles since {added_since.astimezone():%Y-%m-%d %H:%M}.")
        return
    click.echo(render.results_text(results, color=color))


def _given(name: str) -> bool:
    """Whether the option ``name`` was given, not left at its default."""
    return click.get_current_context().get_parameter_source(name) is not ParameterSource.DEFAULT


def _check_export_options(
    export_format: str | None, output: Path | None, as_json: bool, facets: tuple[str, ...], limit: int
) -> None:
    if output is not None and not export_format:
        raise click.UsageError("--output goes with --format csv or --format jsonl")
    if not export_format:
        if limit > MAX_PAGE:
            raise click.BadParameter(f"{limit} is more than {MAX_PAGE} hits per page (--format writes more)", param_hint="'--limit'")
        return
    if as_json:
        raise click.UsageError("--format and --json do not go together: --format jsonl writes every match as JSON")
    if _given("page"):
        raise click.UsageError("--format writes every matching article, not a page: leave --page out (--limit N keeps the first N)")
    if facets:
        raise click.UsageError("--format writes articles, not counts: leave --facets out")


@dataclass
class _Since:
    """What ``--new-since`` keeps: the articles added from ``time`` on (None: every article).
    With ``last``, the time is remembered for next time only when the run showed every new
    article (``complete``)."""

    time: dt.datetime | None = None
    remembering: bool = False
    complete: bool = False


@contextmanager
def _new_since(
    archive: Archive, index_dir: Path, query: str, filters: dict[str, Any], value: str | None
) -> Iterator[_Since]:
    if value is None:
        yield _Since()
        return
    if value.strip().lower() != "last":
        yield _Since(_new_since_date(value))
        return
    seen = alerts.LastSeen(alerts.state_file(index_dir))
    key = alerts.search_key(query, make_filters(**filters))
    found = _Since(seen.since(key), remembering=True)
    if found.time is None:
        click.echo("note: the first --new-since last run of this search lists every match; the next lists what is new", err=True)
    newest = archive.newest_added()  # read before searching: an article added meanwhile shows next time too
    if newest is None and len(archive):
        click.echo("note: this index does not record when articles were added: rebuild it with `searchlib index --rebuild`", err=True)
    yield found
    if found.complete:
        seen.remember(key, newest)


def _new_since_date(value: str) -> dt.datetime:
    """``--new-since DATE``: the start of that day, month or year, in local time ("2024-06",
    "juin 2024"), or an ISO date and time ("2024-06-01T08:00")."""
    try:
        day = parse_date_bound(value, end=False)
    except ValueError as error:
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            hint = "write a day, a month, a year or `last`: 2024-06-01, 2024-06, « juin 2024 », last"
            raise BadFilter("new-since", value, str(error), hint) from None
        return moment if moment.tzinfo else moment.astimezone()
    return dt.datetime.combine(day, dt.time()).astimezone()


def _export(archive: Archive, query: str, export_format: str, output: Path | None, **options: Any) -> bool:
    """Every matching article as rows, streamed to ``output`` (stdout when None or "-"); whether
    every one was written (not cut by a limit)."""
    rows = archive.export(query, **options)
    for notice in rows.notices:
        click.echo(f"note: {notice}", err=True)
    write = tables.write_csv if export_format == "csv" else tables.write_jsonl
    if output is None or str(output) == "-":
        count, where = _to_stdout(write, rows), ""
    else:
        with written_whole(output) as out:
            count = write(rows, out)
        where = f" to {output}"
    what = f"{render.count(count)} article{'s' if count != 1 else ''}"
    if rows.truncated:
        what = f"the first {what} of {render.count(rows.total)} matching (--limit)"
    click.echo(f"{what} written{where}", err=True)
    return not rows.truncated


def _to_stdout(write: Callable[[Iterable[ExportRow], TextIO], int], rows: Iterable[ExportRow]) -> int:
    try:
        count = write(rows, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped (`| head`): no error, and nothing more for Python to flush at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        sys.exit(0)
    return count


@contextmanager
def written_whole(path: Path) -> Iterator[TextIO]:
    """A text file that appears at ``path`` only once written whole: it is written beside it
    under a temporary name and renamed at the end, and removed when anything fails, so a
    failed export never leaves a short file that looks complete."""
    if path.is_dir():
        raise _cannot_write(path, "it is a folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise _cannot_write(path, "the file is read-only")
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise _cannot_write(path, error.strerror or str(error)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(name, 0o666 & ~_umask())
        os.replace(name, path)
    except OSError as error:
        Path(name).unlink(missing_ok=True)
        if error.filename not in (None, name, str(path)):
            raise  # reading another file (the index) failed, not writing this one
        raise _cannot_write(path, error.strerror or str(error)) from None
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _cannot_write(path: Path, reason: str) -> click.ClickException:
    return click.ClickException(
        f"cannot write {path}: {reason}; give --output a file in a folder you can write to, or leave --output out to write to stdout"
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- research: trend, kwic, terms --------------------------------------------------------------


@main.command()
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@index_option
@click.option("--by", type=click.Choice(PERIODS), default="month", show_default=True, help="Count per year, month or ISO week.")
@filter_options
@click.option(
    "--per",
    type=click.IntRange(1),
    metavar="N",
    help="Matching articles per N articles of the period (--per 1000): a growing archive does not fake a rise.",
)
@data_options
@no_color_option
@_fail_cleanly
def trend(  # noqa: PLR0913 - the queries, their period and filters, the output
    queries: tuple[str, ...],
    index_dir: Path,
    by: str,
    filters: dict[str, Any],
    per: int | None,
    output: str,
    no_color: bool,
) -> None:
    """How many articles match each QUERY, period by period: one line per query (up to 6), on a
    shared scale over a time axis, with each query's total and busiest period.

    Periods without a match count 0. A query that matches nothing draws a flat line and says so.
    --csv gives the numbers (a period per row, a column per query), --json the whole trend.

    \b
    Example:
        searchlib trend "gilets jaunes" retraites --by month
        searchlib trend chine russie --by year --per 1000 --csv
        searchlib trend cyberattaque --by week --from 2023 --source AFP
    """
    with Archive.open(index_dir) as archive:
        found = archive.trend(list(queries), by, per=per, **filters)
    if output == "json":
        _print_json(render.trend_dict(found))
        return
    for series in found.series:
        for notice in series.notices:
            if notice != charts.summary(found, series):  # the chart's legend says it already
                click.echo(f"note: {notice}", err=True)
    if output == "csv":
        per = found.per is not None  # the rates, and what they divide by
        rows = (
            [period, *(_trend_value(found, series, period) for series in found.series), *([found.articles[period]] if per else [])]
            for period in found.periods
        )
        _print_csv(["period", *queries, *(["articles"] if per else [])], rows)
        return
    width = shutil.get_terminal_size().columns
    chart = charts.trend_chart(found, width=width, color=_use_color(no_color), plain=not _can_draw_blocks())
    click.echo("\n".join(chart))


def _trend_value(trend: Trend, series: TrendSeries, period: str) -> int | float:
    if trend.per is None:
        return series.counts.get(period, 0)
    return round(trend.value(series, period), 4)


def _can_draw_blocks() -> bool:
    """Whether stdout can show the chart's block characters (not in an ASCII or Latin-1 locale)."""
    try:
        (charts.BLOCKS + "…").encode(getattr(sys.stdout, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


@main.command()
@click.argument("query")
@index_option
@filter_options
@click.option("--width", default=60, show_default=True, type=click.IntRange(1, KWIC_MAX_WIDTH), help="Characters of context on each side.")
@click.option("--sort", type=click.Choice(KWIC_SORTS), default="date", show_default=True, help="Oldest first (date), or by the words before (left) or after (right) the match.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of lines to show.")
@click.option("--limit", "-n", default=50, show_default=True, type=click.IntRange(1, 1000), help="Lines per page.")
@data_options
@no_color_option
@_fail_cleanly
def kwic(  # noqa: PLR0913 - the query, its filters, the page
    query: str,
    index_dir: Path,
    filters: dict[str, Any],
    width: int,
    sort: str,
    page: int,
    limit: int,
    output: str,
    no_color: bool,
) -> None:
    """Keyword in context: every occurrence of QUERY's matched words in the matching articles,
    one per line, the match centred with --width characters of the original text on each side
    (accents as written), the article id and date at the start.

    \b
    Example:
        searchlib kwic retraite --width 40 --sort left
        searchlib kwic "gilets jaunes" --from 2018-11 --page 2 --csv
    """
    with Archive.open(index_dir) as archive:
        found = archive.kwic(query, width=width, sort=sort, page=page, limit=limit, **filters)
    if output == "json":
        _print_json(render.concordance_dict(found))
        return
    for notice in found.notices:
        click.echo(f"note: {notice}", err=True)
    if output == "csv":
        rows = ([line.id, _iso(line.date), line.source, line.left, line.match, line.right] for line in found.lines)
        _print_csv(["id", "date", "source", "left", "match", "right"], rows)
        return
    if not found.articles:
        click.echo(f"No article matches {query}.")
    elif not found.lines and page > 1:
        lines = "" if found.total is None else f": {render.count(found.total)} lines in all"
        click.echo(f"No lines on page {page}{lines}, in {render.count(found.articles)} matching articles; start at --page 1.")
    elif not found.lines:  # matched by a field the text does not show (source, author)
        click.echo(f"{render.count(found.articles)} matching articles, but none holds the words in its title or text.")
    else:
        click.echo("\n".join([*charts.concordance_lines(found, color=_use_color(no_color)), "", charts.concordance_footer(found)]))


@main.command()
@click.argument("query")
@index_option
@filter_options
@click.option("--top", default=30, show_default=True, type=click.IntRange(1, TERMS_MAX_TOP), help="Terms to show.")
@data_options
@_fail_cleanly
def terms(query: str, index_dir: Path, filters: dict[str, Any], top: int, output: str) -> None:
    """The words and names unusually frequent in the articles matching QUERY compared with the
    whole archive, as written (accents, capitals), best first.

    The score is JLH, as Elasticsearch's significant_terms: how much more often a term is in the
    matching articles than in the archive, times how much more often in absolute terms. Stop
    words and the query's own words are left out; names that go together ("gilets jaunes") are
    one term. "matching" counts the matching articles holding the term, "archive" every article
    holding it.

    \b
    Example:
        searchlib terms "gilets jaunes" --top 20
        searchlib terms retraites --from 2023 --csv
    """
    with Archive.open(index_dir) as archive:
        found = archive.terms(query, top=top, **filters)
    if output == "json":
        _print_json(render.terms_dict(found))
        return
    for notice in found.notices:
        click.echo(f"note: {notice}", err=True)
    if output == "csv":
        rows = ([term.term, round(term.score, 4), term.matching, term.archive] for term in found.terms)
        _print_csv(["term", "score", "matching", "archive"], rows)
    elif not found.matching:
        click.echo(f"No article matches {query}.")
    else:
        click.echo("\n".join(charts.terms_table(found)))


def _iso(date: dt.date | None) -> str:
    return date.isoformat() if date else ""


def _print_csv(header: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV table on stdout, every text cell made safe to open in a spreadsheet."""
    tables.write_table(header, rows, sys.stdout)


@main.command()
@click.argument("article_id")
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits to show.")
@json_option
@no_color_option
@_fail_cleanly
def similar(article_id: str, index_dir: Path, limit: int, as_json: bool, no_color: bool) -> None:
    """Articles about the same story as ARTICLE_ID (ids are listed by `searchlib search`).

    \b
    Example:
        searchlib similar winer-2016_12_16-001 --limit 5
    """
    with Archive.open(index_dir) as archive:
        results = archive.similar(article_id, limit=limit)
    if as_json:
        _print_json(render.results_dict(results))
    else:
        click.echo(render.results_text(results, color=_use_color(no_color)))


@main.command()
@click.argument("article_id")
@index_option
@json_option
@_fail_cleanly
def show(article_id: str, index_dir: Path, as_json: bool) -> None:
    """Show the stored article ARTICLE_ID (ids are listed by `searchlib search`).

    Its address is printed decoded for people (Élection, not %C3%89lection); --json gives it as
    stored.

    \b
    Example:
        searchlib show winer-2016_12_16-001 --json
    """
    with Archive.open(index_dir) as archive:
        article = archive.get(article_id)
    if as_json:
        _print_json(render.article_dict(article))
    else:
        click.echo(render.article_text(article))


@main.command()
@index_option
@json_option
@_fail_cleanly
def stats(index_dir: Path, as_json: bool) -> None:
    """Count the articles in the index, their date span, sources and size on disk.

    \b
    Example:
        searchlib stats --index ~/archive-index
    """
    with Archive.open(index_dir) as archive:
        figures = archive.stats()
    if as_json:
        _print_json(render.stats_dict(figures))
    else:
        click.echo(render.stats_text(figures))


@main.command()
@index_option
@_fail_cleanly
def check(index_dir: Path) -> None:
    """Verify the index: every segment opens, counts agree, a sample of articles reads back.

    \b
    Example:
        searchlib check --index ~/archive-index
    """
    with Archive.open(index_dir) as archive:
        problems = archive.check()
        count = len(archive)
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise click.ClickException(f"the index at {backends.shown(index_dir)} has {len(problems)} problem(s); rebuild it with searchlib index")
    click.echo(f"ok: {count} articles")


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), help="Server processes (each answers many requests at once).")
@click.option("--time-limit", default=5.0, show_default=True, type=click.FloatRange(0.1), help="Seconds after which a search is stopped with an error.")
@_fail_cleanly
def serve(index_dir: Path, host: str, port: int, workers: int, time_limit: float) -> None:
    """Serve the index over HTTP: a search page at / and a JSON API (/search, /articles/ID,
    /stats, /health; documented at /docs and /openapi.json). Read-only.

    \b
    Example:
        searchlib serve --index ~/archive-index --port 8080
    """
    try:
        import uvicorn

        importlib.import_module("searchlib.server")  # fails here, not in a worker, without the extra
    except ImportError as error:
        raise click.ClickException(
            f"the server needs optional packages ({error.name} is missing); install them with: pip install 'searchlib[server]'"
        ) from None
    Archive.open(index_dir).close()  # no index there: say so now, not in every worker
    os.environ["SEARCHLIB_INDEX"] = str(index_dir if backends.is_cluster(index_dir) else index_dir.resolve())
    os.environ["SEARCHLIB_QUERY_SECONDS"] = str(time_limit)
    click.echo(f"searchlib: serving {backends.shown(index_dir)} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run("searchlib.server:app_from_environment", factory=True, host=host, port=port, workers=workers, log_level="warning")


def run(prog_name: str | None = None) -> None:
    """The ``searchlib`` program: the command, then an exit that skips the interpreter's teardown.

    Freeing every module and object at exit took 30 ms of a 300 ms ``searchlib search`` (13 ms
    for numpy alone) and does nothing a finished command needs: what exits normally still runs
    (the ``atexit`` functions, then the standard streams are flushed). Tests call :func:`main`,
    which returns as any click command does."""
    try:
        main(prog_name=prog_name)
        code: Any = 0
    except SystemExit as done:
        code = done.code
    atexit._run_exitfuncs()  # logging's shutdown, finalizers, worker pools: as sys.exit would
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what Python does with a message as the exit code
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (`| head`) or a closed stream: nothing to add
            pass
    os._exit(code or 0)

"""The `searchlib` command: each command parses its options, makes one library call, renders."""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from . import render
from .archive import BATCH_SIZE, Archive
from .errors import SearchlibError
from .search.facets import FACETS, SORTS
from .models import IndexReport

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INDEX = "index"


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


def index_option(command: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="SEARCHLIB_INDEX",
        default=DEFAULT_INDEX,
        show_default=True,
        help="Index directory (also SEARCHLIB_INDEX).",
    )(command)


def json_option(command: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(command)


def _use_color(no_color: bool) -> bool:
    return not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searchlib")
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
@click.option("--prune", is_flag=True, help="Remove articles whose file is gone or no longer holds them.")
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
@click.option("--from", "date_from", metavar="DATE", help="Only articles from this day, month or year on (2023-07-13, 2023-07, 2023, \"juillet 2023\").")
@click.option("--to", "date_to", metavar="DATE", help="Only articles up to this day, month or year (a month or year counts whole).")
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only articles of this source (repeatable; case and accents ignored).")
@click.option("--author", "authors", multiple=True, metavar="NAME", help="Only articles by this author (repeatable).")
@click.option("--section", "sections", multiple=True, metavar="NAME", help="Only articles of this section (repeatable).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Best first, oldest first (date) or newest first (-date).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results to show.")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits per page.")
@click.option("--facets", callback=_facet_names, metavar="LIST", help=f"Count all the results by {','.join(FACETS)}.")
@click.option("--all-copies", is_flag=True, help="Show every copy of an agency dispatch, not one per story.")
@json_option
@click.option("--no-color", is_flag=True, help="No colours even on a terminal (also NO_COLOR).")
@_fail_cleanly
def search(  # noqa: PLR0913 - one option per filter
    query: str,
    index_dir: Path,
    date_from: str | None,
    date_to: str | None,
    sources: tuple[str, ...],
    authors: tuple[str, ...],
    sections: tuple[str, ...],
    sort: str,
    page: int,
    limit: int,
    facets: tuple[str, ...],
    all_copies: bool,
    as_json: bool,
    no_color: bool,
) -> None:
    """Search the index; the best articles first, matched words highlighted.

    QUERY takes words (any accents, any case), "exact phrases", "proximity"~5, AND / OR / NOT
    (or ET / OU / SAUF), +required and -excluded words, (brackets), field:word (title, lede,
    body, author, source, section, date:2023-07, date:[2023-01-01 TO 2023-06-30]), wildcards
    (cyber*) and fuzzy words (cyberataque~). A query of common words only ("la une") is searched
    as written in titles and source names. See the README for more.

    \b
    Example:
        searchlib search "cyberattaque chinoise" --limit 5
        searchlib search 'pekin SAUF "mer de Chine"' --from 2023 --source AFP --json
        searchlib search chine --from "juillet 2023" --sort -date --facets source,year
    """
    # The terminal draws a per-month timeline when the results span two years or less.
    counted = facets + ("month",) if "year" in facets and "month" not in facets and not as_json else facets
    with Archive.open(index_dir) as archive:
        results = archive.search(
            query,
            limit=limit,
            page=page,
            date_from=date_from,
            date_to=date_to,
            sources=sources,
            authors=authors,
            sections=sections,
            sort=sort,
            facets=counted,
            all_copies=all_copies,
        )
    if as_json:
        _print_json(render.results_dict(results))
        return
    for notice in results.notices:
        click.echo(f"note: {notice}", err=True)
    click.echo(render.results_text(results, color=_use_color(no_color)))


@main.command()
@click.argument("article_id")
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits to show.")
@json_option
@click.option("--no-color", is_flag=True, help="No colours even on a terminal (also NO_COLOR).")
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
        raise click.ClickException(f"the index at {index_dir} has {len(problems)} problem(s); rebuild it with searchlib index")
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
    os.environ["SEARCHLIB_INDEX"] = str(index_dir.resolve())
    os.environ["SEARCHLIB_QUERY_SECONDS"] = str(time_limit)
    click.echo(f"searchlib: serving {index_dir} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run("searchlib.server:app_from_environment", factory=True, host=host, port=port, workers=workers, log_level="warning")

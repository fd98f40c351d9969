"""CSV and TSV files with a header row naming the fields as JSON Lines does (title, date, text…).

Spreadsheet exports of French archives are often Windows-1252 with ``;`` between fields (Excel's
French default), so the encoding goes through decode() and the delimiter is read off the header.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

from ...models import Article, Failure
from .common import NotText, decode
from .jsonl import FIELD_ALIASES, BadRecord, record_article
from .members import WHOLE_FILE_LIMIT, Source, TooLarge, read_whole

# Article bodies are longer than the csv module's default 128 KiB field limit allows.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_DELIMITERS = (",", ";", "\t", "|")
_ALIASES = {name for names in FIELD_ALIASES.values() for name in names}


def read_csv(source: Source) -> Iterator[Article | Failure]:
    yield from _read(source, delimiter=None)


def read_tsv(source: Source) -> Iterator[Article | Failure]:
    yield from _read(source, delimiter="\t")


def _read(source: Source, delimiter: str | None) -> Iterator[Article | Failure]:
    try:
        text = decode(read_whole(source, WHOLE_FILE_LIMIT))
    except (NotText, TooLarge) as error:
        yield Failure(str(source), str(error))
        return
    if not text.strip():
        yield Failure(str(source), "empty file")
        return
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or _delimiter(text))
    try:
        header = [name.strip() for name in next(rows)]
    except csv.Error as error:
        yield Failure(str(source), f"unreadable header row: {error}", line=1)
        return
    # Headers written "Title" or "DATE" still name our fields.
    names = [name if name in _ALIASES else name.lower() for name in header]
    start = rows.line_num + 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield Failure(str(source), f"unreadable row: {error}", line=start)
            return  # the reader cannot find where the next row starts
        line, start = start, rows.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) > len(names):
                raise BadRecord(f"{len(row)} fields but the header names {len(names)}")
            # A short row is a spreadsheet dropping its empty trailing cells.
            yield from record_article(dict(zip(names, row)), source, line, line=line)
        except BadRecord as error:
            yield Failure(str(source), str(error), line=line)


def _delimiter(text: str) -> str:
    """The character that splits the header row most often."""
    first = text.split("\n", 1)[0]
    return max(_DELIMITERS, key=first.count)


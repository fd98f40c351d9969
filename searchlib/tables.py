"""Exported rows written out: CSV and JSON Lines, streamed (one row in memory at a time), and safe
to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written with a leading apostrophe, as OWASP's "CSV Injection" page recommends:
the spreadsheet then shows the text as written instead of running it. Scraped titles and snippets
are text from anyone, so every text cell is checked; numbers and dates are written as they are.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import IO

from .models import ExportRow
from .render import export_row_dict

#: The columns of an export, in order.
EXPORT_COLUMNS = ("id", "title", "date", "source", "author", "section", "url", "score", "snippet")
#: The first characters that make a spreadsheet read a cell as a formula (OWASP; ASVS adds NUL).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it as text: a leading ``'`` before a formula's first character.

    >>> spreadsheet_safe("=HYPERLINK(\\"http://x\\")"), spreadsheet_safe("Pékin")
    ('\\'=HYPERLINK("http://x")', 'Pékin')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: Iterable[ExportRow], out: IO[str], *, header: bool = True) -> int:
    """Writes the :data:`EXPORT_COLUMNS` header (unless ``header`` is false: a stream's later
    parts) and one line per row to ``out``, as :func:`write_table`; returns the number of rows."""
    values = ([export_row_dict(row)[name] for name in EXPORT_COLUMNS] for row in rows)
    return write_table(EXPORT_COLUMNS if header else None, values, out)


def write_table(header: Sequence[str] | None, rows: Iterable[Sequence[object]], out: IO[str]) -> int:
    """Writes ``header`` (when given) and ``rows`` to ``out`` as CSV; returns the number of rows.
    Every cell is quoted (RFC 4180): a spreadsheet that splits on another separator (``;`` in
    French locales) still sees each cell whole, so never a formula in the middle of one; and
    every text cell is made :func:`spreadsheet_safe`."""
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    if header is not None:
        writer.writerow([_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        count += 1
    return count


def write_jsonl(rows: Iterable[ExportRow], out: IO[str], *, header: bool = True) -> int:
    """Writes one JSON object per line to ``out``; returns the number of rows. JSON is read by
    programs, not spreadsheets: its text is written as it is. (No header: ``header`` is there so
    that both writers are called alike.)"""
    count = 0
    for row in rows:
        out.write(json.dumps(export_row_dict(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def _cell(value: object) -> object:
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return "" if value is None else value

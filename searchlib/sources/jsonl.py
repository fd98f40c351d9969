"""JSON Lines: one article object per line, with the field names archives commonly use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..cleaning import clean_paragraphs, normalize_text, split_paragraphs, title_from_text
from ..dates import parse_date
from ..models import Article, Failure
from .common import derived_id

# Our field ← the names it goes by in the wild, first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id"),
    "title": ("title", "titre", "headline"),
    "lede": ("lede", "chapo", "chapô", "summary", "description", "heading", "abstract"),
    "body": ("text", "body", "content", "article"),
    "date": ("date", "published", "published_at", "datePublished", "pubdate"),
    "url": ("url", "link"),
    "source": ("source", "publisher", "journal"),
    "author": ("author", "auteur", "byline"),
    "section": ("section", "category", "categorie", "rubrique"),
}

#: Longest line read as one record; longer lines are reported rather than parsed.
MAX_LINE_BYTES = 32 * 1024 * 1024


class BadRecord(ValueError):
    pass


def read_jsonl(path: Path) -> Iterator[Article | Failure]:
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                record = _load(raw)
                yield from _article(record, path, number)
            except BadRecord as error:
                yield Failure(str(path), str(error), line=number)


def _load(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise BadRecord(f"line longer than {MAX_LINE_BYTES // 2**20} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadRecord(f"not UTF-8 (byte {error.start} of the line)") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRecord(f"invalid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise BadRecord("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise BadRecord(f"expected a JSON object, got {type(record).__name__}")
    return record


def _text_field(record: dict[str, Any], field: str) -> str:
    for name in FIELD_ALIASES[field]:
        value = record.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            return normalize_text(value).strip()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return normalize_text("\n".join(value)).strip()
        if field == "author" and isinstance(value, dict) and isinstance(value.get("name"), str):
            return value["name"].strip()
        raise BadRecord(f"field {name!r} should be text, got {type(value).__name__}")
    return ""


def _article(record: dict[str, Any], path: Path, line: int) -> Iterator[Article | Failure]:
    fields = {field: _text_field(record, field) for field in FIELD_ALIASES}
    cleaned = clean_paragraphs(split_paragraphs(fields["body"]))
    body = "\n\n".join(cleaned.paragraphs)
    if not (fields["title"] or fields["lede"] or body):
        raise BadRecord("no title or text")
    date = None
    if fields["date"]:
        try:
            date = parse_date(fields["date"])
        except ValueError as error:
            yield Failure(str(path), f"{error}; indexed without a date", line=line, warning=True)
    yield Article(
        id=fields["id"] or fields["url"] or derived_id(path, line),
        title=fields["title"] or title_from_text(fields["lede"] or body),
        lede=fields["lede"],
        body=body,
        date=date,
        source=fields["source"] or None,
        author=fields["author"] or cleaned.author,
        agency=cleaned.agency,
        url=fields["url"] or None,
        section=fields["section"] or None,
        path=str(path),
    )

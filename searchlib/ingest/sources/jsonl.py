"""JSON Lines (one article object per line) and JSON files (an array of them, or one object).

Both use the field names archives commonly use (:data:`FIELD_ALIASES`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..cleaning import clean_paragraphs, normalize_text, split_paragraphs, title_from_text
from ...models import Article, Failure
from .common import NotText, decode, derived_id
from .members import WHOLE_FILE_LIMIT, Source, TooLarge, open_source, read_whole

# Our field ← the names it goes by in the wild, first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id"),
    "title": ("title", "titre", "headline"),
    "lede": ("lede", "chapo", "chapô", "summary", "description", "heading", "abstract"),
    "body": ("text", "body", "content", "article", "texte"),
    "date": ("date", "published", "published_at", "datePublished", "pubdate"),
    "url": ("url", "link"),
    "source": ("source", "publisher", "journal"),
    "author": ("author", "auteur", "byline"),
    "section": ("section", "category", "categorie", "rubrique"),
}

#: Why a record with no field of :data:`FIELD_ALIASES`' title, lede or body is not an article: a
#: file none of whose records has one is not an article file (see ingest.indexing).
NO_TEXT_FIELD = "no field that could be a title or text"
_TEXT_NAMES = frozenset(FIELD_ALIASES["title"] + FIELD_ALIASES["lede"] + FIELD_ALIASES["body"])

#: Longest line read as one record; longer lines are reported rather than parsed.
MAX_LINE_BYTES = 32 * 1024 * 1024


class BadRecord(ValueError):
    pass


def read_jsonl(path: Source) -> Iterator[Article | Failure]:
    empty = True
    with open_source(path) as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            empty = False
            try:
                record = _load(raw)
                yield from record_article(record, path, number, line=number)
            except BadRecord as error:
                yield Failure(str(path), str(error), line=number)
    if empty:
        yield Failure(str(path), "empty file")


def read_json(path: Source) -> Iterator[Article | Failure]:
    """A JSON file holding an array of article objects, or a single one.

    Elements are parsed one by one so a bad element is reported by its byte offset and position
    while the others are indexed; after invalid JSON the rest cannot be delimited and is reported.
    """
    try:
        data = read_whole(path, WHOLE_FILE_LIMIT)
    except TooLarge as error:
        yield Failure(str(path), str(error))
        return
    try:
        text, utf8 = data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        try:
            # decode() falls back to single-byte encodings, where characters are bytes.
            text, utf8 = decode(data), False
        except NotText as error:
            yield Failure(str(path), str(error))
            return
    offsets = _ByteOffsets(text, utf8, bom=3 if data.startswith(b"\xef\xbb\xbf") else 0)
    position = _skip_space(text, 0)
    if text.startswith("{", position):
        yield from _elements(text, position, path, offsets, single=True)
    elif text.startswith("[", position):
        yield from _elements(text, _skip_space(text, position + 1), path, offsets, single=False)
    elif position == len(text):
        yield Failure(str(path), "empty file")
    else:
        yield Failure(str(path), "expected a JSON array of article objects or one object", offset=offsets(position))


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()  # type: ignore[union-attr]


class _ByteOffsets:
    """Byte offsets of increasing character positions, without re-encoding the text each time."""

    def __init__(self, text: str, utf8: bool, bom: int) -> None:
        self.text, self.utf8 = text, utf8
        self.position, self.offset = 0, bom

    def __call__(self, position: int) -> int:
        if position > self.position:
            step = self.text[self.position : position]
            self.offset += len(step.encode("utf-8", "surrogatepass")) if self.utf8 else len(step)
            self.position = position
        return self.offset


def _elements(
    text: str, position: int, path: Source, offsets: _ByteOffsets, *, single: bool
) -> Iterator[Article | Failure]:
    decoder = json.JSONDecoder()
    number = 0
    while single or not text.startswith("]", position):
        number += 1
        where = "" if single else f"element {number}: "
        start = position
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            reason = f"{where}invalid JSON: {error.msg}" + ("" if single else "; the rest of the array was not read")
            yield Failure(str(path), reason, offset=offsets(error.pos))
            return
        except RecursionError:
            yield Failure(str(path), f"{where}invalid JSON: nested too deeply", offset=offsets(start))
            return
        try:
            if not isinstance(value, dict):
                raise BadRecord(f"expected a JSON object, got {type(value).__name__}")
            yield from record_article(value, path, number, offset=offsets(start))
        except BadRecord as error:
            yield Failure(str(path), f"{where}{error}", offset=offsets(start))
        position = _skip_space(text, position)
        if single:
            break
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif not text.startswith("]", position):
            expected = "',' or ']'" if position < len(text) else "']' (the file is cut short)"
            yield Failure(str(path), f"expected {expected} after element {number}", offset=offsets(position))
            return
    if not single:
        position = _skip_space(text, position + 1)
    if position < len(text):
        yield Failure(str(path), "unexpected data after the JSON value", offset=offsets(position))


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


def _names(record: dict[str, Any], shown: int = 6) -> str:
    names = [str(name) for name in record][: shown + 1]
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "") if names else "none"


def record_article(
    record: dict[str, Any], path: Source, number: int, *, line: int | None = None, offset: int | None = None
) -> Iterator[Article | Failure]:
    """The article of one record named with :data:`FIELD_ALIASES` (JSON, CSV, feed items).

    ``number`` (the record's line, row or position) tells records of one file apart in derived
    ids; ``line`` or ``offset`` say where a warning points. Raises BadRecord for an unusable record.
    """
    fields = {field: _text_field(record, field) for field in FIELD_ALIASES}
    cleaned = clean_paragraphs(split_paragraphs(fields["body"]), lede=fields["lede"])
    body = "\n\n".join(cleaned.paragraphs)
    if not (fields["title"] or fields["lede"] or body):
        if _TEXT_NAMES.isdisjoint(record):
            raise BadRecord(f"no title or text: {NO_TEXT_FIELD} (it has {_names(record)})")
        raise BadRecord("no title or text")
    date, unreadable = cleaned.dated(fields["date"])
    if unreadable:
        yield Failure(str(path), unreadable, line=line, offset=offset, warning=True)
    yield Article(
        id=fields["id"] or fields["url"] or derived_id(path, number),  # type: ignore[arg-type]
        title=fields["title"] or title_from_text(fields["lede"] or body),
        lede=fields["lede"],
        body=body,
        date=date,
        source=fields["source"] or None,
        author=fields["author"] or cleaned.author,
        agency=cleaned.agency,
        place=cleaned.place,
        url=fields["url"] or None,
        section=fields["section"] or None,
        path=str(path),
    )

"""Plain-text article files: one article per file, as scraped pages come.

An optional header block of ``Key: value`` lines ending with a blank line (Title/Titre, Date,
Source, URL, Author/Auteur, Section/Rubrique, Id) overrides what is inferred from the text.
Without a title, the first paragraph is the lede and its first sentence becomes the title.
Without a date, the first French date written in the opening paragraphs ("jeudi 13 juillet 2023")
is the article's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..cleaning import clean_paragraphs, looks_like_title, normalize_text, split_paragraphs, title_from_text
from ...models import Article, Failure
from .common import NotText, decode, derived_id
from .members import ARTICLE_FILE_LIMIT, TooLarge, read_whole

_HEADER_KEYS = {
    "title": "title", "titre": "title", "date": "date", "source": "source", "url": "url",
    "author": "author", "auteur": "author", "section": "section", "rubrique": "section",
    "id": "id", "lede": "lede", "chapo": "lede", "chapô": "lede",
}  # fmt: skip
_HEADER_LINE = re.compile(r"^\s*([A-Za-zô]+)\s*:\s*(.*?)\s*$")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The ``Key: value`` header block at the top of ``text`` (if any) and the rest."""
    lines = text.split("\n")
    header: dict[str, str] = {}
    for number, line in enumerate(lines):
        if not line.strip():
            if header:
                return header, "\n".join(lines[number + 1 :])
            return {}, text
        match = _HEADER_LINE.match(line)
        key = _HEADER_KEYS.get(match.group(1).lower()) if match else None
        if key is None:
            return {}, text
        header[key] = match.group(2)  # type: ignore[union-attr]
    return header, ""


def read_text(path: Path) -> Iterator[Article | Failure]:
    try:
        data = read_whole(path, ARTICLE_FILE_LIMIT)
    except TooLarge as error:
        yield Failure(str(path), str(error))
        return
    if not data.strip():
        yield Failure(str(path), "empty file")
        return
    try:
        text = normalize_text(decode(data))
    except NotText as error:
        yield Failure(str(path), str(error))
        return
    header, rest = split_header(text)
    cleaned = clean_paragraphs(split_paragraphs(rest))
    paragraphs = cleaned.paragraphs
    title = header.get("title", "")
    if not title and len(paragraphs) > 1 and looks_like_title(paragraphs[0]):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    lede = header.get("lede", "")
    if not lede and len(paragraphs) > 1:
        lede, paragraphs = paragraphs[0], paragraphs[1:]
    body = "\n\n".join(paragraphs)
    if not (title or lede or body):
        yield Failure(str(path), "no article text (only boilerplate)")
        return
    # Without a readable Date header, the date the text gives.
    date, unreadable = cleaned.dated(header.get("date", ""))
    if unreadable:
        yield Failure(str(path), unreadable, line=_header_line(text, "date"), warning=True)
    yield Article(
        id=header.get("id") or header.get("url") or derived_id(path),
        title=title or title_from_text(lede or body),
        lede=lede,
        body=body,
        date=date,
        source=header.get("source") or None,
        author=header.get("author") or cleaned.author,
        agency=cleaned.agency,
        place=cleaned.place,
        url=header.get("url") or None,
        section=header.get("section") or None,
        path=str(path),
    )


def _header_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), 1):
        match = _HEADER_LINE.match(line)
        if match and _HEADER_KEYS.get(match.group(1).lower()) == key:
            return number
    return None

"""HTML article pages: the article's own text, without the page around it, and the page's metadata.

Telling an article from menus, ads, share buttons and comments is what trafilatura is built and
benchmarked for; it also reads ``<title>``, OpenGraph, ``article:published_time`` and JSON-LD
``NewsArticle``. It is used offline only: it is handed the page, never a URL to fetch.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator

import lxml.etree
import lxml.html
from trafilatura import bare_extraction

from ..cleaning import clean_paragraphs, normalize_text, split_paragraphs, title_from_text
from ..dates import parse_date
from ...models import Article, Failure
from .common import NotText, decode, derived_id
from .members import ARTICLE_FILE_LIMIT, Source, TooLarge, read_whole


class NoArticle(ValueError):
    """The page has no article text (a section front, a login wall, an error page)."""


def read_html(source: Source) -> Iterator[Article | Failure]:
    try:
        yield page_article(read_whole(source, ARTICLE_FILE_LIMIT), source)
    except (NoArticle, TooLarge) as error:
        yield Failure(str(source), str(error))


# Charsets that decode() already reads (and repairs); a page declaring another is decoded as declared.
_DECODE_HANDLES = {"utf-8", "utf8", "iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}  # fmt: skip
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)

#: Fewer words than this are not an article: on a page without one, trafilatura falls back to
#: whatever text the page has, which is a menu entry or an error message.
MIN_WORDS = 5

_EXTRACTION = {
    "with_metadata": True,
    # Precision over recall: on a page without an article, recall mode returns the menu as text.
    "favor_precision": True,
    "include_comments": False,
    # No guessing from the text: a copyright line "© 2023" is not a publication date.
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}


def page_article(
    data: bytes,
    source: Source,
    *,
    url: str | None = None,
    date: dt.date | None = None,
    charset: str | None = None,
    record: int | None = None,
) -> Article:
    """The article of one page; raises :class:`NoArticle` when the page has none.

    ``url``, ``date`` and ``charset`` come from outside the page (a WARC record's headers): the url
    is kept as given, the date only when neither the page nor its text gives one. ``record`` tells pages of
    one file apart in derived ids.
    """
    document = bare_extraction(decode_page(data, charset), url=url, **_EXTRACTION)
    if document is None:
        raise NoArticle("no article text")
    title = _clean(document.title)
    paragraphs = split_paragraphs(normalize_text(document.text or ""))
    if paragraphs and title and _key(paragraphs[0]) == _key(title):
        paragraphs = paragraphs[1:]  # the page's <h1>, already the title
    cleaned = clean_paragraphs(paragraphs)
    body = "\n\n".join(cleaned.paragraphs)
    if len(body.split()) < MIN_WORDS:
        raise NoArticle("no article text")
    description = _clean(document.description)
    page_url = url or _clean(document.url) or None
    # The page's own date, else one its text gives, else the crawl's (only when it was fetched).
    page_date = parse_date(document.date) if document.date else cleaned.date or date
    return Article(
        id=page_url or derived_id(source, record),  # type: ignore[arg-type]
        title=title or title_from_text(body),
        lede="" if is_teaser(description, body) else description,
        body=body,
        date=page_date,
        source=_clean(document.sitename) or None,
        author=_clean(document.author) or cleaned.author,
        agency=cleaned.agency,
        place=cleaned.place,
        url=page_url,
        section=_clean(document.categories[0]) if document.categories else None,
        path=str(source),
    )


def decode_page(data: bytes, charset: str | None = None) -> str:
    """The page's text: in the charset it declares when decode() would not read that one."""
    declared = charset
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", "replace") if match else None
    if declared and declared.lower() not in _DECODE_HANDLES:
        try:
            codecs.lookup(declared)
        except LookupError:
            pass
        else:
            return data.decode(declared, errors="replace")
    try:
        return decode(data)
    except NotText as error:
        raise NoArticle(str(error)) from None


_BLOCKS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "section", "article", "header", "footer", "aside", "figure", "figcaption", "table", "tr", "dd", "dt", "hr",
)  # fmt: skip


def fragment_text(markup: str) -> str:
    """Plain text of an HTML fragment (a feed item's content), one line per block.

    Paragraph breaks are kept because cleaning works per paragraph ("Lire aussi" lines).
    """
    if not markup.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in list(root.iter("script", "style", "template")):
        element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    return normalize_text(root.text_content())


def _clean(value: str | None) -> str:
    return " ".join(normalize_text(value).split()) if value else ""


def _key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(" .…")


def is_teaser(lede: str, body: str) -> bool:
    """Whether the lede is only the start of the body again (a teaser cut with "…")."""
    key = _key(lede).removesuffix("[...]").removesuffix("...").rstrip(" .…")
    return not key or key in _key(body)

"""Any search as an Atom 1.0 feed (RFC 4287), so that a feed reader becomes an alert system.

A pure function of the search's results and the addresses to link to: :func:`atom_feed` returns
the document as bytes (UTF-8, built with :mod:`xml.etree.ElementTree`, which escapes every text).

- The entries are the articles most recently added to the archive first (``sort="-added"``), so an
  article indexed today is at the top whatever the date it bears: what a reader must see to tell
  of it.
- The feed's id is its own address with the parameters in a stable order, so a reader keeps
  recognising the same search; its ``updated`` is the time the archive last changed.
- Each entry's id is the article's page on this server (``…/view/<id>``): unique to this archive and
  the same from one fetch to the next, which is how a reader tells new articles from ones already
  seen. Its ``updated`` is the article's date at 00:00 UTC (the feed's own for an undated article);
  its summary is the snippet as plain text.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import quote

from ..models import Hit, SearchResults

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
#: Entries in a feed: the newest articles matching the search.
ENTRIES = 50

# Characters XML 1.0 cannot carry at all, even escaped (scraped text sometimes holds them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


ET.register_namespace("", ATOM)  # once: the registry is global, and not safe to change from threads


def feed_id(address: str, params: list[tuple[str, str]]) -> str:
    """The same id for the same search at ``address``, however its parameters were ordered (empty
    ones left out)."""
    kept = sorted((name, value) for name, value in params if value)
    return address + "?" + "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in kept)


def atom_feed(  # noqa: PLR0913 - the addresses a feed links to
    results: SearchResults,
    *,
    title: str,
    feed_id: str,
    self_url: str,
    page_url: str,
    view_url: Callable[[str], str],
    updated: dt.datetime,
) -> bytes:
    """The Atom document for ``results`` (hits newest first). ``self_url`` is the feed's own
    address, ``page_url`` the same search on the page, ``view_url(id)`` an article's page;
    ``updated`` is timezone-aware (when the archive last changed)."""
    feed = ET.Element(_tag("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", _stamp(updated))
    _text(feed, "generator", "searchlib")
    ET.SubElement(feed, _tag("link"), {"rel": "self", "type": MEDIA_TYPE, "href": self_url})
    ET.SubElement(feed, _tag("link"), {"rel": "alternate", "type": "text/html", "href": page_url})
    author = ET.SubElement(feed, _tag("author"))  # RFC 4287: entries without one take the feed's
    _text(author, "name", "searchlib")
    for hit in results.hits:
        _entry(feed, hit, view_url(hit.id), updated)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, hit: Hit, link: str, updated: dt.datetime) -> None:
    entry = ET.SubElement(feed, _tag("entry"))
    _text(entry, "id", link)
    _text(entry, "title", hit.title or hit.id)
    day = dt.datetime.combine(hit.date, dt.time(), tzinfo=dt.timezone.utc) if hit.date else updated
    _text(entry, "updated", _stamp(day))
    ET.SubElement(entry, _tag("link"), {"rel": "alternate", "type": "text/html", "href": link})
    if hit.author:
        author = ET.SubElement(entry, _tag("author"))
        _text(author, "name", hit.author)
    if hit.source:
        ET.SubElement(entry, _tag("category"), {"term": _clean(hit.source)})
    _text(entry, "summary", hit.snippet.text)


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), {"type": "text"} if name in ("title", "summary") else {})
    element.text = _clean(text)
    return element


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _stamp(moment: dt.datetime) -> str:
    """RFC 3339, in UTC: 2023-07-13T00:00:00Z."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

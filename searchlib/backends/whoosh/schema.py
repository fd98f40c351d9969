"""The Whoosh schema and the mapping Article ↔ stored fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import Any

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from ...analysis.french import folded_content_words, folded_words, french_positions, french_positions_and_words
from .analyzer import folded_analyzer, french_analyzer, name_analyzer
from ...search.fields import ALL_WORDS_FIELD, EXACT_FIELDS, TEXT_FIELDS
from .codec import CompactPositions
from ...analysis.copy_keys import COPY_HASH_VERSION, BodyKey, simhash
from ...models import Article

#: Bump when fields change: indexes written with another version must be rebuilt. 8: the same
#: fields as 7, with the engine's classes pickled from their places in searchlib.backends.whoosh
#: (an older searchlib cannot import them; it refuses the index with a rebuild hint).
SCHEMA_VERSION = 8
#: Older versions this searchlib reads as they are: 7's class paths still resolve (through
#: searchlib.codec, searchlib.schema and searchlib.analysis). Written to, such an index is 8.
READABLE_SCHEMA_VERSIONS = (7, SCHEMA_VERSION)

#: Every field a query's words are ranked in.
RANKED_FIELDS = (*TEXT_FIELDS, *EXACT_FIELDS)

#: Every field the fast path of searchlib.backends.whoosh.arrays reads: the ranked fields, and those
#: a query of common words only is searched in (the title's every word, the source's name).
ARRAY_FIELDS = (*RANKED_FIELDS, ALL_WORDS_FIELD, "source")

#: Fields whose every word is also a word of another field, in the same document and the same
#: analysis: the text holds the title. A title phrase whose words are searched in the text adds
#: no match, only score (searchlib.backends.whoosh.arrays ranks it as a bonus).
HELD_IN = {"title": "text"}

#: The field whose words, as written, make the archive's word list (:mod:`searchlib.analysis.vocabulary`).
VOCABULARY_FIELD = "text"

#: The date column's value for an article without a date: the largest, so oldest-first puts it last.
NO_DATE = 2**64 - 1

#: The column of the time each article was first indexed (:func:`~searchlib.backends.base.added_value`).
ADDED = "added"

#: What search results can be counted by: a column per field holding the value as shown in a hit
#: (the source, or the agency when there is no source), read for every match without loading the
#: stored article. Year and month come from the ``date`` column.
FACET_COLUMNS = {"source": "facet_source", "author": "facet_author", "section": "facet_section"}

class FrenchText(TEXT):
    """A TEXT field of the French analyzer that indexes through :func:`french_positions`.

    Same postings as TEXT with the same analyzer, several times faster: the analyzer's token
    stream costs a generator step per part per word. Queries and snippets still use the analyzer.
    Positions are kept as :class:`~searchlib.backends.whoosh.codec.CompactPositions` (an eighth of the bytes).
    Module-level: the schema is pickled into the index, so this import path is on-disk format.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if type(self.format) is Positions:
            self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if kwargs or not isinstance(value, str) or type(self.format) is not CompactPositions:
            yield from super().index(value, **kwargs)
            return
        yield from self._postings(french_positions(value))

    def index_and_words(self, value: str) -> tuple[list[tuple[bytes, int, float, bytes]], set[str]]:
        """:meth:`index` of ``value`` and the distinct words that
        :func:`~searchlib.analysis.french.folded_words` gives, from one pass over its words."""
        if type(self.format) is not CompactPositions:
            return list(super().index(value)), folded_words(value)
        positions, words = french_positions_and_words(value)
        return list(self._postings(positions)), words

    def _postings(self, positions: dict[str, list[int]]) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        encode = self.format.encode
        for term, found in positions.items():
            yield term.encode("utf-8"), len(found), len(found) * boost, encode(found)


class FoldedWords(TEXT):
    """A TEXT field of :func:`~searchlib.backends.whoosh.analyzer.folded_analyzer` (folded words as written, stop
    words left out), frequencies only: no positions. Indexes through
    :func:`~searchlib.analysis.french.folded_content_words`, the analyzer's output without its token
    stream. Module-level: the schema is pickled into the index."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=folded_analyzer(), phrase=False, **kwargs)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if kwargs or not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        # As Whoosh's Frequency format gives them: (word, frequency, weight, packed frequency).
        boost = self.format.field_boost
        for word, count in folded_content_words(value).items():
            yield word.encode("utf-8"), count, count * boost, pack_uint(count)


def build_schema() -> Schema:
    french = french_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        # A query word that analyses into several ("États-Unis") is searched as a phrase.
        title=FrenchText(analyzer=french, stored=True, multitoken_query="phrase"),
        text=FrenchText(analyzer=french, multitoken_query="phrase"),
        # The title's words as written (folded, not stemmed): a query word found there in the form
        # it was typed earns a bonus (FIELD_BOOSTS). Never searched on its own: adds no match.
        title_words=FoldedWords(multitoken_query="or"),
        # The whole text's words as written, the same way (TEXT_EXACT_FIELD).
        text_words=FoldedWords(multitoken_query="or"),
        # The title's every word, stop words too (ALL_WORDS_FIELD): for queries of common words only.
        # Of Whoosh's TEXT and the name analyzer's classes, so that an index holding it still opens
        # in a searchlib that does not know it. Indexes written before it lack it (see Batch.put).
        title_all_words=TEXT(analyzer=names),
        lede=STORED(),
        body=STORED(),
        date=DATETIME(stored=True, sortable=True),
        source=TEXT(analyzer=names, stored=True),
        author=TEXT(analyzer=names, stored=True),
        agency=TEXT(analyzer=names, stored=True),
        section=TEXT(analyzer=names, stored=True),
        place=TEXT(analyzer=names, stored=True),
        # Shown, never searched: indexing them cost 67,000 one-article terms (9 MB) on OrangeSum.
        url=STORED(),
        path=STORED(),
        fingerprint=STORED(),
        # SimHash of the body, to group wire copies at search time (0: none, for short bodies). A
        # column: grouping reads it for 30 candidates a page without unpickling their articles.
        copy_hash=COLUMN(NumericColumn("Q")),
        facet_source=COLUMN(VarBytesColumn()),
        facet_author=COLUMN(VarBytesColumn()),
        facet_section=COLUMN(VarBytesColumn()),
        # When the article was first indexed, in microseconds since 1970 (UTC): what
        # ``--new-since`` compares. Indexes written before it lack it (see Batch.put).
        added=COLUMN(NumericColumn("Q")),
    )


def to_document(
    article: Article, *, defer_copy_hash: bool = False, copy_hash_version: int = COPY_HASH_VERSION
) -> dict[str, Any]:
    """The fields Whoosh stores and indexes for ``article`` (absent values are left out).

    With ``defer_copy_hash`` the wire-copy key is left to the writer (a :func:`functools.partial`
    or a :class:`~searchlib.analysis.copy_keys.BodyKey` that :class:`searchlib.backends.whoosh.bulkwrite.BulkWriter` computes),
    so that worker processes compute it; ``copy_hash_version`` is the index's (see
    :mod:`searchlib.analysis.copy_keys`)."""
    parts = [part for part in (article.title, article.lede, article.body) if part]
    text = "\n".join(parts)
    document: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "title_words": article.title,
        "title_all_words": article.title,
        "text": text,
        "text_words": text,  # the same string: the writer numbers its words once (BulkWriter)
        "lede": article.lede,
        "body": article.body,
        "fingerprint": article.fingerprint(),
    }
    if copy_hash_version == 1:
        key: Any = partial(simhash, article.body)
    elif article.body:  # the body ends the text field, after the title and the lede
        key = BodyKey(article.body, "text", "\n".join(parts[:-1]))
    else:
        key = None
    if defer_copy_hash and key is not None:
        document["copy_hash"] = key
    elif key is not None and (copy_hash := key()) is not None:
        document["copy_hash"] = copy_hash
    shown = {"source": article.source or article.agency, "author": article.author, "section": article.section}
    for name, column in FACET_COLUMNS.items():
        if shown[name]:
            document[column] = shown[name].encode("utf-8")
    if article.date is not None:
        document["date"] = dt.datetime.combine(article.date, dt.time())
    for name in ("source", "author", "agency", "place", "section", "url", "path"):
        value = getattr(article, name)
        if value:
            document[name] = value
    return document


def stored_date(stored: Any) -> dt.date | None:
    """The calendar date of stored fields (Whoosh gives a DATETIME field back as a datetime)."""
    value = stored.get("date")
    return value.date() if isinstance(value, dt.datetime) else value


def to_article(stored: dict[str, Any]) -> Article:
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        lede=stored.get("lede", ""),
        body=stored.get("body", ""),
        date=stored_date(stored),
        source=stored.get("source"),
        author=stored.get("author"),
        agency=stored.get("agency"),
        place=stored.get("place"),
        url=stored.get("url"),
        section=stored.get("section"),
        path=stored.get("path"),
    )

"""The archive's words as written (:mod:`searchlib.analysis.vocabulary`), kept in the cluster:
where did-you-mean and fuzzy words (``cyberataque~``) find their candidates, as in the embedded
index.

They live in an index of their own, ``<alias>.searchlib-words``, beside the file catalog: each
commit of an indexing run adds one document, a chunk of the vocabulary's file format (the words its
articles hold, each with how many of them, zlib-compressed) tagged with the index it describes (the
alias, or an index being rebuilt); loading adds the chunks up. When :data:`MAX_CHUNKS` have piled
up they are rewritten as one. A chunk is a few hundred kilobytes (2,000 OrangeSum articles: about
40,000 words); the whole list of a large archive (millions of words) is tens of megabytes, read once
by a process that needs it and then kept :data:`KEPT_SECONDS`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

from ...analysis.vocabulary import HEADER, MAX_CHUNKS, Vocabulary, WordCounter, _chunk
from .connection import create_if_missing

#: How long a process keeps the list it read before reading it again (its own commits reread it at once).
KEPT_SECONDS = 60.0
_MAPPING = {"dynamic": False, "properties": {"key": {"type": "keyword"}, "at": {"type": "long"}, "chunk": {"type": "binary"}}}


def words_index(alias: str) -> str:
    return alias + ".searchlib-words"


def append(client: Any, index: str, key: str, counter: WordCounter) -> None:
    """Adds what ``counter`` counted to the words of ``key`` (then empties it); compacts them when
    :data:`MAX_CHUNKS` chunks have piled up."""
    if not counter.articles:
        return
    create_if_missing(client, index, _MAPPING)
    chunk = _chunk(dict(counter.counts), counter.articles, level=1)
    _write(client, index, key, chunk)
    counter.counts.clear()
    counter.articles = 0
    if client.count(index=index, body={"query": {"term": {"key": key}}})["count"] > MAX_CHUNKS:
        replace(client, index, key, key)


def load(client: Any, index: str, key: str) -> Vocabulary:
    """The words of ``key`` (empty when none were written yet)."""
    if not client.indices.exists(index=index):
        return Vocabulary()
    return Vocabulary.from_bytes(HEADER + b"".join(chunk for _, chunk in _chunks(client, index, key)))


def replace(client: Any, index: str, key: str, by: str) -> None:
    """Makes the words of ``by`` one chunk, filed as the words of ``key``: the list compacted
    (``by`` is ``key``), or a rebuilt index's words made the archive's when the alias swaps to it.
    The new chunk is written before the old ones are deleted: a reader in between counts some
    words twice, which only changes how often a word is suggested, for a moment."""
    if not client.indices.exists(index=index):
        return
    old = [doc_id for doc_id, _ in _chunks(client, index, key)] if by != key else []
    taken = list(_chunks(client, index, by))
    merged = Vocabulary.from_bytes(HEADER + b"".join(chunk for _, chunk in taken))
    chunk = _chunk(dict(sorted(merged.counts.items())), merged.articles, level=6)
    _write(client, index, key, chunk)
    gone = old + [doc_id for doc_id, _ in taken]
    if gone:
        client.bulk(body=[{"delete": {"_index": index, "_id": doc_id}} for doc_id in gone], refresh=True)


def forget(client: Any, index: str, key: str) -> None:
    """Deletes the words of ``key`` (an index that was dropped)."""
    if client.indices.exists(index=index):
        client.delete_by_query(index=index, body={"query": {"term": {"key": key}}}, refresh=True, conflicts="proceed")


def _write(client: Any, index: str, key: str, chunk: bytes) -> None:
    body = {"key": key, "at": time.time_ns(), "chunk": base64.b64encode(chunk).decode("ascii")}
    client.index(index=index, body=body, refresh=True)


def _chunks(client: Any, index: str, key: str) -> Iterator[tuple[str, bytes]]:
    """Each chunk of ``key``: its document id and its bytes."""
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"size": 100, "query": {"term": {"key": key}}, "sort": [{"at": "asc"}]}
        if after is not None:
            body["search_after"] = after
        hits = client.search(index=index, body=body)["hits"]["hits"]
        for hit in hits:
            yield hit["_id"], base64.b64decode(hit["_source"]["chunk"])
        if len(hits) < 100:
            return
        after = hits[-1]["sort"]


class KeptWords:
    """A process's copy of an archive's words, read again after :data:`KEPT_SECONDS` or when this
    process has written more."""

    def __init__(self, client: Any, index: str, key: str) -> None:
        self.client, self.index, self.key = client, index, key
        self._read: tuple[float, Vocabulary] | None = None

    def __call__(self) -> Vocabulary:
        now = time.monotonic()
        if self._read is None or now - self._read[0] > KEPT_SECONDS:
            self._read = (now, load(self.client, self.index, self.key))
        return self._read[1]

    def forget(self) -> None:
        self._read = None

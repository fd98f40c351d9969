"""The writes of one run into a cluster's index: bulk requests, retried with back-off when the
cluster is busy, every rejected document reported like a record that could not be read.

Articles are buffered and written ``size`` at a time: one request reads the fingerprints and
first-added times of the buffered ids (unchanged articles are only counted; an update keeps its
time), one bulk request writes the rest, and a refresh makes them searchable: that is the commit.
The file catalog is saved after it (``on_commit``), so a run stopped midway (the cluster gone,
Ctrl-C) is finished by running it again, with nothing lost and nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...analysis.vocabulary import WordCounter
from ...models import Article, Failure, IndexReport
from ..base import added_now
from .connection import Location, cluster_error
from . import words
from .documents import to_source
from .words import KeptWords

#: How often a document the cluster refused as too busy (429) is sent again, and the first wait.
RETRIES = 5
FIRST_WAIT = 0.5
#: The longest document id OpenSearch takes.
MAX_ID_BYTES = 512


class ClusterBatch:
    """A run's writes: :class:`~searchlib.backends.base.Batch` for an OpenSearch index."""

    def __init__(  # noqa: PLR0913
        self,
        client: Any,
        location: Location,
        index: str,
        size: int | None,
        on_commit: Callable[[], None] | None,
        *,
        earlier: str | None = None,
        words: KeptWords | None = None,
    ) -> None:
        self.client, self.location, self.index = client, location, index
        #: While rebuilding: the archive the new index replaces (its articles keep their first-added time).
        self.earlier = earlier
        self.size = size
        self.on_commit = on_commit
        self.report = IndexReport()
        self.committed = 0
        self.pending: dict[str, Article] = {}
        #: When the articles copied from another archive were first added there.
        self.copied_added: dict[str, int] = {}
        #: When this batch's articles are added (an update keeps its first time).
        self.added = added_now()
        #: The archive's words as written, and the words of the articles written since they were saved.
        self.words, self.counted = words, WordCounter()

    def record(self, item: Article | Failure) -> None:
        if isinstance(item, Failure):
            self.report.note(item)
        else:
            self.put(item)

    def put(self, article: Article, added: int = 0) -> None:
        if added:
            self.copied_added[article.id] = added  # copied from another archive: its time goes with it
        if article.id in self.pending:
            self.commit()  # the later version replaces the earlier one
        self.pending[article.id] = article
        if self.size and len(self.pending) >= self.size:
            self.commit()

    def delete(self, article_id: str) -> bool:
        self.commit()
        try:
            answer = self.client.delete(index=self.index, id=article_id, refresh=True, ignore=[404])
        except Exception as error:  # noqa: BLE001 - the cluster's failures become one line
            raise cluster_error(self.location, error) from None
        found = answer.get("result") == "deleted"
        if found:
            self.report.removed += 1
            self.committed += 1
        return found

    def commit(self) -> None:
        """Writes the buffered articles and makes them searchable."""
        if not self.pending:
            return
        articles = self._ids_it_takes(list(self.pending.values()))
        self.pending = {}
        try:
            known = self._known([article.id for article in articles])
            actions, kinds = self._actions(articles, known)
            if actions:
                self._write(actions, {article.id: article for article in articles}, kinds)
            self.client.indices.refresh(index=self.index)
            self._save_words()
        except Exception as error:  # noqa: BLE001
            raise cluster_error(self.location, error) from None
        self.report.batches += 1
        self.committed += len(articles)
        self.added = max(added_now(), self.added + 1)
        if self.on_commit is not None:
            self.on_commit()

    def _save_words(self) -> None:
        """Adds the written articles' words to the archive's (after them: a run stopped between
        the two counts them again when it is run again, as the embedded index does)."""
        if self.words is not None and self.counted.articles:
            words.append(self.client, self.words.index, self.words.key, self.counted)
            self.words.forget()

    def _ids_it_takes(self, articles: list[Article]) -> list[Article]:
        """``articles`` but those whose id the cluster refuses (one would fail the whole bulk
        request), each reported as a failed record."""
        taken = []
        for article in articles:
            if len(article.id.encode("utf-8")) <= MAX_ID_BYTES:
                taken.append(article)
            else:
                self.report.failed.append(Failure(article.path or article.id[:80] + "…",
                                                  f"the cluster refuses ids over {MAX_ID_BYTES} bytes ({article.id[:40]}…)"))  # fmt: skip
        return taken

    def _known(self, ids: list[str]) -> dict[str, tuple[str, int]]:
        """The fingerprint and first-added time of each of ``ids`` already in the index (while
        rebuilding, the first-added time the replaced archive holds, with no fingerprint)."""
        if not ids:
            return {}
        known = self._fingerprints(self.index, ids)
        if self.earlier is not None:
            missing = [article_id for article_id in ids if article_id not in known]
            known.update({key: (None, added) for key, (_, added) in self._fingerprints(self.earlier, missing).items()})
        return known

    def _fingerprints(self, index: str, ids: list[str]) -> dict[str, tuple[str, int]]:
        if not ids:
            return {}
        answer = self.client.mget(index=index, body={"ids": ids}, _source_includes=["fingerprint", "added"])
        return {doc["_id"]: (doc["_source"].get("fingerprint"), doc["_source"].get("added") or 0)
                for doc in answer["docs"] if doc.get("found")}  # fmt: skip

    def _actions(
        self, articles: list[Article], known: dict[str, tuple[str, int]]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The bulk actions of the articles that changed, and whether each is "added" or "updated"
        (counted now, taken back for a document the cluster refuses)."""
        actions, kinds = [], {}
        for article in articles:
            fingerprint, added = known.get(article.id, (None, 0))
            if fingerprint == article.fingerprint():
                self.report.unchanged += 1
                continue
            kinds[article.id] = "updated" if fingerprint is not None else "added"
            setattr(self.report, kinds[article.id], getattr(self.report, kinds[article.id]) + 1)
            source = to_source(article, added or self.copied_added.pop(article.id, 0) or self.added)
            self.counted.add(article.text())
            actions.append({"_op_type": "index", "_index": self.index, "_id": article.id, "_source": source})
        return actions, kinds

    def _write(self, actions: list[dict[str, Any]], articles: dict[str, Article], kinds: dict[str, str]) -> None:
        from opensearchpy import helpers

        results = helpers.streaming_bulk(
            self.client, actions, max_retries=RETRIES, initial_backoff=FIRST_WAIT, raise_on_error=False,
            raise_on_exception=True, chunk_size=500,
        )  # fmt: skip
        for ok, item in results:
            if ok:
                continue
            detail = next(iter(item.values()))
            article = articles.get(detail.get("_id", ""))
            error = detail.get("error") or {}
            reason = error.get("reason") if isinstance(error, dict) else str(error)
            self.report.failed.append(Failure(article.path if article and article.path else detail.get("_id", "?"),
                                              f"the cluster refused article {detail.get('_id')!r}: {reason}",
                                              transient=_may_pass_later(detail.get("status"))))  # fmt: skip
            kind = kinds.get(detail.get("_id", ""))
            if kind is not None:  # counted when sent; it was not written
                setattr(self.report, kind, getattr(self.report, kind) - 1)


def _may_pass_later(status: Any) -> bool:
    """Whether a document refused with HTTP ``status`` may be taken later: the cluster too busy
    (429), an index blocked for writes (403: a full disk, an administrator) or a failing node (5xx).
    Its file is then read again by the next run."""
    return isinstance(status, int) and (status in (403, 429) or status >= 500)

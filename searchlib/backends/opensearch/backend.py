"""An archive in an OpenSearch cluster: the :class:`~searchlib.backends.base.Backend` of the
cluster engine.

The name people give (``http://host:9200/presse``) is an alias; the index behind it is
``presse-<nanoseconds>``, created by searchlib with its settings (:mod:`.settings`) and a
``_meta`` that says so, so that a rebuild builds a new index and swaps the alias in one atomic
request. The file catalog lives in the cluster too (the index ``presse.searchlib-files``), so any
machine can run ``searchlib index`` on the archive, and so do the archive's words as written
(``presse.searchlib-words``, :mod:`.words`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from ... import __version__
from ...analysis.copy_keys import COPY_HASH_VERSION
from ...analysis.french import ANALYZER_VERSION
from ...errors import ClusterError, Interrupted
from ...ingest.catalog import FileCatalog
from ..base import Backend
from .batch import ClusterBatch
from .connection import Location, client, cluster_error, create_if_missing, parse
from .lock import WriteLock
from .settings import MAPPING_VERSION, index_body
from . import words
from .view import ClusterView
from .words import KeptWords, words_index

#: Shards and replicas of a new index.
SHARDS, REPLICAS = 2, 1
#: Articles per bulk commit when the caller does not say.
BATCH = 2_000


class OpenSearchBackend(Backend):
    """The archive behind the alias ``location.index`` of a cluster."""

    path = None

    def __init__(  # noqa: PLR0913
        self, connection: Any, location: Location, index: str, earlier: str | None = None,
        lock: WriteLock | None = None, lock_timeout: float = 5.0,
    ) -> None:  # fmt: skip
        self.client, self.location = connection, location
        #: One indexing run at a time on the archive, from any machine (:mod:`.lock`).
        self.lock = lock or WriteLock(connection, _catalog_index(location), location)
        self.lock_timeout = lock_timeout
        #: What writes and searches name: the alias, or the new index while it is being rebuilt.
        self.index = index
        #: While rebuilding: the archive the new index replaces, whose first-added times it keeps.
        self.earlier = earlier
        #: The archive's words as written, for did-you-mean and fuzzy words (:mod:`.words`).
        self.words = KeptWords(connection, words_index(location.index), index)

    @classmethod
    def open(cls, path: Any, *, create: bool = True, lock_timeout: float = 5.0, rebuild: bool = False) -> OpenSearchBackend:
        location = parse(str(path))
        connection = client(location)
        if _exists(connection, location):
            _checked(lambda: _check_ours(connection, location, versions=not rebuild), location)
        elif create:
            _create(connection, location, location.index)
        else:
            raise ClusterError(location.shown, "holds no searchlib archive", f"build it first: searchlib index PATH --index {location.shown}")
        return cls(connection, location, location.index, lock_timeout=lock_timeout)

    @classmethod
    def in_memory(cls) -> Backend:
        raise ClusterError("OpenSearch", "an archive in a cluster cannot live in memory", "use Archive.in_memory() for the embedded engine")

    @classmethod
    @contextlib.contextmanager
    def rebuilding(cls, path: Any, *, lock_timeout: float = 5.0) -> Iterator[tuple[Backend, list[str]]]:
        # An index of another version is rebuilt this way: only that searchlib made it is checked.
        current = cls.open(path, rebuild=True, lock_timeout=lock_timeout)
        with current.lock.held(lock_timeout):
            built_from = list(current.catalog().files)
            fresh_name = f"{current.location.index}-{time.time_ns()}"
            _checked(lambda: current.client.indices.create(index=fresh_name, body=_new_index()), current.location)
            fresh = cls(current.client, current.location, fresh_name, earlier=current.location.index, lock=current.lock)
            try:
                yield fresh, built_from
            except BaseException:
                current.client.indices.delete(index=fresh_name, ignore_unavailable=True)
                words.forget(current.client, words_index(current.location.index), fresh_name)
                raise
            # Past this point the new index holds the archive: a failure tidies no further, deletes nothing new.
            _checked(lambda: _swap(current.client, current.location, fresh_name), current.location)

    @property
    def shown(self) -> str:
        return self.location.shown

    def close(self) -> None:
        self.client.close()

    def view(self) -> ClusterView:
        return ClusterView(self.client, self.location, self.index, self.words)

    def private_view(self) -> ClusterView:
        return self.view()  # every request reads the cluster as it is: nothing to keep apart

    def catalog(self) -> FileCatalog:
        catalog = ClusterCatalog(self.client, _catalog_index(self.location), self.index, self.location)
        catalog.read()
        return catalog

    @contextlib.contextmanager
    def batch(self) -> Iterator[ClusterBatch]:
        with self.run(BATCH, 1, None) as batch:
            yield batch

    @contextlib.contextmanager
    def run(self, batch_size: int, jobs: int, on_commit: Callable[[], None] | None) -> Iterator[ClusterBatch]:
        with self.lock.held(self.lock_timeout):
            batch = ClusterBatch(self.client, self.location, self.index, batch_size, on_commit, earlier=self.earlier, words=self.words)
            try:
                yield batch
            except KeyboardInterrupt:
                raise Interrupted(batch.committed) from None
            batch.commit()
            if on_commit is not None:  # also when the end had nothing to write: a prune, failures only
                on_commit()

    def size_bytes(self) -> int:
        """The primary shards' segments, as they are now (the store statistics lag by up to
        ``index.store.stats_refresh_interval``, 10 s: a few hundred bytes right after indexing)."""
        answer = _checked(lambda: self.client.indices.segments(index=self.index), self.location)
        return sum(segment["size_in_bytes"] for index in answer["indices"].values() for copies in index["shards"].values()
                   for copy in copies if copy["routing"]["primary"] for segment in copy["segments"].values())  # fmt: skip


class ClusterCatalog(FileCatalog):
    """The file catalog, kept as the document ``key`` (the alias, or an index being rebuilt) of an
    index of its own in the cluster, whose fields are stored and not indexed (file paths are not
    fields: a mapping of them would outgrow the cluster's limit on fields)."""

    def __init__(self, connection: Any, index: str, key: str, location: Location) -> None:
        super().__init__(None)
        self.client, self.index, self.key_id, self.location = connection, index, key, location

    def read(self) -> None:
        answer = _checked(lambda: self.client.get(index=self.index, id=self.key_id, ignore=[404]), self.location)
        if answer.get("found"):
            self.load(answer["_source"].get("catalog") or {})

    def save(self) -> None:
        def write() -> None:
            create_if_missing(self.client, self.index, {"dynamic": False})
            self.client.index(index=self.index, id=self.key_id, body={"catalog": self.as_json()}, refresh=True)

        _checked(write, self.location)


def _checked(call: Callable[[], Any], location: Location) -> Any:
    """``call()``, its failures made one line with their fix."""
    try:
        return call()
    except ClusterError:
        raise
    except Exception as error:  # noqa: BLE001 - the cluster's failures become one line
        raise cluster_error(location, error) from None


def _catalog_index(location: Location) -> str:
    return location.index + ".searchlib-files"


def _new_index() -> dict[str, Any]:
    """The body that creates an index: searchlib's settings, and the ``_meta`` that says so."""
    body = index_body(SHARDS, REPLICAS)
    body["mappings"]["_meta"] = {"searchlib": _meta()}
    return body


def _exists(connection: Any, location: Location) -> bool:
    return bool(_checked(lambda: connection.indices.exists(index=location.index), location))


def _meta() -> dict[str, Any]:
    return {"mapping_version": MAPPING_VERSION, "analyzer_version": ANALYZER_VERSION,
            "copy_hash_version": COPY_HASH_VERSION, "written_by": f"searchlib {__version__}"}  # fmt: skip


def _create(connection: Any, location: Location, alias: str) -> None:
    """A new index behind the alias ``alias``, with searchlib's settings and its ``_meta``."""
    body = _new_index()
    body["aliases"] = {alias: {}}
    try:
        connection.indices.create(index=f"{alias}-{time.time_ns()}", body=body)
        connection.cluster.health(index=alias, wait_for_status="yellow", request_timeout=60, params={"timeout": "60s"})
    except Exception as error:  # noqa: BLE001
        raise cluster_error(location, error) from None


def _check_ours(connection: Any, location: Location, *, versions: bool = True) -> None:
    """Raises :class:`ClusterError` for an index searchlib did not create, or (``versions``) of
    another version."""
    mappings = connection.indices.get_mapping(index=location.index)
    for mapping in mappings.values():
        meta = mapping.get("mappings", {}).get("_meta", {}).get("searchlib")
        if meta is None:
            raise ClusterError(location.shown, "is an index searchlib did not create",
                               "name another index for the archive, or delete this one if it is not needed")  # fmt: skip
        if versions and (meta.get("mapping_version") != MAPPING_VERSION or meta.get("analyzer_version") != ANALYZER_VERSION):
            raise ClusterError(location.shown, "was created by another version of searchlib",
                               f"rebuild it: searchlib index --rebuild --index {location.shown}")  # fmt: skip


def _swap(connection: Any, location: Location, fresh: str) -> None:
    """Points the alias at ``fresh`` in one request, makes the rebuilt index's catalog the
    archive's, and deletes the index the alias pointed at."""
    old = list(connection.indices.get_alias(name=location.index))
    actions = [{"remove": {"index": name, "alias": location.index}} for name in old]
    actions.append({"add": {"index": fresh, "alias": location.index}})
    connection.indices.update_aliases(body={"actions": actions})
    fresh_catalog = ClusterCatalog(connection, _catalog_index(location), fresh, location)
    fresh_catalog.read()
    live = ClusterCatalog(connection, _catalog_index(location), location.index, location)
    live.files = fresh_catalog.files
    live.save()
    connection.delete(index=_catalog_index(location), id=fresh, ignore=[404])
    words.replace(connection, words_index(location.index), location.index, fresh)
    for name in old:
        connection.indices.delete(index=name, ignore_unavailable=True)

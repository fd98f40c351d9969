"""The write lock of an archive in a cluster: one indexing run at a time, from any machine, as the
embedded index's lock file allows one writer at a time.

The lock is a document of the catalog's index (``<alias>.searchlib-files``, id ``<alias>.lock``),
created only when there is none (a conflict means another run holds it). While it is held a thread
beats every :data:`BEAT_SECONDS`; a lock that shows no beat for :data:`STALE_SECONDS` (by the
holder's clock, or by what the waiting run saw change) belongs to a run that died, and is taken over,
safely: the takeover names the version it replaces, so two waiting runs never both win. A lock of a
process of this machine that no longer runs is taken over at once (a run stopped by the cluster
going away, run again at once, finishes).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from ...errors import IndexLocked
from .connection import Location, cluster_error, create_if_missing

BEAT_SECONDS = 10.0
STALE_SECONDS = 60.0
_POLL = 0.25
#: The locks this process holds: one of its own it finds in the cluster and does not hold was left
#: by a run of it that failed (the cluster went away before the lock could be given back).
_HELD: set[tuple[str, str]] = set()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WriteLock:
    """The lock of the archive at ``location``, kept in ``index``; re-entrant within one process."""

    def __init__(self, client: Any, index: str, location: Location) -> None:
        self.client, self.index, self.location = client, index, location
        self.id = f"{location.index}.lock"
        self.holder = f"pid {os.getpid()} on {socket.gethostname()}"
        self._depth = 0
        self._version: tuple[int, int] | None = None  # (seq_no, primary_term) of our last write
        self._stop = threading.Event()
        self._beater: threading.Thread | None = None
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        """Holds the lock, waiting up to ``timeout`` seconds for another run to finish."""
        if self._depth == 0:
            try:
                self._acquire(timeout)
            except IndexLocked:
                raise
            except Exception as error:  # noqa: BLE001 - the cluster's failures become one line
                raise cluster_error(self.location, error) from None
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._release()

    def _acquire(self, timeout: float) -> None:
        create_if_missing(self.client, self.index, {"dynamic": False})
        deadline, seen, seen_at = time.monotonic() + timeout, None, time.monotonic()
        while True:
            answer = self.client.index(index=self.index, id=self.id, body=self._body(), op_type="create",
                                       refresh=True, ignore=[409])  # fmt: skip
            if answer.get("result") == "created":
                return self._taken(answer)
            current = self.client.get(index=self.index, id=self.id, ignore=[404])
            if current.get("found"):
                version = (current["_seq_no"], current["_primary_term"])
                if version != seen:
                    seen, seen_at = version, time.monotonic()
                if self._gone(current["_source"], seen_at) and self._take_over(current):
                    return None
            if time.monotonic() >= deadline:
                holder = (current.get("_source") or {}).get("holder") if current.get("found") else None
                raise IndexLocked(self.location.shown, timeout, holder)
            time.sleep(_POLL)

    def _body(self) -> dict[str, Any]:
        return {"holder": self.holder, "host": socket.gethostname(), "pid": os.getpid(), "beat": time.time()}

    def _gone(self, source: dict[str, Any], seen_at: float) -> bool:
        """Whether the run holding the lock is gone: a process of this machine that no longer runs
        (or this process, which no longer holds it), or no beat for STALE_SECONDS, by the holder's
        clock or by what this run saw change."""
        if source.get("host") == socket.gethostname() and isinstance(source.get("pid"), int):
            if source["pid"] == os.getpid():
                return (self.index, self.id) not in _HELD
            return not _running(source["pid"])
        return time.time() - float(source.get("beat") or 0) > STALE_SECONDS or time.monotonic() - seen_at > STALE_SECONDS

    def _take_over(self, current: dict[str, Any]) -> bool:
        answer = self.client.index(index=self.index, id=self.id, body=self._body(), refresh=True, ignore=[409],
                                   if_seq_no=current["_seq_no"], if_primary_term=current["_primary_term"])  # fmt: skip
        if answer.get("result") != "updated":
            return False  # another waiting run took it first
        self._taken(answer)
        return True

    def _taken(self, answer: dict[str, Any]) -> None:
        self._version = (answer["_seq_no"], answer["_primary_term"])
        _HELD.add((self.index, self.id))
        self._stop.clear()
        self._beater = threading.Thread(target=self._beat, name="searchlib-cluster-lock", daemon=True)
        self._beater.start()

    def _beat(self) -> None:
        while not self._stop.wait(BEAT_SECONDS):
            with self._guard:
                if self._version is None:
                    return
                with contextlib.suppress(Exception):  # a missed beat is retried; the run's own requests report the cluster
                    answer = self.client.index(index=self.index, id=self.id, body=self._body(),
                                               if_seq_no=self._version[0], if_primary_term=self._version[1])  # fmt: skip
                    self._version = (answer["_seq_no"], answer["_primary_term"])

    def _release(self) -> None:
        self._stop.set()
        if self._beater is not None:
            self._beater.join()
        with self._guard:
            version, self._version = self._version, None
        _HELD.discard((self.index, self.id))
        if version is not None:
            with contextlib.suppress(Exception):  # a lock left behind is taken over once stale
                self.client.delete(index=self.index, id=self.id, refresh=True, ignore=[404, 409],
                                   if_seq_no=version[0], if_primary_term=version[1])  # fmt: skip

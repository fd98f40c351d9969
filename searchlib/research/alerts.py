"""What is new since the last look: ``searchlib search QUERY --new-since last``.

Indexing records when each article was first added (an update keeps that time; a batch committed
later always has a later time than every batch before it). ``last`` remembers, per query and
filters, the newest time the archive held when that search last ran, in a small JSON file beside
the index; the next run lists the articles added after it. The time is read before searching: an
article committed meanwhile may be listed twice, never missed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from typing import IO

from ..errors import BadFilter
from ..models import SearchFilters

#: One microsecond: the articles added after the remembered time, not at it.
AFTER = dt.timedelta(microseconds=1)


def state_file(index: Path | str) -> Path:
    """Where ``--new-since last`` remembers its times for the index at ``index``: beside it
    (``index.new-since.json`` for ``index/``), so that a rebuilt index keeps them; for an index in a
    cluster (a URL), in the user's cache folder, named by host, port and index, never by the
    credentials the URL may hold (``~/.cache/searchlib/localhost-9200-presse.new-since.json``)."""
    if isinstance(index, str) and "://" in index:
        parts = urlsplit(index)
        name = re.sub(r"[^A-Za-z0-9.]+", "-", f"{parts.hostname}-{parts.port or ''}-{parts.path.strip('/')}")
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "searchlib"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{name}.new-since.json"
    index = Path(os.path.abspath(index))
    return index.with_name(index.name + ".new-since.json")


def search_key(query: str, filters: SearchFilters) -> str:
    """What names a search in the state file: its query and filters."""
    parts = {
        "q": " ".join(query.split()),
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "source": sorted(filters.sources),
        "author": sorted(filters.authors),
        "section": sorted(filters.sections),
    }
    return json.dumps(parts, ensure_ascii=False, sort_keys=True)


class LastSeen:
    """The state file: per search, the newest article time it has seen."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise BadFilter(
                "new-since", "last", f"cannot read {self.path} ({error})", f"delete {self.path} to start afresh"
            ) from None
        return data if isinstance(data, dict) else {}

    def since(self, key: str) -> dt.datetime | None:
        """The time after which articles are new for search ``key`` (None: it never ran)."""
        value = self._read().get(key)
        try:
            return dt.datetime.fromisoformat(value) + AFTER if value else None
        except ValueError:
            return None

    def remember(self, key: str, newest: dt.datetime | None) -> None:
        """Records ``newest`` for ``key``: atomically (a crash leaves the old file or the new), and
        one process at a time (two searches run by cron at once both keep their times)."""
        if newest is None:
            return
        name = None
        try:
            with open(self.path.with_name(self.path.name + ".lock"), "w", encoding="utf-8") as lock:
                _lock(lock)
                data = self._read()
                data[key] = newest.isoformat()
                handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False, indent=1)
                os.replace(name, self.path)
                name = None
        except OSError as error:
            raise BadFilter(
                "new-since", "last", f"cannot write {self.path} ({error.strerror or error})",
                "make its folder writable, or give a date: --new-since 2024-06-01",
            ) from None
        finally:
            if name is not None:
                Path(name).unlink(missing_ok=True)


def _lock(handle: IO[str]) -> None:
    """Holds an exclusive lock on ``handle`` until it is closed (where the system has them)."""
    try:
        import fcntl
    except ImportError:  # not on this system: one process at a time is then up to the user
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

"""The storage-and-matching engines searchlib runs on, behind one seam (:mod:`.base`). ``whoosh``
is the embedded one; :func:`engine_for` is the one place that chooses."""

from __future__ import annotations

from pathlib import Path

from .base import Backend


def engine_for(location: str | Path) -> type[Backend]:
    """The engine of the index at ``location``: an embedded Whoosh index in a directory."""
    from .whoosh.backend import WhooshBackend

    return WhooshBackend

"""The storage-and-matching engines searchlib runs on, behind one seam (:mod:`.base`). ``whoosh``
is the embedded one; :func:`engine_for` is the one place that chooses."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from .base import Backend


def engine_for(location: str | Path) -> type[Backend]:
    """The engine of the index at ``location``: an index in an OpenSearch cluster for a URL
    (``http://host:9200/presse``), else an embedded Whoosh index in a directory."""
    if is_cluster(location):
        from .opensearch.backend import OpenSearchBackend

        return OpenSearchBackend
    from .whoosh.backend import WhooshBackend

    return WhooshBackend


def is_cluster(location: object) -> bool:
    """Whether ``location`` names an index in a cluster (a URL) rather than a directory."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def shown(location: str | Path) -> str:
    """``location`` for messages: a URL without its user and password."""
    if not is_cluster(location):
        return str(location)
    parts = urlsplit(str(location))
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def location_of(location: str | Path) -> str | Path:
    """``location`` as its engine takes it: a URL as it is, anything else as a directory."""
    return location if is_cluster(location) else Path(location)

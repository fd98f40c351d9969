"""Where an OpenSearch index is, and a client for it.

An index location that is a URL names a cluster and an index: ``http://localhost:9200/presse`` is
the index (or alias) ``presse`` of the cluster at ``http://localhost:9200``. Credentials come the
usual ways: ``https://user:password@host:9200/presse``, or ``SEARCHLIB_OPENSEARCH_USER`` and
``SEARCHLIB_OPENSEARCH_PASSWORD``; a CA certificate for TLS from ``SEARCHLIB_OPENSEARCH_CA_CERT``
(``--ca-cert`` sets it). A location is always shown without its credentials (:attr:`Location.shown`).

Every failure to reach or use the cluster is a :class:`~searchlib.errors.ClusterError`: one line
with what to do next.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import ClusterError

#: Index names OpenSearch accepts: lower case, none of \\ / * ? " < > | , # or space, not starting
#: with - _ +, at most 255 bytes.
_INDEX_NAME = re.compile(r"[^-_+\\/*?\"<>|,# A-Z][^\\/*?\"<>|,# A-Z]{0,254}")
EXTRA_HINT = "install the OpenSearch client: pip install 'searchlib[opensearch]'"


@dataclass(frozen=True)
class Location:
    """A cluster's address and an index name in it, with the credentials to use."""

    #: ``scheme://host:port``, without credentials.
    address: str
    index: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_cert: str | None = None

    @property
    def shown(self) -> str:
        """The location for messages and logs: never the credentials."""
        return f"{self.address}/{self.index}"


def parse(location: str, environ: dict[str, str] | None = None) -> Location:
    """The :class:`Location` of ``http[s]://[user:password@]host[:port]/index``; raises
    :class:`ClusterError` for one that names no index or an index name OpenSearch refuses."""
    env = os.environ if environ is None else environ
    parts = urlsplit(location.strip())
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        raise ClusterError(f"{parts.scheme}://{parts.hostname or ''}", "has a port that is not a number",
                           "write the index location as http://HOST:9200/INDEX") from None  # fmt: skip
    address = f"{parts.scheme}://{parts.hostname or ''}{port}"
    index = unquote(parts.path.strip("/"))
    if not parts.hostname:
        raise ClusterError(address, "names no host", "write the index location as http://HOST:9200/INDEX")
    if not index or "/" in index or not _INDEX_NAME.fullmatch(index) or index in (".", ".."):
        shown = index or "(none)"
        raise ClusterError(
            f"{address}/{shown}", "is not an index name OpenSearch accepts",
            "name the index after the address, in lower case without spaces: http://localhost:9200/presse",
        )  # fmt: skip
    return Location(
        address,
        index,
        unquote(parts.username) if parts.username else env.get("SEARCHLIB_OPENSEARCH_USER"),
        unquote(parts.password) if parts.password else env.get("SEARCHLIB_OPENSEARCH_PASSWORD"),
        env.get("SEARCHLIB_OPENSEARCH_CA_CERT"),
    )


def client(location: Location, *, timeout: float = 30.0) -> Any:
    """An ``opensearchpy.OpenSearch`` client for ``location``'s cluster, checked to answer.

    Raises :class:`ClusterError` when the client library is missing, the cluster cannot be
    reached, or it refuses the credentials."""
    try:
        import opensearchpy
    except ImportError:
        raise ClusterError(location.shown, "the OpenSearch backend needs the opensearch-py package", EXTRA_HINT) from None
    # A pool of connections for the server's threads (the client's default keeps one).
    options: dict[str, Any] = {"hosts": [location.address], "timeout": timeout, "max_retries": 2, "pool_maxsize": 16}
    if location.user is not None:
        options["http_auth"] = (location.user, location.password or "")
    if location.ca_cert:
        options.update(use_ssl=True, verify_certs=True, ca_certs=location.ca_cert)
    found = opensearchpy.OpenSearch(**options)
    try:
        found.info()
    except Exception as error:  # noqa: BLE001 - every failure becomes one line with its fix
        raise cluster_error(location, error) from None
    return found


def create_if_missing(client: Any, index: str, mappings: dict[str, Any]) -> None:
    """Creates ``index`` with ``mappings`` unless it is there (another run creating it at the same
    moment is no error): the catalog's, the lock's and the word list's index."""
    if not client.indices.exists(index=index):
        client.indices.create(index=index, body={"mappings": mappings}, ignore=[400])


def cluster_error(location: Location, error: Exception) -> ClusterError:
    """What ``error``, raised by the client for ``location``, means for a person."""
    status = getattr(error, "status_code", None)
    if status in (401, 403):
        return ClusterError(
            location.shown, f"the cluster refused the credentials ({status})",
            "give a user and password in the URL or in SEARCHLIB_OPENSEARCH_USER and SEARCHLIB_OPENSEARCH_PASSWORD",
        )  # fmt: skip
    if type(error).__name__ == "ConnectionTimeout":
        return ClusterError(location.shown, "the cluster did not answer in time", "try again; if it keeps happening, see the cluster's health and load")
    if type(error).__name__ in ("ConnectionError", "SSLError"):
        reason = "TLS failed (the certificate?)" if type(error).__name__ == "SSLError" else "no cluster answers there"
        return ClusterError(
            location.shown, reason,
            "check the address and that the cluster runs (curl it); for TLS give --ca-cert or SEARCHLIB_OPENSEARCH_CA_CERT",
        )  # fmt: skip
    return ClusterError(location.shown, f"the cluster answered {status or type(error).__name__}: {_first_line(error)}",
                        "see the cluster's log")  # fmt: skip


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "error", "") or error)
    return text.splitlines()[0][:200] if text else type(error).__name__

"""A real OpenSearch cluster for the tests: those of the OpenSearch backend, and the shared
behaviour tests' ``opensearch`` case (tests/conftest.py's ``new_archive``).

The cluster is started outside the tests, by ``python scripts/opensearch_cluster.py start`` (two
nodes on 127.0.0.1, HTTP on 9200 and 9201; ``.ci/run`` does it) and named by
``SEARCHLIB_OPENSEARCH_URL=http://127.0.0.1:9200``. Without the variable, without ``opensearch-py``
(``pip install '.[opensearch]'``) or without a cluster answering there, the tests that use it skip,
saying why, unless ``SEARCHLIB_REQUIRE_OPENSEARCH`` is set (CI sets it): then they fail.

Every test that uses the cluster (through ``cluster_url``, ``cluster`` or ``unique_name``) is in the
``opensearch`` tier (tests/conftest.py). Indexes a test creates are named from ``unique_name`` and
deleted after it; whatever is left under that name is deleted at the end of the session.
"""

from __future__ import annotations

import itertools
import json
import os
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from searchlib import Archive

HOW_TO_START = "python scripts/opensearch_cluster.py start, then SEARCHLIB_OPENSEARCH_URL=http://127.0.0.1:9200"


def _need(condition: object, reason: str) -> None:
    if not condition:
        if os.environ.get("SEARCHLIB_REQUIRE_OPENSEARCH"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster_url() -> str:
    """The URL of the test cluster, ``http://127.0.0.1:9200``: it answers, and opensearch-py is there."""
    url = os.environ.get("SEARCHLIB_OPENSEARCH_URL", "").rstrip("/")
    _need(url, f"SEARCHLIB_OPENSEARCH_URL is not set ({HOW_TO_START})")
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        _need(False, "opensearch-py is not installed: pip install '.[opensearch]'")
    try:
        with urllib.request.urlopen(url + "/", timeout=10) as answer:
            distribution = json.load(answer)["version"].get("distribution")
    except (OSError, ValueError, KeyError, TypeError) as error:
        _need(False, f"no OpenSearch answers at {url} ({error}); {HOW_TO_START}")
    else:
        _need(distribution == "opensearch", f"what answers at {url} is not OpenSearch ({distribution!r})")
    return url


@pytest.fixture(scope="session")
def cluster(cluster_url: str) -> Iterator[Any]:
    """An ``opensearchpy.OpenSearch`` client of the test cluster."""
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[cluster_url], timeout=60)
    yield client
    client.close()


@pytest.fixture(scope="session")
def unique_name(cluster: Any) -> Iterator[str]:
    """A prefix for this run's index names (``searchlib-test-<pid>-<random>``), so that runs
    sharing a cluster never meet; the session ends by deleting every index under it."""
    name = f"searchlib-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield name
    cluster.indices.delete(index=f"{name}*", ignore_unavailable=True, allow_no_indices=True)


@pytest.fixture(scope="module")
def cluster_archives(cluster: Any, cluster_url: str, unique_name: str) -> Iterator[Callable[[], Archive]]:
    """Makes empty archives in the test cluster, each an index of its own under ``unique_name``;
    at the end of the module they are closed and their indexes deleted (a whole session's would
    hold several hundred shards at once, and fill the nodes' memory)."""
    made: list[tuple[str, Archive]] = []

    def new_archive() -> Archive:
        name = f"{unique_name}-archive-{next(_NUMBERS)}-a"  # "-a": no name is the start of another
        archive = Archive(f"{cluster_url}/{name}")
        made.append((name, archive))
        return archive

    yield new_archive
    for name, archive in made:
        archive.close()
        cluster.indices.delete(index=f"{name}*", ignore_unavailable=True, allow_no_indices=True)


_NUMBERS = itertools.count()

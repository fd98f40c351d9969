"""What every test folder shares: the repository's paths, the team's shared data, and the tiers.

The tiers (tests/README.md): a test marked ``slow``, ``browser``, ``opensearch`` or ``equivalence``
belongs to that tier; a test that uses the OpenSearch test cluster (the ``cluster_url`` fixture of
tests/backends/opensearch/conftest.py, or one built on it) is marked ``opensearch`` here; every
other test is marked ``quick``, so ``python -m pytest -m quick`` is the working loop. Plain
``python -m pytest`` runs every tier.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from searchlib import Archive
from tests.clusters import cluster, cluster_archives, cluster_url, unique_name  # noqa: F401 - fixtures for every folder

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_ea71d8d9c7e3bcc7.txt"
SAMPLES = REPO / "samples"
FIXTURES = REPO / "tests" / "fixtures"
BENCHMARKS = REPO / "benchmarks"

#: The articles of ../shared/data the equivalence tests also compare over (read in place, never
#: copied): every Wikinews article (text CC BY 2.5), then OrangeSum's first, up to SHARED_CORPUS_SIZE.
SHARED_CORPUS = (
    (SHARED / "data" / "wikinews-fr-winer" / "wikinews_fr_2016_2018.jsonl", "Wikinews"),
    (SHARED / "data" / "wikinews-fr-100" / "wikinews_fr_2012.jsonl", "Wikinews"),
    (SHARED / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz", "Orange Actu"),
)
SHARED_CORPUS_SIZE = 3000

#: The tiers a test is put in by a marker of its own; a test in none of them is ``quick``.
TIERS = ("slow", "browser", "opensearch", "equivalence")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "cluster_url" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("opensearch"):
            item.add_marker(pytest.mark.opensearch)
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.quick)


#: The engines the shared behaviour tests run on: the embedded index, and the OpenSearch test
#: cluster (its case is in the ``opensearch`` tier; tests/clusters.py says how it is found).
BACKENDS = ("embedded", pytest.param("opensearch", marks=pytest.mark.opensearch))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The engine a shared behaviour test runs on: ``embedded`` or ``opensearch``."""
    return request.param


@pytest.fixture(scope="module")
def new_archive(backend: str, request: pytest.FixtureRequest) -> Callable[[], Archive]:
    """Makes an empty archive on the test's engine: in memory, or an index of its own in the test
    cluster. The search, bad-input, JSON and HTTP tests take it, so that one test function checks
    both engines."""
    if backend == "embedded":
        return Archive.in_memory
    return request.getfixturevalue("cluster_archives")


@pytest.fixture
def shared() -> Path:
    """The team's shared data folder; tests that need it skip cleanly where it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture(scope="session", params=["samples", pytest.param("shared", marks=pytest.mark.slow)])
def corpus(request: pytest.FixtureRequest) -> str:
    """The articles an equivalence test compares over: ``samples`` (the shipped ones, as the test
    has always used them) or ``shared`` (SHARED_CORPUS_SIZE articles of ../shared/data: slow, and
    skipped where ../shared is absent). Read them with tests.corpora.shared_articles()."""
    if request.param == "shared" and not all(path.is_file() for path, _ in SHARED_CORPUS):
        pytest.skip("the Wikinews and OrangeSum sets of ../shared/data are not beside the repository")
    return request.param

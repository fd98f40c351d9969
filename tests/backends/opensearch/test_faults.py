"""Faults in a real cluster: a node stopped while people search, the whole cluster stopped during
an indexing run. On a two-node cluster of their own (started here by scripts/opensearch_cluster.py
on other ports, stopped after), so that the suite's shared cluster is never touched.

In the ``opensearch`` tier (the ``cluster_url`` fixture), and ``slow``: each start takes seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchlib import Archive
from searchlib.errors import ClusterError
from tests.conftest import REPO, SAMPLES

pytestmark = pytest.mark.slow

SCRIPT = REPO / "scripts" / "opensearch_cluster.py"
PORT = 9420  # HTTP 9420 and 9421, transport 9520 and 9521


def _cluster(command: str, rundir: Path, *more: str) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), command, "--dir", str(rundir), *more],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _start(rundir: Path, *more: str) -> None:
    _cluster("start", rundir, "--nodes", "2", "--port", str(PORT), "--cluster-name", "searchlib-faults", *more)


def _pids(rundir: Path) -> list[int]:
    return [int(line) for line in (rundir / "pids").read_text().split()]


@pytest.fixture
def private_cluster(cluster_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Two nodes of a cluster of its own: (the first node's URL, the run folder)."""
    rundir = tmp_path / "cluster"
    _start(rundir)
    try:
        yield f"http://127.0.0.1:{PORT}", rundir
    finally:
        _cluster("stop", rundir)


def test_searches_keep_answering_from_the_replica_when_a_node_stops(private_cluster: tuple[str, Path]) -> None:
    url, rundir = private_cluster
    with Archive(f"{url}/faults") as archive:
        archive.index_paths([SAMPLES])
        before = {query: [hit.id for hit in archive.search(query).hits] for query in ("pekin", "police", "élection")}
        os.kill(_pids(rundir)[1], signal.SIGKILL)  # the second node, which the URL does not name
        time.sleep(1)
        for query, hits in before.items():
            results = archive.search(query)
            assert [hit.id for hit in results.hits] == hits, query
        assert len(archive) == 200


def test_a_run_stopped_by_the_cluster_going_away_is_finished_by_running_it_again(
    private_cluster: tuple[str, Path], tmp_path: Path
) -> None:
    url, rundir = private_cluster
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(3000):
            out.write(json.dumps({"id": f"a{number}", "title": f"Dépêche {number}", "text": "Grève à la SNCF. " * 20}) + "\n")
    location = f"{url}/stopped"

    def progress(done: int, total: int, articles: int) -> None:
        if articles >= 1000 and not (rundir / "stopped").exists():  # the whole cluster, mid-run
            (rundir / "stopped").touch()
            for pid in _pids(rundir):
                os.kill(pid, signal.SIGKILL)

    with Archive(location) as archive:
        with pytest.raises(ClusterError) as caught:
            archive.index_paths([path], progress, batch_size=250)
    message = f"{caught.value}; {caught.value.hint}"
    assert "\n" not in message and "no cluster answers there" in message
    _start(rundir, "--keep-data")
    with Archive(location) as archive:
        report = archive.index_paths([path], batch_size=250)
        assert report.ok and len(archive) == 3000  # nothing lost, nothing twice (ids are the documents' ids)
        assert sorted(article.id for article in archive) == sorted(f"a{number}" for number in range(3000))

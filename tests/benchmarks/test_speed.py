"""Smoke test of benchmarks/speed.py: every row is produced. Nothing is asserted about time.

The runs here name no cluster, so the ``opensearch`` engine is skipped with its note; its row is
checked against the test cluster (tests/clusters.py) by the test that takes ``cluster_url``, which
is therefore in the ``opensearch`` tier too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import BENCHMARKS, REPO

pytestmark = pytest.mark.slow  # each runs the benchmark in a process of its own

SCRIPT = BENCHMARKS / "speed.py"
SAMPLES = REPO / "samples" / "wikinews_fr_sample.jsonl"
ORANGESUM = REPO.parent / "shared" / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz"
COLUMNS = {"index_s", "articles_s", "mb_s", "peak_rss", "index_bytes", "size_ratio", "p50_ms", "p95_ms", "p99_ms", "cold_ms"}
ENGINES = {"searchlib", "whoosh-naive", "whoosh-procs2", "fts5", "tantivy", "opensearch"}
#: This environment without the variable that names a cluster: the runs stay off any cluster.
NO_CLUSTER = {name: value for name, value in os.environ.items() if name != "SEARCHLIB_OPENSEARCH_URL"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=REPO, env=NO_CLUSTER)


def check_report(report: dict, articles: int) -> None:
    assert report["articles"] == articles
    assert set(report["engines"]) == ENGINES - set(report["skipped"])
    assert set(report["skipped"]) <= {"tantivy", "opensearch"}
    assert "SEARCHLIB_OPENSEARCH_URL" in report["skipped"]["opensearch"]
    for name, row in report["engines"].items():
        assert COLUMNS <= set(row), name
        assert row["hits"] > 0, f"{name} found nothing"
        assert row["index_bytes"] > 0 and row["peak_rss"] > 0
    assert report["engines"]["whoosh-naive"]["speed_x"] == pytest.approx(1.0)


def test_quick_run_on_the_shipped_samples_produces_every_row() -> None:
    done = run(str(SAMPLES), "--quick", "--queries", "20", "--cli-runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    check_report(json.loads(done.stdout), 199)


def test_the_table_has_a_row_per_engine_and_the_growth_line() -> None:
    done = run(str(SAMPLES), "--limit", "60", "--scale", "2", "--queries", "10", "--cli-runs", "0",
               "--engines", "searchlib,fts5")
    assert done.returncode == 0, done.stderr
    rows = [line.split("|")[1].strip() for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows == ["engine", "searchlib", "fts5"]
    assert "searchlib growth ×2 articles" in done.stdout


@pytest.mark.skipif(not ORANGESUM.exists(), reason="the team's OrangeSum corpus (../shared/data) is absent")
def test_quick_run_on_orangesum_by_default() -> None:
    done = run("--quick", "--limit", "200", "--queries", "10", "--cli-runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    check_report(json.loads(done.stdout), 200)


def test_a_missing_corpus_is_a_clear_message() -> None:
    done = run("/nonexistent/corpus.jsonl.xz", "--quick")
    assert done.returncode == 2
    assert "corpus not found: /nonexistent/corpus.jsonl.xz" in done.stderr
    assert done.stdout == ""


def test_the_opensearch_engine_has_its_row_and_deletes_its_index(cluster_url: str, cluster: Any) -> None:
    env = dict(os.environ, SEARCHLIB_OPENSEARCH_URL=cluster_url)
    command = [sys.executable, str(SCRIPT), str(SAMPLES), "--quick", "--queries", "10", "--cli-runs", "1",
               "--engines", "searchlib,opensearch", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()  # nothing to do once it has ended
    assert process.returncode == 0, err
    report = json.loads(out)
    assert set(report["engines"]) == {"searchlib", "opensearch"} and report["skipped"] == {}
    row = report["engines"]["opensearch"]
    assert COLUMNS <= set(row)
    assert row["hits"] > 0 and row["peak_rss"] > 0
    # the primaries' store, read once the cluster's cached store stats have caught up
    assert row["index_bytes"] > 100_000
    assert row["cluster"]["url"] == cluster_url and row["cluster"]["nodes"] >= 1
    assert cluster.cat.indices(index=f"speed-{process.pid}-*", format="json") == []

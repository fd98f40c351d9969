"""Smoke test of benchmarks/research.py: every step and export row is produced. Nothing is asserted
about time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from searchlib import Archive
from tests.conftest import BENCHMARKS, REPO, SAMPLES

pytestmark = pytest.mark.slow  # runs the benchmark in processes of its own


def test_a_quick_run_over_the_samples_reports_every_step(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with Archive(index) as archive:
        archive.index_paths([SAMPLES])
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "research.py"), str(index), "--queries", "8", "--rounds", "1",
         "--export", "20,50", "--json"],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["steps"]) == {"search", "trend5", "kwic", "terms"}
    assert report["steps"]["search"]["x_search"] == 1.0
    assert all(row["runs"] > 0 and row["p50_ms"] > 0 for row in report["steps"].values())
    exported = {size: row["rows"] for size, row in report["export"].items() if size != "query"}
    assert exported == {"20": 20, "50": 50}

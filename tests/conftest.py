from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_ea71d8d9c7e3bcc7.txt"
SAMPLES = REPO / "samples"
FIXTURES = REPO / "tests" / "fixtures"
BENCHMARKS = REPO / "benchmarks"


@pytest.fixture
def shared() -> Path:
    """The team's shared data folder; tests that need it skip cleanly where it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED

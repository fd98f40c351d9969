"""What every test folder shares: the repository's paths, the team's shared data, and the tiers.

The tiers (tests/README.md): a test marked ``slow``, ``browser`` or ``equivalence`` belongs to that
tier; every other test is marked ``quick`` here, so ``python -m pytest -m quick`` is the working loop.
Plain ``python -m pytest`` runs every tier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_ea71d8d9c7e3bcc7.txt"
SAMPLES = REPO / "samples"
FIXTURES = REPO / "tests" / "fixtures"
BENCHMARKS = REPO / "benchmarks"

#: The tiers a test is put in by a marker of its own; a test in none of them is ``quick``.
TIERS = ("slow", "browser", "equivalence")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.quick)


@pytest.fixture
def shared() -> Path:
    """The team's shared data folder; tests that need it skip cleanly where it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED

"""Addresses are shown decoded to people on a terminal ("Élection", not "%C3%89lection") and kept
as stored in JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import Archive, Article
from searchlib.cli import main
from searchlib.render import readable_url

STORED = "https://fr.wikinews.org/wiki/%C3%89lection_pr%C3%A9sidentielle_%3A_le_second_tour?x=1%262%3D3"
SHOWN = "https://fr.wikinews.org/wiki/Élection_présidentielle_:_le_second_tour?x=1%262%3D3"


@pytest.fixture
def index(tmp_path: Path) -> Path:
    with Archive(tmp_path / "ix") as archive:
        archive.add(Article(id="election", title="Élection présidentielle", body="Le second tour.", url=STORED))
    return tmp_path / "ix"


def test_search_and_show_print_the_address_decoded(index: Path) -> None:
    runner = CliRunner()
    found = runner.invoke(main, ["search", "election", "--index", str(index)])
    shown = runner.invoke(main, ["show", "election", "--index", str(index)])
    assert f"id: election  {SHOWN}" in found.stdout and "%C3" not in found.stdout
    assert f"URL: {SHOWN}" in shown.stdout


def test_json_keeps_the_address_as_stored(index: Path) -> None:
    runner = CliRunner()
    found = json.loads(runner.invoke(main, ["search", "election", "--index", str(index), "--json"]).stdout)
    shown = json.loads(runner.invoke(main, ["show", "election", "--index", str(index), "--json"]).stdout)
    assert found["hits"][0]["url"] == shown["url"] == STORED


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("https://e.org/caf%C3%A9", "https://e.org/café"),
        ("https://e.org/caf%c3%a9", "https://e.org/café"),  # lower-case escapes
        # What would change the address, or cannot be seen, stays encoded.
        ("https://e.org/a%20b%2Fc%3Fd%23e", "https://e.org/a%20b%2Fc%3Fd%23e"),
        ("https://e.org/x%0Ay%E2%80%8Bz", "https://e.org/x%0Ay%E2%80%8Bz"),
        ("https://e.org/caf%E9", "https://e.org/caf%E9"),  # Latin-1, not UTF-8: left alone
        ("https://e.org/100%", "https://e.org/100%"),
    ],
)
def test_what_is_decoded_and_what_is_not(stored: str, shown: str) -> None:
    assert readable_url(stored) == shown

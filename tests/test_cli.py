"""The `searchlib` command as people and scripts use it: exact output, exit codes, stderr."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from whoosh import index as whoosh_index

from searchlib import Archive, cli
from searchlib.cli import main
from tests.corpora import DIPLOMACY, SAMPLE_JSONL, without_timing

PEKIN_TXT = """\
Titre: Alerte à la pollution à Pékin
Date: 13 juillet 2023
Source: Le Monde
Auteur: Marie Dupont
URL: https://example.org/pekin
Id: pekin-pollution

Les autorités de Pékin ont décrété l'alerte rouge jeudi.

Le code <script>alert(1)</script> & les balises du site Pékin Info n'y changent rien.
"""

ASEAN_RECORDS = [
    {
        "id": "asean-jakarta",
        "title": "Sommet de l'Asean à Jakarta",
        "text": "Antony Blinken rencontre Wang Yi à Jakarta. Une cyberattaque chinoise est évoquée.",
        "source": "AFP",
        "date": "2023-07-14",
    },
    {
        "id": "fentanyl",
        "title": "Fentanyl : un opioïde",
        "text": "Le fentanyl, opioïde de synthèse, inquiète Washington.",
        "author": "Paul Martin",
    },
]

SUMMARY = re.compile(r"^(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) removed, (\d+) failed$")


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    """Records as JSON Lines; a str in ``lines`` is written as it is (to break a line on purpose)."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "pekin.txt").write_text(PEKIN_TXT, encoding="utf-8")
    write_jsonl(folder / "asean.jsonl", ASEAN_RECORDS)
    return folder


@pytest.fixture
def runner() -> CliRunner:
    # SEARCHLIB_INDEX or NO_COLOR may be set where the tests run; None unsets them for every invocation.
    return CliRunner(env={"SEARCHLIB_INDEX": None, "NO_COLOR": None})


def run(runner: CliRunner, *args: str | Path, **kwargs: Any) -> Result:
    return runner.invoke(main, [str(a) for a in args], **kwargs)


@pytest.fixture
def index_dir(runner: CliRunner, archive_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    result = run(runner, "index", archive_dir, "--index", path)
    assert result.exit_code == 0, result.output
    return path


def one_error_line(result: Result) -> str:
    """The single ``Error: …`` line a failed command prints, with no traceback anywhere."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# -- index -------------------------------------------------------------------------------------


def test_index_prints_a_summary(runner: CliRunner, archive_dir: Path, tmp_path: Path) -> None:
    result = run(runner, "index", archive_dir, "--index", tmp_path / "ix")
    assert (result.exit_code, without_timing(result.stdout), result.stderr) == (0, "3 added, 0 updated, 0 unchanged, 0 removed, 0 failed\n", "")


def test_index_again_changes_nothing_and_an_edit_updates_one(
    runner: CliRunner, archive_dir: Path, index_dir: Path
) -> None:
    again = run(runner, "index", archive_dir, "--index", index_dir)
    assert (again.exit_code, without_timing(again.stdout)) == (0, "0 added, 0 updated, 3 unchanged, 0 removed, 0 failed\n")

    pekin = archive_dir / "pekin.txt"
    pekin.write_text(PEKIN_TXT.replace("jeudi", "vendredi"), encoding="utf-8")
    edited = run(runner, "index", archive_dir, "--index", index_dir)
    assert (edited.exit_code, without_timing(edited.stdout)) == (0, "0 added, 1 updated, 2 unchanged, 0 removed, 0 failed\n")
    assert "vendredi" in run(runner, "show", "pekin-pollution", "--index", index_dir).stdout
    assert json.loads(run(runner, "stats", "--index", index_dir, "--json").stdout)["articles"] == 3


def test_broken_jsonl_line_is_reported_and_the_rest_indexed(runner: CliRunner, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"id": "c1", "title": "Canicule à Pékin", "text": "Records de chaleur."},
            '{"id": "c2", "title": "Coupé en plein',
            {"id": "c3", "title": "Pékin sous la pluie", "text": "Inondations."},
        ],
    )
    result = run(runner, "index", path, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert without_timing(result.stdout) == "2 added, 0 updated, 0 unchanged, 0 removed, 1 failed\n"
    [failure] = result.stderr.splitlines()
    assert failure.startswith(f"failed: {path}:2: invalid JSON")

    found = json.loads(run(runner, "search", "pekin", "--index", tmp_path / "ix", "--json").stdout)
    assert sorted(hit["id"] for hit in found["hits"]) == ["c1", "c3"]


def test_missing_path_is_reported(runner: CliRunner, archive_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = run(runner, "index", archive_dir, missing, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert without_timing(result.stdout) == "3 added, 0 updated, 0 unchanged, 0 removed, 1 failed\n"
    assert result.stderr == f"failed: {missing}: no such file or directory\n"


def test_index_needs_a_path(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "index", "--index", tmp_path / "ix")
    assert result.exit_code == 2 and "PATHS" in result.stderr
    assert not (tmp_path / "ix").exists()


def test_index_location_from_option_environment_or_default(
    runner: CliRunner, archive_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = tmp_path / "from-env"
    result = run(runner, "index", archive_dir, env={"SEARCHLIB_INDEX": str(from_env)})
    assert result.exit_code == 0 and (from_env / "searchlib.json").is_file()
    stats = run(runner, "stats", "--json", "--index", from_env)
    assert json.loads(stats.stdout)["articles"] == 3

    # --index wins over the environment
    from_option = tmp_path / "from-option"
    result = run(runner, "index", archive_dir, "--index", from_option, env={"SEARCHLIB_INDEX": str(from_env)})
    assert result.exit_code == 0 and (from_option / "searchlib.json").is_file()
    assert json.loads(run(runner, "stats", "--json", env={"SEARCHLIB_INDEX": str(from_option)}).stdout)["articles"] == 3

    # neither: ./index
    monkeypatch.chdir(tmp_path)
    assert run(runner, "index", archive_dir).exit_code == 0
    assert (tmp_path / "index" / "searchlib.json").is_file()


def test_index_locked_by_another_writer_fails_with_one_line(
    runner: CliRunner, archive_dir: Path, index_dir: Path
) -> None:
    other_writer = whoosh_index.open_dir(str(index_dir), indexname="articles").writer()
    try:
        result = run(runner, "index", archive_dir, "--index", index_dir, "--wait", "0.2")
        assert "another process" in one_error_line(result)
        assert result.stdout == ""
    finally:
        other_writer.cancel()
    again = run(runner, "index", archive_dir, "--index", index_dir, "--wait", "0.2")
    assert (again.exit_code, without_timing(again.stdout)) == (0, "0 added, 0 updated, 3 unchanged, 0 removed, 0 failed\n")


# -- search ------------------------------------------------------------------------------------

HIT_KEYS = {"id", "title", "title_html", "date", "source", "author", "url", "score", "snippet"}


def search_json(runner: CliRunner, index_dir: Path, query: str, *more: str) -> dict[str, Any]:
    result = run(runner, "search", query, "--index", index_dir, "--json", *more)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # the whole of stdout is one JSON document


def test_search_json_shape(runner: CliRunner, index_dir: Path) -> None:
    data = search_json(runner, index_dir, "pekin OR fentanyl OR jakarta")
    assert set(data) == {"query", "total", "page", "limit", "sort", "filters", "hits"}
    assert (data["query"], data["total"], len(data["hits"])) == ("pekin OR fentanyl OR jakarta", 3, 3)
    assert (data["page"], data["limit"], data["sort"], data["filters"]) == (1, 10, "relevance", {})
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["date"])
        assert isinstance(hit["score"], float) and hit["score"] > 0
    scores = [hit["score"] for hit in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    by_id = {hit["id"]: hit for hit in data["hits"]}
    assert {key: by_id["pekin-pollution"][key] for key in ("title", "date", "source", "author", "url")} == {
        "title": "Alerte à la pollution à Pékin",
        "date": "2023-07-13",
        "source": "Le Monde",
        "author": "Marie Dupont",
        "url": "https://example.org/pekin",
    }
    assert (by_id["asean-jakarta"]["date"], by_id["asean-jakarta"]["source"]) == ("2023-07-14", "AFP")
    fentanyl = by_id["fentanyl"]
    assert (fentanyl["date"], fentanyl["author"], fentanyl["url"]) == (None, "Paul Martin", None)


def test_search_json_snippet_marks_the_accented_word_and_escapes_the_text(
    runner: CliRunner, index_dir: Path
) -> None:
    [hit] = search_json(runner, index_dir, "pekin")["hits"]
    snippet = hit["snippet"]
    assert "<mark>Pékin</mark>" in snippet
    assert set(re.findall(r"<mark>(.*?)</mark>", snippet)) == {"Pékin"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; les balises" in snippet
    assert "<script>" not in snippet and " & " not in snippet
    # unescaped and unmarked, the snippet is the article's own text
    plain = html.unescape(re.sub(r"</?mark>", "", snippet)).strip("…").strip()
    assert plain in "Les autorités de Pékin ont décrété l'alerte rouge jeudi. " + PEKIN_TXT.rsplit("\n\n", 1)[1]


def test_search_limit(runner: CliRunner, index_dir: Path) -> None:
    data = search_json(runner, index_dir, "pekin OR fentanyl OR jakarta", "--limit", "1")
    assert (data["total"], len(data["hits"])) == (3, 1)
    assert run(runner, "search", "pekin", "--index", index_dir, "--limit", "0").exit_code == 2


def test_search_text_output(runner: CliRunner, index_dir: Path) -> None:
    # color=True: CliRunner keeps escape codes, so plain output is the command's own choice.
    result = run(runner, "search", "pekin", "--index", index_dir, color=True)
    assert (result.exit_code, result.stderr) == (0, "")
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Showing 1 of 1 articles",
        "",
        "1. Alerte à la pollution à Pékin",
        "   2023-07-13 · Le Monde · Marie Dupont",
    ]
    assert lines[4].startswith("   ") and "Pékin" in lines[4] and "<script>" in lines[4]
    assert lines[5:] == ["   id: pekin-pollution  https://example.org/pekin"]


def test_search_without_hits(runner: CliRunner, index_dir: Path) -> None:
    result = run(runner, "search", "ornithorynque", "--index", index_dir)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "No articles found.\n", "")
    assert search_json(runner, index_dir, "ornithorynque") == {
        "query": "ornithorynque", "total": 0, "page": 1, "limit": 10, "sort": "relevance", "filters": {}, "hits": []
    }


class _TerminalSys:
    """``sys`` as cli.py sees it when stdout is a terminal (under CliRunner it never is)."""

    class stdout:  # noqa: N801 - stands in for sys.stdout
        @staticmethod
        def isatty() -> bool:
            return True

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "sys", _TerminalSys())


def test_search_colours_matches_on_a_terminal(runner: CliRunner, index_dir: Path, terminal: None) -> None:
    coloured = run(runner, "search", "pekin", "--index", index_dir, color=True)
    assert coloured.exit_code == 0 and "\x1b[" in coloured.stdout
    plain = run(runner, "search", "pekin", "--index", index_dir, "--no-color", color=True)
    assert click.unstyle(coloured.stdout) == plain.stdout


@pytest.mark.parametrize(
    ("option", "env"), [("--no-color", {}), (None, {"NO_COLOR": "1"}), (None, {"NO_COLOR": ""})]
)
def test_no_color_on_a_terminal(
    runner: CliRunner, index_dir: Path, terminal: None, option: str | None, env: dict[str, str]
) -> None:
    args = ["search", "pekin", "--index", index_dir] + ([option] if option else [])
    result = run(runner, *args, env=env, color=True)
    assert result.exit_code == 0 and "Pékin" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"cyberattaque chinoise', "asean-jakarta"),
        ("(cyberattaque", "asean-jakarta"),
        ("AND cyberattaque", "asean-jakarta"),
        ("fentanyl)", "fentanyl"),
        ('"unclosed', None),
        ("(cyber", None),
    ],
)
def test_syntax_errors_are_searched_as_words_with_a_note(
    runner: CliRunner, index_dir: Path, query: str, found: str | None
) -> None:
    result = run(runner, "search", query, "--index", index_dir)
    assert result.exit_code == 0
    [note] = result.stderr.splitlines()
    assert note.startswith("note: ")
    if found:
        assert f"   id: {found}" in result.stdout.splitlines()
    else:
        assert result.stdout == "No articles found.\n"

    data = search_json(runner, index_dir, query)
    assert data["notices"] and data["notices"][0] in note
    assert [hit["id"] for hit in data["hits"]] == ([found] if found else [])


@pytest.mark.parametrize("query", ["", "   ", "SAUF pekin", "NOT pekin", '""'])
def test_queries_with_nothing_to_search_fail_with_one_line(runner: CliRunner, index_dir: Path, query: str) -> None:
    result = run(runner, "search", query, "--index", index_dir)
    one_error_line(result)
    assert result.stdout == ""


# -- show --------------------------------------------------------------------------------------


def test_show_json_is_the_whole_stored_article(runner: CliRunner, index_dir: Path, archive_dir: Path) -> None:
    result = run(runner, "show", "pekin-pollution", "--index", index_dir, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": "pekin-pollution",
        "title": "Alerte à la pollution à Pékin",
        "lede": "Les autorités de Pékin ont décrété l'alerte rouge jeudi.",
        "body": "Le code <script>alert(1)</script> & les balises du site Pékin Info n'y changent rien.",
        "date": "2023-07-13",
        "source": "Le Monde",
        "author": "Marie Dupont",
        "agency": None,
        "place": None,
        "url": "https://example.org/pekin",
        "section": None,
        "path": str(archive_dir / "pekin.txt"),
    }


def test_show_text(runner: CliRunner, index_dir: Path) -> None:
    result = run(runner, "show", "fentanyl", "--index", index_dir)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Fentanyl : un opioïde", "=" * len("Fentanyl : un opioïde")]
    assert "Author: Paul Martin" in lines and "Id: fentanyl" in lines and "Date: None" not in result.stdout
    assert lines[-1] == "Le fentanyl, opioïde de synthèse, inquiète Washington."


def test_show_unknown_id(runner: CliRunner, index_dir: Path) -> None:
    result = run(runner, "show", "no-such-article", "--index", index_dir)
    assert "no-such-article" in one_error_line(result)
    assert result.stdout == ""


# -- stats -------------------------------------------------------------------------------------


def test_stats(runner: CliRunner, index_dir: Path) -> None:
    text = run(runner, "stats", "--index", index_dir)
    assert text.exit_code == 0 and "Articles: 3" in text.stdout.splitlines()
    data = json.loads(run(runner, "stats", "--index", index_dir, "--json").stdout)
    assert (data["articles"], data["first_date"], data["last_date"]) == (3, "2023-07-13", "2023-07-14")
    assert data["sources"] == {"AFP": 1, "Le Monde": 1}


# -- errors every reading command shares -------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["search", "pekin"], ["search", "pekin", "--json"], ["show", "x"], ["stats"], ["stats", "--json"]]
)
def test_missing_index_says_how_to_build_one(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere"
    result = run(runner, *args, "--index", missing)
    assert "searchlib index" in one_error_line(result)
    assert result.stdout == ""
    assert not missing.exists()  # reading never creates an index


@pytest.mark.parametrize("version", [6, 9])  # older than this searchlib reads, newer than it writes
def test_index_from_another_version_says_how_to_rebuild(runner: CliRunner, index_dir: Path, version: int) -> None:
    manifest = index_dir / "searchlib.json"
    written = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**written, "schema_version": version}))
    for args in (["search", "pekin"], ["stats"], ["index", index_dir]):
        result = run(runner, *args, "--index", index_dir)
        line = one_error_line(result)
        assert "rebuild" in line and "searchlib index" in line, args


def test_index_into_a_folder_of_other_files_is_refused_and_not_advised_deleted(
    runner: CliRunner, archive_dir: Path, tmp_path: Path
) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.odt").write_bytes(b"five years of work")
    result = run(runner, "index", archive_dir, "--index", documents)
    line = one_error_line(result)
    assert "thesis.odt" in line
    assert sorted(p.name for p in documents.iterdir()) == ["thesis.odt"]
    # The folder was never an index: "rebuild it: delete <folder>" would have the user delete their thesis.
    assert f"delete {documents}" not in line


@pytest.mark.parametrize("command", [[], *([name] for name in main.commands)])
def test_every_command_has_help_with_an_example(runner: CliRunner, command: list[str]) -> None:
    result = run(runner, *command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_similar_json_has_the_search_shape(runner: CliRunner, index_dir: Path) -> None:
    result = run(runner, "similar", "pekin-pollution", "--index", index_dir, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["query"] == "similar to pekin-pollution"
    assert all(hit["id"] != "pekin-pollution" for hit in data["hits"])
    assert run(runner, "similar", "nope", "--index", index_dir).exit_code == 1


def test_the_index_command_takes_jobs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchlib.cli import main

    result = CliRunner().invoke(main, ["index", str(SAMPLE_JSONL), "--index", str(tmp_path / "ix"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("199 added, 0 updated")
    assert "--jobs" in CliRunner().invoke(main, ["index", "--help"]).output


@pytest.fixture(scope="module")
def diplomacy_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("features") / "ix"
    with Archive(path) as archive:
        archive.add_many(DIPLOMACY)
    return path


def search_diplomacy(index: Path, *args: str) -> tuple[int, str, str]:
    """`searchlib search ARGS` in the index of the five DIPLOMACY articles."""
    result = CliRunner(env={"SEARCHLIB_INDEX": None, "NO_COLOR": None}).invoke(
        main, ["search", *args, "--index", str(index)]
    )
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_echoes_paging_and_filters_and_counts_facets(diplomacy_index: Path) -> None:
    code, out, _ = search_diplomacy(
        diplomacy_index, "blinken", "--json", "--from", "juillet 2023", "--source", "AFP", "--source", "Le Monde",
        "--sort", "-date", "--limit", "1", "--page", "2", "--facets", "source,year",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert {key: data[key] for key in ("total", "page", "limit", "sort")} == {"total": 2, "page": 2, "limit": 1, "sort": "-date"}
    assert data["filters"] == {"from": "2023-07-01", "source": ["AFP", "Le Monde"]}
    assert data["facets"] == {"source": {"AFP": 1, "le monde": 1}, "year": {"2023": 2}}  # as that article spells it
    assert [hit["id"] for hit in data["hits"]] == ["jakarta"]


def test_cli_text_shows_the_range_the_suggestion_and_the_timeline(diplomacy_index: Path) -> None:
    code, out, _ = search_diplomacy(
        diplomacy_index, "blinken", "--limit", "2", "--page", "2", "--sort", "date", "--facets", "year,source"
    )
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Showing 3–4 of 4 articles" and lines[2].startswith("3. ")
    assert "Sources: AFP (2) · Le Monde (2)" in lines
    # two years or less: drawn per month, the months without articles shown empty
    timeline = lines[lines.index("2022-01 " + "█" * 40 + " 1") :]
    assert [line[:7] for line in timeline] == [f"{year}-{month:02d}" for year in (2022, 2023) for month in range(1, 13)][:20]
    assert timeline[1] == "2022-02 " + " " * 40 + " 0"
    code, out, _ = search_diplomacy(diplomacy_index, "cyberataque")
    assert out == "No articles found.\n\nDid you mean: cyberattaque (2 articles)\n"
    code, out, _ = search_diplomacy(diplomacy_index, "cyberataque", "--json")
    assert json.loads(out)["suggestion"] == {"query": "cyberattaque", "total": 2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "hier"], "bad from 'hier'"),
        (["--facets", "source,colour"], "'colour' is not one of"),
        (["--sort", "oldest"], "'oldest' is not one of"),
        (["--page", "0"], "0 is not in the range"),
    ],
)
def test_cli_bad_filters_fail_with_one_line(diplomacy_index: Path, args: list[str], message: str) -> None:
    code, out, err = search_diplomacy(diplomacy_index, "blinken", *args)
    assert code in (1, 2) and out == "" and message in err

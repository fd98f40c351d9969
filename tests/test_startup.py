"""`searchlib search` starts fast: searching never imports the readers' heavy libraries, nor the
index writer."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from searchlib import Archive, Article

READER_LIBRARIES = ("trafilatura", "lxml", "feedparser", "warcio", "ftfy")
#: The index writer's modules (and Whoosh's multiprocessing writer): loaded by a run that writes.
WRITER_MODULES = ("searchlib.backends.whoosh.bulkwrite", "searchlib.backends.whoosh.writing", "whoosh.multiproc")


def test_searching_does_not_import_the_readers(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.add(Article(id="a1", title="Pékin", body="Antony Blinken à Pékin."))
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from searchlib.cli import main\n"
        f"result = CliRunner().invoke(main, ['search', 'pekin', '--index', {str(tmp_path / 'ix')!r}])\n"
        "assert 'Pékin' in result.output, result.output\n"
        f"print(sorted(name for name in {READER_LIBRARIES + WRITER_MODULES!r} if name in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_indexing_json_lines_imports_only_what_it_reads(tmp_path: Path) -> None:
    # An index run that finds nothing new (or only JSON Lines) should not pay ~130 ms for the
    # HTML, feed and WARC readers' libraries; an HTML file still gets its reader.
    (tmp_path / "a.jsonl").write_text('{"id": "a1", "title": "Pékin", "text": "Antony Blinken à Pékin."}\n', encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Pékin</title></head><body><article><h1>Pékin</h1>"
        + "<p>Antony Blinken est arrivé à Pékin pour une visite de deux jours. " * 5
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from searchlib import Archive\n"
        f"with Archive({str(tmp_path / 'ix')!r}) as archive:\n"
        f"    report = archive.index_paths([{str(tmp_path / 'a.jsonl')!r}])\n"
        "    assert report.added == 1, report\n"
        "    print(sorted(name for name in ('trafilatura', 'feedparser', 'warcio') if name in sys.modules))\n"
        f"    report = archive.index_paths([{str(tmp_path / 'page.html')!r}])\n"
        "    print(report.added, 'trafilatura' in sys.modules)\n"
    )
    lines = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert lines[0] == "[]"
    assert lines[1] == "1 True"


def test_whoosh_english_variations_load_when_first_used() -> None:
    # Deferred so that a search does not compile its regular expressions: still there when used.
    script = (
        "import sys\n"
        "import searchlib.backends.whoosh\n"
        "from whoosh.query import Variations\n"
        "loaded = hasattr(sys.modules['whoosh.lang.morph_en'], '__file__')\n"
        "from whoosh.lang.morph_en import variations\n"
        "print(loaded, sorted(variations('rendered'))[:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split(" ", 1)[0] == "False"
    assert "render" in out


def test_the_program_exits_with_the_commands_status_and_all_its_output(tmp_path: Path) -> None:
    # `searchlib` skips the interpreter's teardown at exit (30 ms): what it printed must all be
    # there, and its exit status must be the command's.
    with Archive(tmp_path / "ix") as archive:
        archive.add_many([Article(id=f"a{i}", title=f"Pékin {i}", body="Antony Blinken à Pékin. " * 20) for i in range(300)])
    program = [sys.executable, "-m", "searchlib"]
    buffered = {**os.environ, "PYTHONUNBUFFERED": ""}  # as a terminal-less run has it: output waits in buffers
    found = subprocess.run(
        [*program, "search", "pekin", "--index", str(tmp_path / "ix"), "--format", "jsonl"], capture_output=True, text=True, env=buffered
    )
    assert found.returncode == 0, found.stderr
    assert sorted(json.loads(line)["id"] for line in found.stdout.splitlines()) == sorted(f"a{i}" for i in range(300))
    missing = subprocess.run([*program, "search", "pekin", "--index", str(tmp_path / "none")], capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.startswith("Error: no searchlib index") and missing.stderr.count("\n") == 1
    misused = subprocess.run([*program, "search", "pekin", "--limit", "many"], capture_output=True, text=True)
    assert misused.returncode == 2 and "Invalid value" in misused.stderr
    head = subprocess.run(
        f"{shlex.join([*program, 'search', 'pekin', '--index', str(tmp_path / 'ix'), '--format', 'jsonl'])} | head -1",
        shell=True, capture_output=True, text=True, executable="/bin/bash",
    )
    assert len(head.stdout.splitlines()) == 1 and head.stderr == ""

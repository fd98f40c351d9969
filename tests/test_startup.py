"""`searchlib search` starts fast: searching never imports the readers' heavy libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from searchlib import Archive, Article

READER_LIBRARIES = ("trafilatura", "lxml", "feedparser", "warcio", "ftfy")


def test_searching_does_not_import_the_readers(tmp_path: Path) -> None:
    with Archive(tmp_path / "ix") as archive:
        archive.add(Article(id="a1", title="Pékin", body="Antony Blinken à Pékin."))
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from searchlib.cli import main\n"
        f"result = CliRunner().invoke(main, ['search', 'pekin', '--index', {str(tmp_path / 'ix')!r}])\n"
        "assert 'Pékin' in result.output, result.output\n"
        f"print(sorted(name for name in {READER_LIBRARIES!r} if name in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"

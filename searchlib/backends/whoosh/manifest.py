"""The small JSON file beside the Whoosh files: which index is current and how it was built.

``index_name`` names the Whoosh index in the directory that searches use. A rebuild writes a new
index under a new name beside the old one and then replaces this file in one atomic step, so a
search sees either the old index or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ... import __version__
from ...analysis.french import ANALYZER_VERSION
from ...analysis.copy_keys import COPY_HASH_VERSION
from ...errors import IncompatibleIndex
from .schema import READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION

MANIFEST = "searchlib.json"
#: The index name of indexes written before rebuilds existed.
FIRST_INDEX_NAME = "articles"
REBUILD_HINT = "rebuild it from its files: searchlib index --rebuild --index {path}"


def read(path: Path) -> dict[str, Any] | None:
    """The manifest as written, or None when there is none; no version check."""
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IncompatibleIndex(path, f"its {MANIFEST} is unreadable ({error})", hint=REBUILD_HINT.format(path=path)) from None
    return data if isinstance(data, dict) else {}


def index_name(path: Path) -> str:
    data = read(path) or {}
    name = data.get("index_name", FIRST_INDEX_NAME)
    return name if isinstance(name, str) and name else FIRST_INDEX_NAME


def copy_hash_version(path: Path) -> int:
    """The wire-copy key version of the index at ``path`` (see :mod:`searchlib.analysis.copy_keys`): the one
    it was created with, so that the keys of the articles it holds and of those added later
    compare; 1 for indexes created before the manifest said."""
    version = (read(path) or {}).get("copy_hash_version", 1)
    if version not in range(1, COPY_HASH_VERSION + 1):
        raise IncompatibleIndex(path, f"its wire-copy keys are version {version!r}, this searchlib knows 1 to {COPY_HASH_VERSION}",
                                hint="upgrade searchlib, or " + REBUILD_HINT.format(path=path))
    return version


def check(path: Path) -> None:
    """Raises :class:`IncompatibleIndex` unless this searchlib can read the index at ``path``."""
    data = read(path)
    if data is None:
        raise IncompatibleIndex(path, f"it was not written by searchlib (no {MANIFEST})")
    if data.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
        reason = f"it has schema_version {data.get('schema_version')}, this searchlib needs {SCHEMA_VERSION}"
        raise IncompatibleIndex(path, reason, hint=REBUILD_HINT.format(path=path))
    if data.get("analyzer_version") != ANALYZER_VERSION:
        reason = f"it has analyzer_version {data.get('analyzer_version')}, this searchlib needs {ANALYZER_VERSION}"
        raise IncompatibleIndex(path, reason, hint=REBUILD_HINT.format(path=path))


def written_to(path: Path) -> None:
    """Marks the index at ``path`` as written by this searchlib: its table of contents now pickles
    this version's class paths, which a searchlib that wrote an older schema version cannot read."""
    data = read(path)
    if data is not None and data.get("schema_version") != SCHEMA_VERSION:
        _replace(path, {**data, "schema_version": SCHEMA_VERSION, "written_by": f"searchlib {__version__}"})


def write(path: Path, name: str) -> None:
    data = {
        "format": "searchlib-index",
        "index_name": name,
        "schema_version": SCHEMA_VERSION,
        "analyzer_version": ANALYZER_VERSION,
        "copy_hash_version": COPY_HASH_VERSION,
        "written_by": f"searchlib {__version__}",
    }
    _replace(path, data)


def _replace(path: Path, data: dict[str, Any]) -> None:
    tmp = path / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path / MANIFEST)


def stamp(path: Path) -> int:
    """Changes whenever the manifest is replaced (a rebuild swapped indexes)."""
    try:
        return (path / MANIFEST).stat().st_mtime_ns
    except OSError:
        return 0

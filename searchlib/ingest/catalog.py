"""What searchlib knows of the files it indexed: size, modification time and the articles each held.

Kept beside the Whoosh files (``files.json``) so that re-indexing an archive skips unchanged files
without reading them, and ``--prune`` can remove the articles of files that are gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..models import Failure

CATALOG = "files.json"
_FORMAT = 1


@dataclass
class FileRecord:
    #: (size, mtime_ns) when the file was last read completely; None forces a re-read.
    signature: tuple[int, int] | None
    ids: list[str] = field(default_factory=list)
    #: Records of the file that could not be indexed (or only in part): reported again on every
    #: run while the file stays as it is, without reading it.
    failures: list[Failure] = field(default_factory=list)


def signature_of(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


class FileCatalog:
    """Files by resolved path. In memory for an in-memory archive, else saved in ``directory``."""

    def __init__(self, directory: Path | None, index_name: str = "articles") -> None:
        # The first index of a directory keeps the plain name; a rebuilt one has its own catalog.
        name = CATALOG if index_name == "articles" else f"{index_name}.{CATALOG}"
        self.file = directory / name if directory else None
        self.files: dict[str, FileRecord] = {}
        if self.file and self.file.exists():
            try:
                self.load(json.loads(self.file.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                self.files = {}

    def load(self, data: dict[str, object]) -> None:
        """Takes the files of ``data`` (what :meth:`as_json` gave); a damaged catalog only costs a
        full re-read: every file is then read again."""
        try:
            for key, entry in data.get("files", {}).items():  # type: ignore[attr-defined]
                signature = tuple(entry["signature"]) if entry.get("signature") else None
                failures = [Failure(**failure) for failure in entry.get("failures", [])]
                self.files[key] = FileRecord(signature, list(entry.get("ids", [])), failures)  # type: ignore[arg-type]
        except (AttributeError, ValueError, KeyError, TypeError):
            self.files = {}

    def as_json(self) -> dict[str, object]:
        return {
            "format": _FORMAT,
            "files": {
                key: {"signature": r.signature, "ids": r.ids, "failures": [asdict(f) for f in r.failures]}
                for key, r in sorted(self.files.items())
            },
        }

    @staticmethod
    def key(path: Path) -> str:
        return str(path.resolve())

    def unchanged(self, path: Path) -> FileRecord | None:
        """The record of ``path`` when the file is as it was when last read completely."""
        record = self.files.get(self.key(path))
        if record is None or record.signature is None:
            return None
        try:
            return record if record.signature == signature_of(path) else None
        except OSError:
            return None

    def owners(self, article_id: str) -> list[str]:
        return [key for key, record in self.files.items() if article_id in record.ids]

    def forget_articles(self, ids: set[str]) -> None:
        """Files that held deleted articles are read again next time (and their articles return)."""
        for record in self.files.values():
            if ids.intersection(record.ids):
                record.signature = None

    def save(self) -> None:
        if self.file is None:
            return
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.as_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.file)

"""What the readers share: decoding bytes, ids derived from where an article came from."""

from __future__ import annotations

import hashlib
from pathlib import Path


class NotText(ValueError):
    """The bytes are not text in any encoding searchlib reads."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual encoding of old French archives."""
    if b"\x00" in data[:8192]:
        raise NotText("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise NotText("not text: neither UTF-8 nor Windows-1252") from None


def derived_id(path: Path, line: int | None = None) -> str:
    """A stable id for a record without one: the file's name and a digest of its full path.

    Indexing the same file again gives the same id, so its article is updated, not duplicated.
    """
    resolved = str(path.resolve())
    digest = hashlib.blake2b(resolved.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    base = f"{path.stem}-{digest}"
    return base if line is None else f"{base}-{line}"

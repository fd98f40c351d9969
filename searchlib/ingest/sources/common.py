"""What the readers share: decoding bytes, ids derived from where an article came from."""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path


class NotText(ValueError):
    """The bytes are not text in any encoding searchlib reads."""


# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip
# Characters no text file holds: C0 controls other than tab, line and page ends and the DOS end
# of file (^Z); after Windows-1252, also the C1 controls that its five undefined bytes become.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
_CONTROLS_CP1252 = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f\x81\x8d\x8f\x90\x9d]")
#: Above this share of control characters, bytes are binary data, not text.
MAX_CONTROL_SHARE = 0.01


def decode(data: bytes) -> str:
    """The text in ``data``: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM, else
    Windows-1252 — the usual encoding of old French archives, and a superset of Latin-1 in every
    byte that prints. Raises :class:`NotText` for binary data.

    Byte-level guessing (charset-normalizer) was measured on short French texts and did worse: it
    reads Windows-1252 "à" as Windows-1250 "ŕ". A text that is not valid UTF-8 is almost never
    anything but Windows-1252 or Latin-1 in a French archive.

    >>> decode("l’été".encode("cp1252"))
    'l’été'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), _CONTROLS)
            except UnicodeDecodeError:
                raise NotText(f"not text: invalid {encoding.upper()} after its byte order mark") from None
    head = data[:8192]
    if b"\x00" in head:
        encoding = _bomless_utf16(head)
        if encoding is None:
            raise NotText("binary file, not text")
        try:
            return _checked(data.decode(encoding), _CONTROLS)
        except UnicodeDecodeError:
            raise NotText("binary file, not text") from None
    try:
        return _checked(data.decode("utf-8"), _CONTROLS)
    except UnicodeDecodeError:
        pass
    # Latin-1 for the five bytes Windows-1252 leaves undefined: they come out as control characters,
    # which the check counts.
    return _checked(data.decode("cp1252", errors="latin1_fallback"), _CONTROLS_CP1252)


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a byte order mark, told by its zero bytes: text that is mostly Latin has one
    in every other byte, on the same side."""
    pairs = len(head) // 2
    if len(head) % 2 or pairs < 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.6 * pairs and even == 0:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd == 0:
        return "utf-16-be"
    return None


def _checked(text: str, controls: re.Pattern[str]) -> str:
    sample = text[:65536]
    found = len(controls.findall(sample))
    if found > max(2, MAX_CONTROL_SHARE * len(sample)):  # a stray byte or two is not binary data
        raise NotText("not text: neither UTF-8 nor Windows-1252 (control characters)")
    return text


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def derived_id(path: Path, line: int | None = None) -> str:
    """A stable id for a record without one: the file's name and a digest of its full path.

    Indexing the same file again gives the same id, so its article is updated, not duplicated.
    """
    resolved = str(path.resolve())
    digest = hashlib.blake2b(resolved.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    base = f"{path.stem}-{digest}"
    return base if line is None else f"{base}-{line}"

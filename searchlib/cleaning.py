"""Turning scraped article text into clean paragraphs, an author and a title.

Real scraped pages repeat their body, end with site furniture ("Lire aussi", "Commentaires") and
carry a byline line ("Georges Haddad, avec AFP"). These functions work on plain strings and lists
of paragraphs so every source format can share them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Spaces that scrapes leave in French text (non-breaking, narrow, thin…) become plain spaces.
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Lines that belong to the page, not to the article.
_BOILERPLATE = re.compile(
    r"""^(?:
        lire\ aussi | lire\ la\ suite | voir\ aussi | à\ lire\ aussi | a\ lire\ aussi
      | sur\ le\ même\ sujet | commentaires? | \d+\ commentaires? | réagir | publicité
      | abonnez[- ]vous | s['’]abonner | newsletter | partager(?:\ sur\b.*)?
      | (?:partager|suivre)\ sur\ (?:facebook|twitter|x|linkedin|whatsapp).* | imprimer
      | envoyer\ par\ e?-?mail | tous\ droits\ réservés.* | ©.* | publié\ le\b.{0,40}
      | mis\ à\ jour\ le\b.{0,40}
    )[\s.:!…]*$""",
    re.IGNORECASE | re.VERBOSE,
)

_AGENCIES = r"AFP|Reuters|AP|Associated\ Press|Belga|ATS|DPA|ANSA|EFE|Xinhua"
_NAME = r"[A-ZÀ-Ý][\w'’.-]+(?:\s+(?:de\s+|du\s+|van\s+|von\s+|le\s+|la\s+)?[A-ZÀ-Ý][\w'’.-]+){0,3}"
# "Georges Haddad, avec AFP", "Par Marie Dupont", "Par Marie Dupont (AFP)", "Marie Dupont / AFP".
_BYLINE = re.compile(
    rf"""^(?:
        (?:par\s+)?(?P<author>{_NAME})\s*(?:,\s*avec|avec|,|/|\(|-)\s*(?P<agency>{_AGENCIES})\)?
      | par\s+(?P<author_only>{_NAME})
      | \(?(?P<agency_only>{_AGENCIES})\)?
    )\s*\.?$""",
    re.VERBOSE,
)
_BYLINE_PREFIX = re.compile(r"^par\s", re.IGNORECASE)

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\s»\"”]+(?=[A-ZÀ-Ý«\"“])")


def normalize_text(text: str) -> str:
    """NFC, plain spaces, no invisible or control characters, \\n line ends."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines, with runs of spaces collapsed."""
    paragraphs = (" ".join(line.split()) for line in text.split("\n"))
    return [p for p in paragraphs if p]


def is_boilerplate(paragraph: str) -> bool:
    return bool(_BOILERPLATE.match(paragraph))


@dataclass(frozen=True)
class Byline:
    author: str | None
    agency: str | None


def parse_byline(paragraph: str) -> Byline | None:
    """The author and agency of a byline line, or None when the line is not a byline."""
    if len(paragraph) > 80:
        return None
    match = _BYLINE.match(paragraph if not _BYLINE_PREFIX.match(paragraph) else "par" + paragraph[3:])
    if not match:
        return None
    author = match.group("author") or match.group("author_only")
    agency = match.group("agency") or match.group("agency_only")
    return Byline(author=author, agency=agency)


@dataclass(frozen=True)
class CleanText:
    paragraphs: list[str]
    author: str | None = None
    agency: str | None = None


def clean_paragraphs(paragraphs: list[str]) -> CleanText:
    """Drops repeated paragraphs and page furniture; takes the byline out as author and agency."""
    seen: set[str] = set()
    kept: list[str] = []
    author: str | None = None
    agency: str | None = None
    for paragraph in paragraphs:
        key = " ".join(paragraph.casefold().split())
        if key in seen or is_boilerplate(paragraph):
            continue
        seen.add(key)
        byline = parse_byline(paragraph)
        if byline is not None:
            author = author or byline.author
            agency = agency or byline.agency
            continue
        kept.append(paragraph)
    return CleanText(kept, author, agency)


def looks_like_title(paragraph: str) -> bool:
    """A short first line without closing punctuation reads as a title, not as a sentence."""
    return len(paragraph) <= 150 and not paragraph.rstrip().endswith((".", "…", "!", ";", ","))


def title_from_text(text: str, limit: int = 160) -> str:
    """A title for an article that has none: its first sentence, cut at a word boundary."""
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first.rstrip(".")
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"

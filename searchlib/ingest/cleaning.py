"""Turning scraped article text into clean paragraphs, an author, an agency, a place and a title.

Real scraped pages repeat their body, end with site furniture ("Lire aussi", "Commentaires"),
glue paragraphs together ("domestique.Consternant"), open with a dateline ("PARIS (AFP) -") and
carry a byline line ("Georges Haddad, avec AFP"); text that went through the wrong encoding once
reads "Ã©tÃ©" for "été". These functions work on plain strings and lists of paragraphs so every
source format can share them. Each of them is idempotent: cleaning clean text changes nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

import ftfy

from .dates import MONTH_PATTERN, date_in_sentence, find_date, parse_date

_AGENCIES = r"AFP|Reuters|AP|Associated\ Press|Belga|ATS|DPA|ANSA|EFE|Xinhua"

# Spaces that scrapes leave in French text (non-breaking, narrow, thin…) become plain spaces.
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# Invisible characters (soft hyphen, zero-width spaces, BOM) and control characters are dropped.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# What UTF-8 read as Windows-1252 looks like in French: é → "Ã©", à → "Ã ", « → "Â«", œ → "Å“",
# ’ → "â€™", € → "â‚¬": a lead byte, then a continuation byte (0x80-0xBF) as Windows-1252 or
# Latin-1 shows it. Only lines with one go through ftfy, which keeps clean text fast ("Âgée" has none).
_CONTINUATION = "\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ "
_MOJIBAKE_HINT = re.compile(f"[ÂÃÅâ](?:(?<=[ÂÃÅ])[{_CONTINUATION}]|(?<=â)[€‚])")
_MOJIBAKE_LEADS = ("Ã", "Â", "Å", "â€", "â‚")  # quicker to look for with `in` than with the pattern

_SEPARATOR = r"\s*[:|>»–—-]\s*"  # "Lire aussi : …", "Lire aussi | …", "Lire aussi » …"
# Lines that belong to the page, not to the article. Each alternative matches a whole line.
_BOILERPLATE = re.compile(
    rf"""^(?:
        (?:à\ |a\ )?lire\ (?:aussi|également|la\ suite) | voir\ (?:aussi|également)
      | sur\ le\ même\ sujet | dans\ la\ même\ rubrique | (?:nos\ )?articles?\ (?:liés|similaires)
      | à\ (?:découvrir|voir)\ aussi | les\ plus\ (?:lus|partagés|commentés) | en\ continu
    ){_SEPARATOR}(?:.{{0,200}})$
    | ^(?:
        lire\ aussi | lire\ la\ suite | voir\ aussi | à\ lire\ aussi | a\ lire\ aussi
      | sur\ le\ même\ sujet | commentaires? | \d+\ commentaires? | réagir | publicité | annonce
      | (?:voir|afficher|lire|ajouter)\ (?:les|des|un)\ commentaires?
      | abonnez[- ]vous.{{0,60}} | s['’]abonner | déjà\ abonné.{{0,60}} | (?:se\ )?connecte[rz](?:-vous)?
      | (?:cet\ )?article\ réservé\ (?:aux|à\ nos)\ abonnés | réservé\ aux\ abonnés | contenu\ abonné
      | (?:recevez\ |inscrivez-vous\ à\ |s['’]inscrire\ à\ )?(?:la\ |notre\ )?newsletter.{{0,60}}
      | suivez-nous(?:\ sur\b.{{0,60}})? | partager(?:\ (?:sur|par|via)\b.{{0,60}})? | tweeter | envoyer
      | (?:partager|suivre)\ sur\ (?:facebook|twitter|x|linkedin|whatsapp).* | imprimer
      | envoyer\ par\ e?-?mail | copier\ le\ lien | écouter\ (?:cet\ )?article | retour\ en\ haut
      | (?:temps\ de\ )?lecture\ ?:?\ \d+\ ?min(?:utes?)? | \d+\ ?min(?:utes?)?\ de\ lecture
      | vidéos? | photos? | diaporama | (?:photos?|crédits?(?:\ photos?)?|illustration)\s*:\s*\S.{{0,60}}
      | (?:photo|crédit|illustration)\s+(?:{_AGENCIES})(?:\s*/\s*\S.{{0,40}})?
      | tous\ droits\ réservés.* | ©.* | publié\ (?:le|aujourd['’]hui|hier)\b.{{0,40}}
      | mis\ à\ jour\ (?:le|aujourd['’]hui|hier)\b.{{0,40}}
    )[\s.:!…]*$""",
    re.IGNORECASE | re.VERBOSE,
)

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

_UPPER = "A-ZÀ-ÖØ-ÝŒ"
_LOWER = "a-zß-öø-ÿœ"
_PLACE_WORD = rf"[{_UPPER}][{_UPPER}{_LOWER}'’.-]*"
# "PARIS (AFP) -", "PARIS, 13 juillet (Reuters) -", "Jakarta (AFP) –", "Rio de Janeiro (AFP) -",
# "(AFP) -": the place and agency that open a wire story.
_DATELINE = re.compile(
    rf"""^(?:(?P<place>{_PLACE_WORD}(?:\s+(?:(?:de|du|des|la|le|les|en|sur|am)\s+)?{_PLACE_WORD}){{0,3}})
           \s*(?:,\s*(?:le\s+)?[^()\n]{{1,30}}?\s*)?)?
         \(\s*(?P<agency>{_AGENCIES})\s*\)\s*(?:[-–—]+|:)\s*""",
    re.VERBOSE,
)
# Wikinews opens every story with its date: "1er janvier 2016, 14h30 . –", "6 janvier 2016 . –".
_DATE_DATELINE = re.compile(
    rf"""^(?:\w+\s+)?(?:1er|\d{{1,2}})\s+{MONTH_PATTERN}\s+\d{{4}}  # (jeudi) 1er janvier 2016
        (?:\s*,\s*\d{{1,2}}\s*h\s*\d{{0,2}})?  # , 14h30
        \s*\.?\s*[–—-]+\s*""",
    re.IGNORECASE | re.VERBOSE,
)

# Abbreviations after which a full stop glued to a capital is not a paragraph break ("Mme.Dupont").
_ABBREVIATIONS = frozenset(
    "mme mmes mlle mlles mgr me dr pr st ste sts cf etc av bd fg ch art vol chap éd ed coll dir trad"
    " env min max tel tél réf ref no nos ex jr sr inc ltd co corp dept gén gal col cdt lt sgt".split()
)
# A sentence end glued to the next sentence: "domestique.Consternant", "phrase.»Début", "(AFP).Le".
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS)) + 1

_GLUED = re.compile(
    rf"""[.!?…]  # a stop (first, so that the search skips quickly to the candidates)
        # after "domestique", "ONU", "2023" or "(AFP)"
        (?:(?<=[{_LOWER}]{{2}}.)|(?<=[{_UPPER}]{{3}}.)|(?<=\d{{4}}.)|(?<=[)»”].))
        [.!?…]*[»”"]?  # more stops, and the quote they close
        (?=[«“]?[{_UPPER}](?:[{_LOWER}]|['’][{_UPPER}{_LOWER}]|\s))   # then a capitalised word
    """,
    re.VERBOSE,
)
_WORD_BEFORE = re.compile(rf"[{_UPPER}{_LOWER}]+$")
_URLISH = re.compile(r"://|www\.|@|\.(?:fr|com|org|net|info|eu|be|ch|ca|io|gouv|html?|php)\b", re.IGNORECASE)

_TAG = r"</?(?:{})(?:\s[^<>]*)?/?>"
_BLOCK_TAG = re.compile(
    _TAG.format("p|div|br|hr|li|ul|ol|h[1-6]|blockquote|table|tr|td|th|figure|figcaption|section|article"),
    re.IGNORECASE,
)
_INLINE_TAG = re.compile(
    _TAG.format("a|abbr|b|big|cite|code|del|dfn|em|font|i|img|ins|kbd|mark|q|s|samp|small|span|strike|strong|sub|sup|time|tt|u|var|wbr"),
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\s»\"”]+(?=[A-ZÀ-Ý«\"“])")


def strip_markup(text: str) -> str:
    """Text fields of JSON or CSV exports often keep the CMS's inline HTML ("<i>Pomerium</i>",
    "<p>…</p>", "&amp;"): its tags are dropped (block tags become line breaks) and its entities
    decoded. Only HTML's own tag names count, so "a <b" or "<3" in plain text stay.

    >>> strip_markup('<p>Le <i><span class="lang-la">pomerium</span></i> &amp; Rome</p>')
    '\\nLe pomerium & Rome\\n'
    """
    if "<" not in text and "&" not in text:
        return text
    text = _INLINE_TAG.sub("", _BLOCK_TAG.sub("\n", text))
    return _ENTITY.sub(lambda entity: html.unescape(entity.group()), text) if "&" in text else text


def _basic(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text)


def _fix_mojibake(line: str) -> str:
    for _ in range(4):  # ftfy undoes one layer or more at a time; text encoded wrongly twice needs two
        fixed = _basic(ftfy.fix_encoding(line))
        if fixed == line:
            break
        line = fixed
    return line


def normalize_text(text: str) -> str:
    """NFC, plain spaces, no invisible or control characters, \\n line ends, mojibake repaired,
    inline HTML left by a CMS export dropped (see :func:`strip_markup`).

    Typographic apostrophes and quotes are kept as written (the analyzer reads ’ like ').

    >>> normalize_text("lâ€™Ã©tÃ©\\u00a0!")
    'l’été !'
    """
    text = _basic(strip_markup(text))
    if not any(lead in text for lead in _MOJIBAKE_LEADS):
        return text
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    for hint in _MOJIBAKE_HINT.finditer(text):
        if hint.start() < done:
            continue  # on a line already fixed
        start = text.rfind("\n", 0, hint.start()) + 1
        end = text.find("\n", hint.end())
        end = len(text) if end < 0 else end
        pieces += [text[done:start], _fix_mojibake(text[start:end])]
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines, with runs of spaces collapsed."""
    paragraphs = (" ".join(line.split()) for line in text.split("\n"))
    return [p for p in paragraphs if p]


def split_glued(paragraph: str) -> list[str]:
    """A paragraph glued to the next by a bad scrape, split again where one sentence ends on a
    word and the next starts without a space ("domestique.Consternant"); abbreviations
    ("Mme.Dupont"), initials ("M.Macron", "U.S.A."), numbers ("3.5") and addresses
    ("www.Site.fr") stay whole.

    >>> split_glued("l'accident domestique.Consternant, le maire s'est tu.")
    ["l'accident domestique.", "Consternant, le maire s'est tu."]
    """
    pieces: list[str] = []
    start = 0
    for match in _GLUED.finditer(paragraph):
        # Abbreviations are short: the last letters before the stop tell (searching from the
        # paragraph's start tried every position before it: 0.3 ms an OrangeSum article).
        word = _WORD_BEFORE.search(paragraph, max(match.start() - _LONGEST_ABBREVIATION, 0), match.start())
        if word and word.group().casefold() in _ABBREVIATIONS:
            continue
        token_start = max(paragraph.rfind(" ", 0, match.start()) + 1, 0)
        token_end = paragraph.find(" ", match.end())
        if _URLISH.search(paragraph[token_start : len(paragraph) if token_end < 0 else token_end]):
            continue
        pieces.append(paragraph[start : match.end()])
        start = match.end()
    pieces.append(paragraph[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


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
class Dateline:
    place: str | None
    agency: str | None
    #: The paragraph without its dateline.
    rest: str


def parse_dateline(paragraph: str) -> Dateline | None:
    """The place and agency opening a wire story ("PARIS (AFP) - …"), or None when there is none.

    >>> parse_dateline("PARIS, 13 juillet (Reuters) - Le gouvernement a annoncé…")
    Dateline(place='Paris', agency='Reuters', rest='Le gouvernement a annoncé…')
    """
    match = _DATELINE.match(paragraph)
    if match:
        place = match.group("place")
        return Dateline(_place_name(place) if place else None, match.group("agency"), paragraph[match.end() :].strip())
    match = _DATE_DATELINE.match(paragraph)
    if match:
        return Dateline(None, None, paragraph[match.end() :].strip())
    return None


_LOWER_IN_PLACES = {"de", "du", "des", "la", "le", "les", "en", "sur", "lès", "am", "d", "l"}


def _place_name(place: str) -> str:
    """A place in capitals as wire copy writes it, in the case of running text: "PARIS" → "Paris",
    "AIX-EN-PROVENCE" → "Aix-en-Provence". "Jakarta" stays as written."""
    if place != place.upper():
        return place
    parts = re.split(r"([\s'’-])", place.lower())
    return "".join(
        part if index and part in _LOWER_IN_PLACES else part[:1].upper() + part[1:]
        for index, part in enumerate(parts)
    )


@dataclass(frozen=True)
class CleanText:
    paragraphs: list[str]
    author: str | None = None
    agency: str | None = None
    #: Where a wire story was filed from, read from its dateline ("PARIS (AFP) -" → "Paris").
    place: str | None = None
    #: What :attr:`date` reads: the opening paragraphs, the first one (without dateline), whether
    #: the text is a dispatch (see :func:`opening_date`).
    opening: list[str] = field(default_factory=list, repr=False, compare=False)
    first: str = field(default="", repr=False, compare=False)
    dispatch: bool = field(default=False, repr=False, compare=False)

    @cached_property
    def date(self) -> dt.date | None:
        """A French date the text gives (:func:`opening_date`), for articles that carry no other
        date: read only when asked, as most records bring their own."""
        return opening_date(self.opening, self.first, self.dispatch)

    def dated(self, own: str) -> tuple[dt.date | None, str | None]:
        """The article's date, ``own`` (its record's or header's) when it is readable, else
        :attr:`date`; and, for an unreadable ``own``, the warning that says which date was used."""
        if not own:
            return self.date, None
        try:
            return parse_date(own), None
        except ValueError as error:
            fallback = f"dated {self.date.isoformat()} from its text" if self.date else "indexed without a date"
            return self.date, f"{error}; {fallback}"


#: Datelines are looked for in this many opening paragraphs (a title and a lede may come first).
DATELINE_PARAGRAPHS = 3


def clean_paragraphs(paragraphs: list[str], lede: str = "") -> CleanText:
    """Splits glued paragraphs; drops repeated paragraphs and page furniture; takes the byline out
    as author and agency and the dateline as place and agency. A ``lede`` given apart (a record's
    own field) is read before them for the date only.

    >>> cleaned = clean_paragraphs(["PARIS (AFP) - La Seine déborde.", "Lire aussi", "Par Marie Dupont"])
    >>> (cleaned.paragraphs, cleaned.author, cleaned.agency, cleaned.place)
    (['La Seine déborde.'], 'Marie Dupont', 'AFP', 'Paris')
    """
    seen: set[str] = set()
    kept: list[str] = []
    author: str | None = None
    agency: str | None = None
    place: str | None = None
    dispatch = False
    for paragraph in paragraphs:
        for piece in split_glued(paragraph):
            while len(kept) < DATELINE_PARAGRAPHS and (dateline := parse_dateline(piece)) is not None:
                place = place or dateline.place
                agency = agency or dateline.agency
                dispatch = dispatch or dateline.agency is not None
                piece = dateline.rest
            key = " ".join(piece.casefold().split())
            if not key or key in seen or is_boilerplate(piece):
                continue
            seen.add(key)
            byline = parse_byline(piece)
            if byline is not None:
                author = author or byline.author
                agency = agency or byline.agency
                continue
            kept.append(piece)
    if lede:  # read first: the text's first sentence is the lede's
        dateline = parse_dateline(lede)
        opening, first = [lede, *paragraphs], dateline.rest if dateline else lede
        dispatch = dispatch or bool(dateline and dateline.agency)
    else:
        opening, first = paragraphs, next((piece for piece in kept[:DATELINE_PARAGRAPHS] if not looks_like_title(piece)), "")
    return CleanText(kept, author, agency, place, opening, first, dispatch)


def opening_date(paragraphs: list[str], first: str, dispatch: bool) -> dt.date | None:
    """The date an article's text gives, for articles with no other: one opening a line of its
    first ``paragraphs``, where pages print theirs ("Publié le 13/07/2023", "PARIS, 13 juillet 2023
    (AFP) -"), else one in the first sentence of ``first``, its first paragraph without dateline
    (:func:`~searchlib.ingest.dates.date_in_sentence`); never one later in the text."""
    found = find_date("\n".join(paragraphs[:DATELINE_PARAGRAPHS]))
    if found or not first:
        return found
    return date_in_sentence(first_sentence(first), dispatch=dispatch)


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence."""
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def looks_like_title(paragraph: str) -> bool:
    """A short first line without closing punctuation reads as a title, not as a sentence."""
    return len(paragraph) <= 150 and not paragraph.rstrip().endswith((".", "…", "!", ";", ","))


def title_from_text(text: str, limit: int = 160) -> str:
    """A title for an article that has none: its first sentence, cut at a word boundary."""
    first = first_sentence(text).strip()
    if len(first) <= limit:
        return first.rstrip(".")
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"

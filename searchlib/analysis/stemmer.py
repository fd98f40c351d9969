"""The Snowball French stemmer, as Whoosh implements it: the stems every searchlib index holds.

Whoosh's implementation (``whoosh/lang/snowball/french.py``, BSD 2-clause, itself NLTK's, Apache
2.0; see NOTICE.md) differs from today's Snowball in a few rules (Snowball 3.0 also strips
-aise, keeps "palais" whole, …), so no maintained stemming package gives the same stems: this is its
algorithm, step by step, each step a function. tests/analysis compare it with Whoosh's on every
word of the shared corpora (135,130 folded words) and on the samples.

Regions, as Snowball defines them: R1 follows the first non-vowel after a vowel, R2 the same
within R1, RV the first vowel not at the start (after three letters when the word starts with two
vowels or with par, col, tap). Tests such as ``suffix in r2`` are substring tests, as Whoosh's are.
"""

from __future__ import annotations

_VOWELS = "aeiouyâàëéêèïîôûù"

_STEP1_SUFFIXES = (
    "issements", "issement", "atrices", "atrice", "ateurs", "ations", "logies", "usions", "utions",
    "ements", "amment", "emment", "ances", "iqUes", "ismes", "ables", "istes", "ateur", "ation",
    "logie", "usion", "ution", "ences", "ement", "euses", "ments", "ance", "iqUe", "isme", "able",
    "iste", "ence", "ités", "ives", "eaux", "euse", "ment", "eux", "ité", "ive", "ifs", "aux", "if",
)
_STEP2A_SUFFIXES = (
    "issaIent", "issantes", "iraIent", "issante", "issants", "issions", "irions", "issais", "issait",
    "issant", "issent", "issiez", "issons", "irais", "irait", "irent", "iriez", "irons", "iront",
    "isses", "issez", "îmes", "îtes", "irai", "iras", "irez", "isse", "ies", "ira", "ît", "ie", "ir",
    "is", "it", "i",
)
_STEP2B_SUFFIXES = (
    "eraIent", "assions", "erions", "assent", "assiez", "èrent", "erais", "erait", "eriez", "erons",
    "eront", "aIent", "antes", "asses", "ions", "erai", "eras", "erez", "âmes", "âtes", "ante", "ants",
    "asse", "ées", "era", "iez", "ais", "ait", "ant", "ée", "és", "er", "ez", "ât", "ai", "as", "é", "a",
)
_STEP2B_DELETED = frozenset(
    ("eraIent", "erions", "èrent", "erais", "erait", "eriez", "erons", "eront", "erai", "eras", "erez",
     "ées", "era", "iez", "ée", "és", "er", "ez", "é")
)
_STEP2B_AFTER_E = frozenset(
    ("assions", "assent", "assiez", "aIent", "antes", "asses", "âmes", "âtes", "ante", "ants", "asse",
     "ais", "ait", "ant", "ât", "ai", "as", "a")
)
_STEP4_SUFFIXES = ("ière", "Ière", "ion", "ier", "Ier", "e", "ë")
_R2_DELETED = frozenset(("ance", "iqUe", "isme", "able", "iste", "eux", "ances", "iqUes", "ismes", "ables", "istes"))
_R2_REPLACED = {
    "logie": "log", "logies": "log", "usion": "u", "ution": "u", "usions": "u", "utions": "u",
    "ence": "ent", "ences": "ent",
}

# What step 1 gives: the word, RV, whether a suffix was removed, whether an RV ending was found.
_Step1 = tuple[str, str, bool, bool]


def french_stem(word: str) -> str:
    """The Snowball French stem of ``word`` (lower-cased first)."""
    word = _marked(word.lower())
    r1, r2 = _r1_r2(word)
    rv = _rv(word)
    word, rv, removed, rv_ending = _step1(word, r1, r2, rv)
    changed = removed
    if not removed or rv_ending:
        word, rv, changed = _step2(word, r2, rv)
        changed = changed or removed
    word = _step3(word) if changed else _step4(word, r2, rv)
    word = _undoubled(word)
    return _unaccented(word).replace("I", "i").replace("U", "u").replace("Y", "y")


def _marked(word: str) -> str:
    """u after q, u and i between vowels, y beside a vowel: in capitals, so that they count as
    consonants."""
    for i in range(1, len(word)):
        if word[i - 1] == "q" and word[i] == "u":
            word = word[:i] + "U" + word[i + 1 :]
    for i in range(1, len(word) - 1):
        before, after = word[i - 1] in _VOWELS, word[i + 1] in _VOWELS
        if before and after and word[i] in "ui":
            word = word[:i] + word[i].upper() + word[i + 1 :]
        if (before or after) and word[i] == "y":
            word = word[:i] + "Y" + word[i + 1 :]
    return word


def _r1_r2(word: str) -> tuple[str, str]:
    r1 = r2 = ""
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            r1 = word[i + 1 :]
            break
    for i in range(1, len(r1)):
        if r1[i] not in _VOWELS and r1[i - 1] in _VOWELS:
            r2 = r1[i + 1 :]
            break
    return r1, r2


def _rv(word: str) -> str:
    if len(word) < 2:
        return ""
    if word.startswith(("par", "col", "tap")) or (word[0] in _VOWELS and word[1] in _VOWELS):
        return word[3:]
    for i in range(1, len(word)):
        if word[i] in _VOWELS:
            return word[i + 1 :]
    return ""


def _step1(word: str, r1: str, r2: str, rv: str) -> _Step1:
    """Standard suffixes: the longest one the word ends with is removed or replaced, if its region
    allows."""
    for suffix in _STEP1_SUFFIXES:
        if word.endswith(suffix):
            if suffix in _ADVERB_SUFFIXES:
                return _adverb(word, suffix, r1, r2, rv)
            word, removed = _standard(word, suffix, r1, r2)
            return word, rv, removed, False
    return word, rv, False, False


_ADVERB_SUFFIXES = frozenset(("ement", "ements", "amment", "emment", "ment", "ments"))


def _adverb(word: str, suffix: str, r1: str, r2: str, rv: str) -> _Step1:
    """-ement(s), -amment, -emment, -ment(s)."""
    if suffix not in rv:
        return word, rv, False, False
    if suffix in ("ement", "ements"):
        return _after_ement(word[: -len(suffix)], r1, r2, rv), rv, True, False
    if suffix == "amment":
        return word[:-6] + "ant", rv[:-6] + "ant", False, True
    if suffix == "emment":
        return word[:-6] + "ent", rv, False, True
    if not rv.startswith(suffix) and rv[rv.rindex(suffix) - 1] in _VOWELS:  # -ment(s) after a vowel
        return word[: -len(suffix)], rv[: -len(suffix)], False, True
    return word, rv, False, False


def _after_ement(word: str, r1: str, r2: str, rv: str) -> str:
    if word[-2:] == "iv" and "iv" in r2:
        word = word[:-2]
        if word[-2:] == "at" and "at" in r2:
            word = word[:-2]
    elif word[-3:] == "eus":
        if "eus" in r2:
            word = word[:-3]
        elif "eus" in r1:
            word = word[:-1] + "x"
    elif word[-3:] in ("abl", "iqU"):
        if "abl" in r2 or "iqU" in r2:
            word = word[:-3]
    elif word[-3:] in ("ièr", "Ièr"):
        if "ièr" in rv or "Ièr" in rv:
            word = word[:-3] + "i"
    return word


def _standard(word: str, suffix: str, r1: str, r2: str) -> tuple[str, bool]:
    """The suffixes removed or replaced in R1 or R2, and what follows them."""
    stem = word[: -len(suffix)]
    if suffix == "eaux":
        return word[:-1], True
    if suffix in ("euse", "euses"):
        if suffix in r2:
            return stem, True
        return (stem + "eux", True) if suffix in r1 else (word, False)
    if suffix == "aux":
        return (word[:-2] + "l", True) if suffix in r1 else (word, False)
    if suffix in ("issement", "issements"):
        return (stem, True) if suffix in r1 and word[-len(suffix) - 1] not in _VOWELS else (word, False)
    if suffix not in r2:
        return word, False
    if suffix in _R2_DELETED:
        return stem, True
    if suffix in _R2_REPLACED:
        return stem + _R2_REPLACED[suffix], True
    if suffix in ("atrice", "ateur", "ation", "atrices", "ateurs", "ations"):
        return _ic(stem, r2), True
    if suffix in ("ité", "ités"):
        return _after_ite(stem, r2), True
    # -if, -ive, -ifs, -ives
    if stem[-2:] == "at" and "at" in r2:
        return _ic(stem[:-2], r2), True
    return stem, True


def _ic(word: str, r2: str) -> str:
    if word[-2:] != "ic":
        return word
    return word[:-2] if "ic" in r2 else word[:-2] + "iqU"


def _after_ite(word: str, r2: str) -> str:
    if word[-4:] == "abil":
        return word[:-4] if "abil" in r2 else word[:-2] + "l"
    if word[-2:] == "ic":
        return _ic(word, r2)
    if word[-2:] == "iv" and "iv" in r2:
        return word[:-2]
    return word


def _step2(word: str, r2: str, rv: str) -> tuple[str, str, bool]:
    """Verb suffixes: those beginning with i (2a), then the others (2b)."""
    for suffix in _STEP2A_SUFFIXES:
        if word.endswith(suffix):
            if suffix in rv and len(rv) > len(suffix) and rv[rv.rindex(suffix) - 1] not in _VOWELS:
                return word[: -len(suffix)], rv, True
            break
    for suffix in _STEP2B_SUFFIXES:
        if rv.endswith(suffix):
            if suffix == "ions" and "ions" in r2:
                return word[:-4], rv, True
            if suffix in _STEP2B_DELETED:
                return word[: -len(suffix)], rv, True
            if suffix in _STEP2B_AFTER_E:
                word, rv = word[: -len(suffix)], rv[: -len(suffix)]
                return (word[:-1] if rv.endswith("e") else word), rv, True
            break
    return word, rv, False


def _step3(word: str) -> str:
    if word[-1] == "Y":
        return word[:-1] + "i"
    if word[-1] == "ç":
        return word[:-1] + "c"
    return word


def _step4(word: str, r2: str, rv: str) -> str:
    """Residual suffixes, when steps 1 and 2 removed nothing."""
    if len(word) >= 2 and word[-1] == "s" and word[-2] not in "aiouès":
        word = word[:-1]
    for suffix in _STEP4_SUFFIXES:
        if word.endswith(suffix) and suffix in rv:
            if suffix == "ion" and suffix in r2 and rv[-4] in "st":
                word = word[:-3]
            elif suffix in ("ier", "ière", "Ier", "Ière"):
                word = word[: -len(suffix)] + "i"
            elif suffix == "e":
                word = word[:-1]
            elif suffix == "ë" and word[-3:-1] == "gu":
                word = word[:-1]
            break
    return word


def _undoubled(word: str) -> str:
    return word[:-1] if word.endswith(("enn", "onn", "ett", "ell", "eill")) else word


def _unaccented(word: str) -> str:
    """The last vowel, unless it ends the word, loses its acute or grave accent."""
    for i in range(1, len(word)):
        if word[-i] in _VOWELS:
            if i != 1 and word[-i] in "éè":
                word = word[:-i] + "e" + word[-i + 1 :]
            break
    return word

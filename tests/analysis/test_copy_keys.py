"""Near-duplicate keys: a reprinted dispatch gets the same key, another story on the same event does not.

The fixtures are invented (no agency text): one dispatch, the same dispatch as a second outlet
would print it, and a different story about the same flood.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchlib.analysis.copy_keys import (
    BANDS,
    MAX_DISTANCE,
    MIN_WORDS,
    are_copies,
    band_keys,
    distance,
    _combining_marks,
    simhash,
    word_simhash,
    words,
)
from searchlib.analysis.french import fold, raw_words

#: Both versions of the key: indexes created before version 2 keep computing version 1.
VERSIONS = pytest.mark.parametrize("key", [simhash, word_simhash], ids=["v1", "v2"])

DISPATCH = """\
VALENCE (AFP) - La crue du Rhône a contraint les autorités de la Drôme à évacuer près de trois cents
habitants dans la nuit de mardi à mercredi, a indiqué la préfecture dans un communiqué publié à l'aube.

Les pompiers sont intervenus à plusieurs reprises dans les quartiers bas de la ville, où l'eau a
atteint par endroits un mètre de hauteur. Aucune victime n'est à déplorer, mais deux personnes âgées
ont été hospitalisées par précaution après avoir passé plusieurs heures bloquées dans leur maison.

Selon Météo-France, les pluies devraient cesser jeudi matin, mais le niveau du fleuve restera élevé
pendant au moins deux jours. La préfète a demandé aux riverains de ne pas reprendre leur voiture
avant la levée de la vigilance rouge et de suivre les consignes diffusées par les mairies.

Le maire de la commune a ouvert le gymnase municipal pour accueillir les familles évacuées, qui ont
reçu des couvertures et des repas chauds distribués par les bénévoles de la protection civile.
"""

# The same dispatch in another paper: a new opening line, a byline, "mardi à mercredi" rephrased,
# and a closing sentence of its own.
REPRINT = """\
Par la rédaction, avec AFP

Nuit d'angoisse dans la Drôme. La crue du Rhône a contraint les autorités de la Drôme à évacuer
près de trois cents habitants dans la nuit de mardi à mercredi, a indiqué la préfecture dans un
communiqué publié à l'aube.

Les pompiers sont intervenus à plusieurs reprises dans les quartiers bas de la ville, où l'eau a
atteint par endroits un mètre de hauteur. Aucune victime n'est à déplorer, mais deux personnes âgées
ont été hospitalisées par précaution après avoir passé plusieurs heures bloquées dans leur maison.

Selon Météo-France, les pluies devraient cesser jeudi matin, mais le niveau du fleuve restera élevé
pendant au moins deux jours. La préfète a demandé aux riverains de ne pas reprendre leur voiture
avant la levée de la vigilance rouge et de suivre les consignes diffusées par les mairies.

Le maire de la commune a ouvert le gymnase municipal pour accueillir les familles évacuées, qui ont
reçu des couvertures et des repas chauds distribués par les bénévoles de la protection civile.
Notre journal suivra l'évolution de la situation.
"""

# The same flood, the same names and places, written by someone else.
OTHER_STORY = """\
Dans la Drôme, les habitants des quartiers bas de Valence racontent une nuit sans sommeil. Mercredi
matin, Jeanne, soixante-douze ans, attendait encore devant le gymnase municipal que l'on lui dise
quand elle pourrait rentrer chez elle. « L'eau est montée en une heure, je n'ai rien pu sauver »,
explique-t-elle, une couverture sur les épaules.

La préfecture a fait évacuer environ trois cents personnes pendant la nuit, et les pompiers ont
multiplié les sauvetages en bateau. Les commerçants du centre-ville, eux, comptent déjà les dégâts :
vitrines brisées, stocks perdus, caves inondées. Plusieurs d'entre eux réclament que l'état de
catastrophe naturelle soit déclaré au plus vite pour être indemnisés par les assurances.

Le Rhône n'avait pas atteint un tel niveau depuis plus de vingt ans, selon les anciens du quartier,
qui se souviennent de la grande crue et des semaines de nettoyage qui avaient suivi.
"""


@VERSIONS
def test_a_reprint_with_a_new_opening_and_a_byline_is_a_copy(key) -> None:
    h1, h2 = key(DISPATCH), key(REPRINT)
    assert are_copies(h1, h2)
    assert set(band_keys(h1)) & set(band_keys(h2))


@VERSIONS
def test_another_story_on_the_same_event_is_not_a_copy(key) -> None:
    h1, h2 = key(DISPATCH), key(OTHER_STORY)
    assert not are_copies(h1, h2)
    assert distance(h1, h2) > 2 * MAX_DISTANCE  # type: ignore[arg-type]  # not a close call


@VERSIONS
def test_a_body_too_short_to_judge_gets_no_key(key) -> None:
    brief = "Le match de dimanche entre Lyon et Marseille est reporté en raison des intempéries."
    assert len(words(brief)) < MIN_WORDS
    assert key(brief) is None
    assert band_keys(key(brief)) == []
    assert not are_copies(key(brief), key(brief))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'Élysée a dit NON", ["elysee", "dit", "non"]),  # accents, case, elision, short words
        ("Le 14 juillet 2020, à Paris", ["juillet", "paris"]),  # digits dropped
        ("« Pékin »\u00a0: l’œuvre", ["pekin", "œuvre"]),  # typography; œ kept as one letter
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


_PIECES = st.sampled_from(["É", "e\u0301", "\u0301", "ﬁ", "™", "ǅ", "ß", "İ", "œ", "l'", "’", "5", "_", " ", "\u00a0", "\u2009",
                           "\u3000", "\n", "\x1c", "\u0903", "\u1680", "ab", "Ça"])


@given(st.lists(_PIECES | st.text(max_size=3), max_size=30).map("".join))
def test_words_piece_by_piece_are_those_of_the_whole_text(text: str) -> None:
    whole = unicodedata.normalize("NFKD", text.casefold()).translate(_combining_marks())
    assert words(text) == re.findall(r"[^\W\d_]{3,}", whole)
    assert words(text) == words(text)  # and again, from the cache


def test_band_keys_shape() -> None:
    keys = band_keys(simhash(DISPATCH))
    assert len(keys) == BANDS
    assert [k.split(":")[0] for k in keys] == [str(band) for band in range(BANDS)]
    assert all(len(k.split(":")[1]) == 64 // BANDS // 4 for k in keys)
    assert [len(k) for k in band_keys(simhash(DISPATCH), bands=4)] == [6, 6, 6, 6]  # "0:ab12"
    with pytest.raises(ValueError, match="divide"):
        band_keys(0, bands=5)


def test_hashes_within_the_distance_always_share_a_band() -> None:
    h = 0x0123_4567_89AB_CDEF
    width = 64 // BANDS
    # MAX_DISTANCE bits flipped, one in each band but the last: only the last band still matches.
    flipped = h
    for band in range(MAX_DISTANCE):
        flipped ^= 1 << (band * width)
    assert MAX_DISTANCE == BANDS - 1
    assert are_copies(h, flipped)
    assert not are_copies(h, flipped ^ 1 << (BANDS - 1) * width)
    assert set(band_keys(h)) & set(band_keys(flipped)) == {band_keys(h)[-1]}


@VERSIONS
def test_the_key_is_the_same_in_another_process(key) -> None:
    """blake2b, not hash(): Python salts str hashes per process (PYTHONHASHSEED)."""
    code = f"import sys; from searchlib.analysis.copy_keys import {key.__name__} as key; print(key(sys.stdin.read()))"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=DISPATCH,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert runs == {str(key(DISPATCH))}


def _simhash_by_definition(text: str) -> int | None:
    """Charikar's SimHash spelled out: each distinct shingle (five words joined by a space) votes
    on each bit of its 8-byte blake2b digest; a bit is set when more than half vote for it."""
    ws = words(text)
    if len(ws) < MIN_WORDS:
        return None
    shingles = {" ".join(ws[k : k + 5]) for k in range(len(ws) - 4)}
    digests = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    return sum(1 << bit for bit in range(64) if 2 * sum(d >> bit & 1 for d in digests) > len(digests))


@given(st.lists(st.sampled_from(["crue", "Élysée", "dépêche", "préfet", "œuvre", "Noël", "ça", "l'eau", "7", "été"]), min_size=40, max_size=200))
def test_the_key_is_the_simhash_by_definition(chosen: list[str]) -> None:
    """Stored keys must not move with the way the vote is counted (numpy, bytes shingles)."""
    text = " ".join(chosen)
    assert simhash(text) == _simhash_by_definition(text)


def test_the_dispatch_key_is_the_simhash_by_definition() -> None:
    assert simhash(DISPATCH) is not None
    assert simhash(DISPATCH) == _simhash_by_definition(DISPATCH)


def _word_simhash_by_definition(text: str) -> int | None:
    """Version 2 spelled out: the indexed words, folded; those of three characters or more
    without a digit keyed by their blake2b digest; each distinct shingle hashed by rotating its
    k-th word's key by 13·k bits, XOR-ing them and mixing with SplitMix64's finaliser; the vote."""
    mask = (1 << 64) - 1
    keys = []
    for word in raw_words(text):
        folded = fold(word.lower())
        if len(folded) >= 3 and not re.search(r"\d", folded):
            keys.append(int.from_bytes(hashlib.blake2b(folded.encode(), digest_size=8).digest(), "little") or 1)
    if len(keys) < MIN_WORDS:
        return None

    def mixed(x: int) -> int:
        x ^= x >> 30
        x = x * 0xBF58476D1CE4E5B9 & mask
        x ^= x >> 27
        x = x * 0x94D049BB133111EB & mask
        return x ^ x >> 31

    def rotated(x: int, r: int) -> int:
        return (x << r | x >> (64 - r)) & mask if r else x

    shingles = set()
    for start in range(len(keys) - 4):
        h = 0
        for k in range(5):
            h ^= rotated(keys[start + k], 13 * k)
        shingles.add(mixed(h))
    return sum(1 << bit for bit in range(64) if 2 * sum(s >> bit & 1 for s in shingles) > len(shingles))


@given(st.lists(st.sampled_from(["crue", "Élysée", "dépêche", "préfet", "œuvre", "Noël", "ça", "l'eau", "7", "été", "aujourd'hui", "COVID19"]), min_size=40, max_size=200))
def test_the_version_2_key_is_its_definition(chosen: list[str]) -> None:
    text = " ".join(chosen)
    assert word_simhash(text) == _word_simhash_by_definition(text)


def test_the_version_2_dispatch_key_is_its_definition() -> None:
    assert word_simhash(DISPATCH) is not None
    assert word_simhash(DISPATCH) == _word_simhash_by_definition(DISPATCH)

"""Cleaning scraped text: encodings, mojibake, glued paragraphs, furniture, datelines, dates in text.

Each rule has a table of what it must change and what it must leave alone; Hypothesis checks that
cleaning never raises and that cleaning clean text changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib import Archive, Article, Failure
from searchlib.ingest.cleaning import (
    clean_paragraphs,
    is_boilerplate,
    normalize_text,
    parse_dateline,
    split_glued,
    split_paragraphs,
)
from searchlib.ingest.sources import read_file
from searchlib.ingest.sources.common import NotText, decode

from tests.conftest import SAMPLES

FRENCH = "Un œuf à 12 € : « Ça va ? » dit l’élève de Besançon, naïve, le 1er août… Noël à l'Île-de-France."


# --- Encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
)
def test_decode_reads_the_encodings_of_french_archives(encoding: str) -> None:
    assert decode(FRENCH.encode(encoding)) == FRENCH


@pytest.mark.parametrize(
    "text", ["Alerte à Pékin", "La sécurité des élèves préoccupe l'État.", "ÇA SUFFIT ! CRIENT LES GRÉVISTES"]
)
def test_decode_reads_latin_1(text: str) -> None:
    assert decode(text.encode("latin-1")) == text


def test_decode_keeps_latin_1_bytes_that_windows_1252_leaves_undefined() -> None:
    assert decode("Un texte en Latin-1 avec un octet perdu \x81 au milieu, assez long.".encode("latin-1")).endswith(
        "\x81 au milieu, assez long."
    )


def test_decode_accepts_a_dos_end_of_file_mark() -> None:
    assert decode("Noël.\r\n\x1a".encode("cp1252")) == "Noël.\r\n\x1a"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"Pekin\x00\x00\x00 en clair",
        b"\x81\x8d\x8f\x90\x9d" * 4,
        bytes(range(1, 32)) * 8,
        b"\xff\xfe\x00\xd8",  # a UTF-16 mark, then half a surrogate pair
    ],
    ids=["png", "nul", "undefined-cp1252", "controls", "bad-utf16"],
)
def test_decode_refuses_binary_data(data: bytes) -> None:
    with pytest.raises(NotText, match="not text"):
        decode(data)


# --- Unicode normalisation and mojibake --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ã©tÃ©", "été"),
        ("Ã  Paris", "à Paris"),
        ("Ã\u00a0 Paris", "à Paris"),
        ("lâ€™Ã©tÃ©", "l’été"),
        ("L'Ã‰lysÃ©e a annoncÃ© Ã  la presse", "L'Élysée a annoncé à la presse"),
        ("Â« Bonjour Â»", "« Bonjour »"),
        ("Å“uvre", "œuvre"),
        ("il fait 20Â°C", "il fait 20°C"),
        ("12 â‚¬", "12 €"),
        ("ÃƒÂ©tÃƒÂ©", "été"),  # encoded wrongly twice
        ("lâ\x80\x99Ã©tÃ©", "l’été"),  # read as Latin-1 rather than Windows-1252
        ("ligne propre\nÃ©tÃ©\nautre ligne", "ligne propre\nété\nautre ligne"),
        ("e\u0301te\u0301", "été"),  # NFD → NFC
        ("12\u00a0%, «\u202foui\u202f», 3\u2009000", "12 %, « oui », 3 000"),
        ("an\u00adti\u200bcons\ufefftitution\u00adnel", "anticonstitutionnel"),
        ("un\r\ndeux\rtrois", "un\ndeux\ntrois"),
        ("bip\x07 \x00fin", "bip fin"),
    ],
)
def test_normalize_text_repairs(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        FRENCH,
        "l’été à Paris, l'hiver à Lyon",
        "Âgée de 41 ans, Jo Cox est la députée de Batley",
        "PÂQUES, CRÈME BRÛLÉE, CHÂTEAU",
        "JOÃO GOULART à São Paulo",
        "il a dit “oui” puis « non »",
        "ÉTÉ 2023 : Ça chauffe",
    ],
)
def test_normalize_text_leaves_clean_text_alone(text: str) -> None:
    assert normalize_text(text) == text


# --- Glued paragraphs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("glued", "pieces"),
    [
        ("l'accident domestique.Consternant, le maire", ["l'accident domestique.", "Consternant, le maire"]),
        ("fin de phrase.»Début", ["fin de phrase.»", "Début"]),
        ("fin de phrase.«Début»", ["fin de phrase.", "«Début»"]),
        ("domestique.L'enquête commence", ["domestique.", "L'enquête commence"]),
        ("domestique.À Paris, rien", ["domestique.", "À Paris, rien"]),
        ("selon l'ONU.Le texte", ["selon l'ONU.", "Le texte"]),
        ("en 2023.La suite", ["en 2023.", "La suite"]),
        ("à Jakarta (AFP).Par ailleurs", ["à Jakarta (AFP).", "Par ailleurs"]),
        ("Vraiment?Oui.", ["Vraiment?", "Oui."]),
        ("il attendit…Puis il partit.", ["il attendit…", "Puis il partit."]),
        ("un.Deux.Trois", ["un.", "Deux.", "Trois"]),
    ],
)
def test_glued_paragraphs_are_split(glued: str, pieces: list[str]) -> None:
    assert split_glued(glued) == pieces


@pytest.mark.parametrize(
    "text",
    [
        "M.Macron est arrivé",
        "Mme.Dupont et Mlle.Martin",
        "le taux est de 3.5 %",
        "aux U.S.A. depuis",
        "sur www.site.fr et www.LeMonde.fr",
        "écrire à contact@Exemple.fr",
        "voir https://exemple.org/Page.Html",
        "St.Louis et Ste.Anne",
        "etc.Puis",
        "1.Introduction",
        "J.-C. et A.B.C.",
        "Bonjour. Au revoir.",
        "la version 2.0.Alpha",
        "fin de phrase.",
    ],
)
def test_what_is_not_glued_stays_whole(text: str) -> None:
    assert split_glued(text) == [text]


# --- Boilerplate -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Lire aussi", "Lire aussi :", "À lire aussi", "Lire aussi : Le sommet de l'Asean s'ouvre à Jakarta",
        "Lire aussi | Pékin et Washington", "Voir aussi", "Sur le même sujet", "Lire la suite",
        "Commentaires", "12 commentaires", "Voir les commentaires", "Réagir", "Publicité",
        "Abonnez-vous", "Abonnez-vous à partir de 1 € le premier mois", "Déjà abonné ? Connectez-vous",
        "Article réservé aux abonnés", "Partager", "Partager sur Facebook", "Partager sur X",
        "Suivre sur Twitter", "Suivez-nous", "Suivez-nous sur Instagram", "Newsletter",
        "Inscrivez-vous à la newsletter", "Imprimer", "Envoyer par e-mail", "Copier le lien",
        "Vidéo", "Photos", "Diaporama", "Photo : AFP", "Photo AFP / Ludovic Marin",
        "Crédit photo : Reuters", "© AFP 2023", "Tous droits réservés", "Temps de lecture : 3 min",
        "4 min de lecture", "Publié le 13/07/2023 à 08h30", "Mis à jour le 13 juillet 2023",
        "Écouter cet article", "Retour en haut",
    ],
)  # fmt: skip
def test_page_furniture_is_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Lire aussi les mémoires du général, conseille l'éditeur.",
        "Commentaires du ministre sur la réforme des retraites.",
        "La publicité envahit les écrans.",
        "Partager les richesses est une priorité, dit-elle.",
        "Photos de famille exposées au musée d'Orsay.",
        "Vidéo de l'agression : la police enquête.",
        "Suivez notre direct.",
        "Pékin est particulièrement dans le viseur",
    ],
)
def test_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


# --- Datelines ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "place", "agency", "rest"),
    [
        ("PARIS (AFP) - Le gouvernement a annoncé", "Paris", "AFP", "Le gouvernement a annoncé"),
        ("PARIS, 13 juillet (Reuters) - Le gouvernement", "Paris", "Reuters", "Le gouvernement"),
        ("Jakarta (AFP) – Les chefs de la diplomatie", "Jakarta", "AFP", "Les chefs de la diplomatie"),
        ("LOS ANGELES (AP) — Une fusillade", "Los Angeles", "AP", "Une fusillade"),
        ("AIX-EN-PROVENCE (AFP) - Le procès", "Aix-en-Provence", "AFP", "Le procès"),
        ("Rio de Janeiro (AFP) - Le carnaval", "Rio de Janeiro", "AFP", "Le carnaval"),
        ("(AFP) - Le président", None, "AFP", "Le président"),
        ("PARIS (AFP) -", "Paris", "AFP", ""),
        ("1er janvier 2016, 14h30 . –", None, None, ""),
        ("6 janvier 2016 . – Dans la soirée d'hier", None, None, "Dans la soirée d'hier"),
    ],
)
def test_datelines_become_place_and_agency(paragraph: str, place: str | None, agency: str | None, rest: str) -> None:
    dateline = parse_dateline(paragraph)
    assert dateline is not None and (dateline.place, dateline.agency, dateline.rest) == (place, agency, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "La rencontre a eu lieu à Jakarta. (AFP)",
        "Paris",
        "Selon l'AFP, le gouvernement a annoncé",
        "Le 13 juillet 2023, le gouvernement a annoncé",
        "La Chine (AFP) a exigé des excuses",
        "PARIS - Le gouvernement",
    ],
)
def test_sentences_are_not_datelines(paragraph: str) -> None:
    assert parse_dateline(paragraph) is None


def test_dateline_is_read_in_the_opening_paragraphs_only() -> None:
    cleaned = clean_paragraphs(
        ["Alerte à Pékin", "PÉKIN (AFP) - La pollution atteint un record.", "Suite.", "LYON (AFP) - Cité plus loin."]
    )
    assert (cleaned.place, cleaned.agency) == ("Pékin", "AFP")
    assert cleaned.paragraphs == ["Alerte à Pékin", "La pollution atteint un record.", "Suite.", "LYON (AFP) - Cité plus loin."]


def test_dateline_on_its_own_line_and_byline_together() -> None:
    cleaned = clean_paragraphs(["Jakarta (AFP) –", "Les chefs se sont vus.", "Georges Haddad, avec AFP"])
    assert (cleaned.paragraphs, cleaned.place, cleaned.agency, cleaned.author) == (
        ["Les chefs se sont vus."], "Jakarta", "AFP", "Georges Haddad"
    )


def test_glued_paragraphs_are_split_and_deduplicated() -> None:
    cleaned = clean_paragraphs(["l'accident domestique.Consternant, le maire s'est tu.", "Consternant, le maire s'est tu."])
    assert cleaned.paragraphs == ["l'accident domestique.", "Consternant, le maire s'est tu."]


# --- Dates in the text -------------------------------------------------------------------------------


def test_text_file_without_date_is_dated_from_its_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Alerte à Pékin\nPublié le jeudi 13 juillet 2023\nPÉKIN (AFP) - La pollution atteint un record.\nSuite.",
        encoding="utf-8",
    )
    [article] = read_file(path)
    assert isinstance(article, Article)
    assert (article.title, article.lede, article.body) == ("Alerte à Pékin", "La pollution atteint un record.", "Suite.")
    assert (article.date, article.agency) == (dt.date(2023, 7, 13), "AFP")


def test_text_date_header_wins_over_the_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Date: 2024-01-02\n\njeudi 13 juillet 2023\n\nTexte.", encoding="utf-8")
    [article] = read_file(path)
    assert isinstance(article, Article) and article.date == dt.date(2024, 1, 2)


def test_unreadable_date_header_falls_back_on_the_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Date: hier soir\n\njeudi 13 juillet 2023\n\nTexte.", encoding="utf-8")
    warning, article = read_file(path)
    assert isinstance(warning, Failure) and warning.warning and "dated 2023-07-13 from its text" in warning.reason
    assert isinstance(article, Article) and article.date == dt.date(2023, 7, 13)


DISPATCH = "PARIS (AFP) - Le gouvernement a présenté jeudi 13 juillet 2023 son plan de relance. Il sera voté le 2 octobre 2023."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("dispatch.txt", f"Plan de relance\n\n{DISPATCH}\n\nLa suite."),
        ("dispatch.jsonl", json.dumps({"title": "Plan de relance", "text": DISPATCH + "\n\nLa suite."}) + "\n"),
        ("lede.jsonl", json.dumps({"title": "Plan de relance", "lede": DISPATCH, "text": "La suite."}) + "\n"),
    ],
)
def test_a_dispatch_is_dated_from_its_first_sentence(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([tmp_path / name])
        hits = archive.search("relance", date_from="2023-07-13", date_to="2023-07-13").hits
    assert [hit.date for hit in hits] == [dt.date(2023, 7, 13)]  # the first sentence's, not October's


@pytest.mark.parametrize(
    ("paragraphs", "date"),
    [
        # A date in the dateline itself, then in the first sentence.
        (["PARIS, 12 juillet 2023 (Reuters) - Le plan a été présenté jeudi 13 juillet 2023."], dt.date(2023, 7, 12)),
        (["Titre court", "JAKARTA (AFP) - Blinken a vu Wang Yi le 13 juillet 2023 à Jakarta."], dt.date(2023, 7, 13)),
        # Not a dispatch: only a date written with its own weekday, as news writes the day.
        (["Le ministre a présenté jeudi 13 juillet 2023 son plan."], dt.date(2023, 7, 13)),
        (["Le 6 juin 1944, les Alliés débarquent en Normandie."], None),
        (["Le ministre a présenté vendredi 13 juillet 2023 son plan."], None),  # 13 July 2023 was a Thursday
        # Never one later than the first sentence.
        (["PARIS (AFP) - Le plan a été présenté. Il entre en vigueur le 13 juillet 2023."], None),
        (["PARIS (AFP) - Le plan a été présenté.", "Il entre en vigueur jeudi 13 juillet 2023."], None),
    ],
)
def test_the_date_an_article_opens_with(paragraphs: list[str], date: dt.date | None) -> None:
    assert clean_paragraphs(paragraphs).date == date


def test_a_records_own_date_wins_over_its_first_sentence(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "Plan", "date": "2023-07-14", "text": DISPATCH}) + "\n", encoding="utf-8")
    [article] = read_file(path)
    assert isinstance(article, Article) and article.date == dt.date(2023, 7, 14)


def test_mojibake_file_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Alerte Ã  PÃ©kin\n\nLa sÃ©curitÃ© des Ã©lÃ¨ves prÃ©occupe lâ€™Ã‰tat.", encoding="utf-8")
    [article] = read_file(path)
    assert isinstance(article, Article)
    assert (article.title, article.body) == ("Alerte à Pékin", "La sécurité des élèves préoccupe l’État.")


# --- The seed page -----------------------------------------------------------------------------------


def test_seed_page_cleaning() -> None:
    text = normalize_text(decode((SAMPLES / "000_ea71d8d9c7e3bcc7.txt").read_bytes()))
    cleaned = clean_paragraphs(split_paragraphs(text))
    assert len(cleaned.paragraphs) == 11  # the lede and a body of 10: the repeated body is kept once
    assert cleaned.paragraphs[0].startswith("Les chefs de la diplomatie américaine et chinoise")
    assert cleaned.paragraphs[-1].startswith("Pékin est particulièrement dans le viseur")
    assert (cleaned.author, cleaned.agency, cleaned.place, cleaned.date) == ("Georges Haddad", "AFP", None, None)
    assert clean_paragraphs(cleaned.paragraphs).paragraphs == cleaned.paragraphs


# --- Properties --------------------------------------------------------------------------------------

# Characters that exercise the rules: mojibake leads and continuations, stops, capitals, quotes,
# odd spaces, combining accents, invisible and control characters, datelines' parentheses.
_TRICKY = list("ÃÂÅâ€™©‰“ ¨ aeéÉEMLl.!?…»«”“\"'’()-–0123456789\n\r\t\u00a0\u202f\u0301\u200b\u00ad\x00\x81")
_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(_TRICKY)),
    st.lists(st.sampled_from(["PARIS (AFP) - ", "Lire aussi", "Ã©", "domestique.", "Consternant", "M.", " ", "\n",
                              "1er janvier 2016", ", 14h30 . – ", "Par Marie Dupont", "www.", "Le"])).map("".join),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, max_size=8))
def test_clean_paragraphs_is_idempotent(paragraphs: list[str]) -> None:
    once = clean_paragraphs(paragraphs).paragraphs
    assert clean_paragraphs(once).paragraphs == once


def test_clean_text_does_not_go_through_ftfy(monkeypatch: pytest.MonkeyPatch) -> None:
    """ftfy is the slow part: only lines that show mojibake are given to it."""
    import ftfy

    def fail(text: str) -> str:
        raise AssertionError(f"ftfy called on {text!r}")

    monkeypatch.setattr(ftfy, "fix_encoding", fail)
    assert normalize_text(FRENCH + "\nÂgée de 41 ans, JOÃO à São Paulo, château\u00a0!") == (
        FRENCH + "\nÂgée de 41 ans, JOÃO à São Paulo, château !"
    )


def test_inline_html_of_an_export_is_dropped_and_its_entities_decoded() -> None:
    from searchlib.ingest.cleaning import strip_markup

    assert strip_markup('<i><span class="lang-la" lang="la">Pomerium</span></i> de Rome') == "Pomerium de Rome"
    assert strip_markup("<p>Un.</p><p>Deux &amp; trois</p>").split() == ["Un.", "Deux", "&", "trois"]
    assert strip_markup("Prix : 3 &euro;, l&#8217;été") == "Prix : 3 €, l’été"
    # Plain text that only looks a little like markup stays as written.
    for plain in ("a < b et c > d", "<3", "Tom & Jerry", "x <y> z", "Procter&Gamble"):
        assert strip_markup(plain) == plain

"""One agency dispatch reprinted by several outlets is one hit, with its other copies listed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner

from searchlib import Archive, Article
from searchlib.cli import main

DISPATCH = (
    "Le gouvernement a annoncé jeudi un plan de soutien de trois milliards d'euros pour les agriculteurs "
    "touchés par la sécheresse, a indiqué le ministre de l'Agriculture lors d'une conférence de presse à "
    "Paris. Les exploitations les plus touchées pourront recevoir une aide directe dès le mois prochain, "
    "et les cotisations sociales seront reportées pour six mois. Les syndicats agricoles ont salué un "
    "premier pas mais réclament des mesures durables face au changement climatique et à la baisse des "
    "rendements observée depuis trois ans dans le sud du pays."
)
OTHER_STORY = (
    "La sécheresse frappe durement les éleveurs du Massif central, qui doivent acheter du fourrage à prix "
    "d'or. Dans le Cantal, plusieurs exploitants racontent leurs nuits sans sommeil et les troupeaux "
    "vendus trop tôt. Les banques proposent des reports d'échéance, mais beaucoup craignent de ne pas "
    "passer l'hiver. La chambre d'agriculture organise des réunions d'information chaque semaine et "
    "appelle l'État à simplifier les démarches pour obtenir les aides promises au printemps dernier."
)


def archive_with_reprints(new_archive: Callable[[], Archive] = Archive.in_memory) -> Archive:
    """Three copies of one dispatch, another story, and the dispatch again a year later, in an
    archive made by ``new_archive``."""
    archive = new_archive()
    archive.add_many(
        [
            Article(id="lemonde", title="Sécheresse : trois milliards pour les agriculteurs", source="Le Monde",
                    date=dt.date(2023, 7, 14), body="PARIS - " + DISPATCH + " (Avec AFP)"),
            Article(id="afp", title="Sécheresse: plan de soutien aux agriculteurs", source="AFP",
                    date=dt.date(2023, 7, 13), body=DISPATCH),
            Article(id="ouestfrance", title="Un plan pour les agriculteurs", source="Ouest-France",
                    date=dt.date(2023, 7, 13), body=DISPATCH + " Lire aussi notre dossier."),
            Article(id="reportage", title="Dans le Cantal, la sécheresse ruine les éleveurs", source="La Croix",
                    date=dt.date(2023, 7, 14), body=OTHER_STORY),
            Article(id="next-year", title="Sécheresse : le plan reconduit", source="AFP",
                    date=dt.date(2024, 7, 20), body=DISPATCH),
        ]
    )  # fmt: skip
    return archive


@pytest.fixture(scope="module")
def reprints(new_archive: Callable[[], Archive]) -> Archive:
    return archive_with_reprints(new_archive)


def test_copies_of_one_dispatch_are_one_hit_shown_as_the_earliest_copy(reprints: Archive) -> None:
    results = reprints.search("sécheresse agriculteurs")
    by_id = {hit.id: hit for hit in results.hits}
    assert "lemonde" not in by_id and "ouestfrance" not in by_id
    assert {copy.id for copy in by_id["afp"].copies} == {"lemonde", "ouestfrance"}
    assert by_id["reportage"].copies == ()
    assert by_id["next-year"].copies == ()  # the same text a year later is another story
    assert results.total == 5  # the total counts articles


def test_all_copies_shows_every_article(reprints: Archive) -> None:
    results = reprints.search("sécheresse agriculteurs", all_copies=True)
    assert len(results.hits) == 5 and all(hit.copies == () for hit in results.hits)


def test_cli_lists_the_other_copies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    records = [
        {"id": "afp", "title": "Plan sécheresse", "source": "AFP", "date": "2023-07-13", "text": DISPATCH},
        {"id": "lemonde", "title": "Plan sécheresse", "source": "Le Monde", "date": "2023-07-14", "text": DISPATCH},
    ]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    runner = CliRunner(env={"SEARCHLIB_INDEX": str(tmp_path / "ix"), "NO_COLOR": "1"})
    assert runner.invoke(main, ["index", str(tmp_path / "a.jsonl")]).exit_code == 0
    text = runner.invoke(main, ["search", "sécheresse"]).stdout
    assert "+1 other copy: Le Monde" in text
    data = json.loads(runner.invoke(main, ["search", "sécheresse", "--json"]).stdout)
    assert [hit["id"] for hit in data["hits"]] == ["afp"]
    assert data["copies"] == {"afp": [{"id": "lemonde", "source": "Le Monde", "date": "2023-07-14"}]}
    every = json.loads(runner.invoke(main, ["search", "sécheresse", "--json", "--all-copies"]).stdout)
    assert len(every["hits"]) == 2 and "copies" not in every


def test_copies_are_grouped_on_the_hash_and_date_each_article_stored() -> None:
    # Reads the keys the Whoosh index stores (embedded only). A second commit makes a second
    # segment, with undated articles and a body too short to hash.
    archive = archive_with_reprints()
    archive.add_many(
        [
            Article(id="undated", title="Sécheresse", body=DISPATCH),
            Article(id="short", title="Sécheresse", body="Brève.", date=dt.date(2023, 7, 13)),
            # The key is read from the text field's words, where a lede comes between title and body.
            Article(id="lede", title="Plan d'aide", lede="L'État débloque trois milliards d'euros.",
                    body=OTHER_STORY, date=dt.date(2023, 7, 15)),
        ]
    )
    from searchlib.backends.whoosh import arrays as topk
    from searchlib.analysis.copy_keys import word_simhash

    searcher = archive._backend._searcher()
    engine = topk.engine(searcher)
    keys, expected = [], []
    for docnum in range(engine.reader.doc_count_all()):
        stored = searcher.stored_fields(docnum)
        date = stored.get("date")
        keys.append(engine.copy_key(docnum))
        expected.append((word_simhash(stored["body"]), (date - dt.datetime.min).days if date else None))
    assert keys == expected
    assert any(hash_ is None for hash_, _ in keys) and any(day is None for _, day in keys)


def _stored_keys(archive: Archive) -> dict[str, int | None]:
    from searchlib.backends.whoosh import arrays as topk

    searcher = archive._backend._searcher()
    engine = topk.engine(searcher)
    return {searcher.stored_fields(n)["id"]: engine.copy_key(n)[0] for n in range(engine.reader.doc_count_all())}


def test_an_index_keeps_the_key_version_it_was_created_with(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Keys of two versions never compare: an index created before version 2 (its manifest has
    no copy_hash_version) keys the articles added to it later with version 1; a rebuild moves it."""
    from searchlib.analysis.copy_keys import COPY_HASH_VERSION, simhash, word_simhash

    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"id": "afp", "title": "Plan sécheresse", "date": "2023-07-13", "text": DISPATCH}) + "\n")
    manifest = tmp_path / "ix" / "searchlib.json"
    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([source])
        assert _stored_keys(archive) == {"afp": word_simhash(DISPATCH)}
    assert json.loads(manifest.read_text())["copy_hash_version"] == COPY_HASH_VERSION == 2
    old = json.loads(manifest.read_text())
    del old["copy_hash_version"]
    manifest.write_text(json.dumps(old))  # as searchlib wrote it before version 2
    reprint = "PARIS - " + DISPATCH
    with Archive(tmp_path / "ix") as archive:
        archive.add(Article(id="lemonde", title="Plan sécheresse", date=dt.date(2023, 7, 14), body=reprint))
        assert _stored_keys(archive) == {"afp": word_simhash(DISPATCH), "lemonde": simhash(reprint)}
    Archive.rebuild(tmp_path / "ix")  # from its files: the API's article is not carried over
    assert json.loads(manifest.read_text())["copy_hash_version"] == 2
    with Archive(tmp_path / "ix") as archive:
        assert _stored_keys(archive) == {"afp": word_simhash(DISPATCH)}


def test_an_index_with_keys_of_an_unknown_version_is_refused_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchlib.errors import IncompatibleIndex

    with Archive(tmp_path / "ix") as archive:
        archive.add(Article(id="afp", title="Plan sécheresse", body=DISPATCH))
    manifest = tmp_path / "ix" / "searchlib.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "copy_hash_version": 9}))
    try:
        Archive(tmp_path / "ix")
    except IncompatibleIndex as error:
        assert "version 9" in str(error) and "\n" not in str(error)
    else:
        raise AssertionError("opened an index whose keys it cannot compute")
    result = CliRunner(env={"SEARCHLIB_INDEX": str(tmp_path / "ix")}).invoke(main, ["search", "sécheresse"])
    assert result.exit_code != 0 and "version 9" in result.output and "Traceback" not in result.output

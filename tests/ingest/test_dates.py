"""Dates as archives and people write them (searchlib.ingest.dates): a date found in an article's
text, and the period a search filter names."""

from __future__ import annotations

import datetime as dt

import pytest

from searchlib.ingest.dates import find_date, parse_date_bound


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("jeudi 13 juillet 2023", dt.date(2023, 7, 13)),
        ("Jakarta, le 13 juillet 2023. Les chefs", dt.date(2023, 7, 13)),
        ("1er janvier 2016, 14h30 . – Un homme", dt.date(2016, 1, 1)),
        ("Publié le 13/07/2023 à 08h30", dt.date(2023, 7, 13)),
        ("13 juil. 2023", dt.date(2023, 7, 13)),
        ("LUNDI 1ER MAI 2017", dt.date(2017, 5, 1)),
        ("14 aout 2019", dt.date(2019, 8, 14)),
        ("Page actualisée : 23 mars 2016 — « Attentats de Bruxelles »", dt.date(2016, 3, 23)),
        ("31 février 2020\n2 mars 2020", dt.date(2020, 3, 2)),
        ("Alerte à Pékin\nPARIS, 13 juillet 2023 (AFP) - Le gouvernement", dt.date(2023, 7, 13)),
        ("Mis à jour : dimanche 2 juillet 2023", dt.date(2023, 7, 2)),
        ("— 13 juillet 2023 —", dt.date(2023, 7, 13)),
    ],
)
def test_find_date(text: str, date: dt.date) -> None:
    assert find_date(text) == date


@pytest.mark.parametrize(
    "text",
    [
        "13 juillet",  # no year
        "14 juillet 1789",  # history, not a publication date
        "Ce témoin, chez qui il s'était réfugié le 19 juillet 2016 à Beaumont",  # what the story is about
        "Le 14 juillet 2016, un camion a foncé sur la foule",
        "en 2023, 13 tonnes",
        "v1.13/07/2023",
        "12 septembre2001",
        "Texte. " * 200 + "13 juillet 2023",  # too far from the top
        "",
    ],
)
def test_find_date_finds_none(text: str) -> None:
    assert find_date(text) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("2023-07", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("07/2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("2023-07-13", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
        ("13/07/2023", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
        ("juillet 2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("Juillet 2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("juil. 2023", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("décembre 2023", dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        ("aout 2023", dt.date(2023, 8, 1), dt.date(2023, 8, 31)),
        ("13 juillet 2023", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
        ("1er août 2023", dt.date(2023, 8, 1), dt.date(2023, 8, 1)),
        ("  13   juillet  2023 ", dt.date(2023, 7, 13), dt.date(2023, 7, 13)),
    ],
)
def test_date_bounds(text: str, start: dt.date, end: dt.date) -> None:
    assert (parse_date_bound(text, end=False), parse_date_bound(text, end=True)) == (start, end)


@pytest.mark.parametrize("text", ["", "hier", "2023-13", "31 février 2023", "juillembre 2023", "2023-02-30", "23"])
def test_date_bounds_that_name_no_period_raise_a_readable_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"date|month"):
        parse_date_bound(text, end=False)

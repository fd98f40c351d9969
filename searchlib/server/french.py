"""The page speaks French: the library's errors and notices (English, for the CLI and the API)
said again in French for people using the search page. Anything not known here is shown as is."""

from __future__ import annotations

import re

from ..errors import ArticleNotFound, BadFilter, DamagedIndex, EmptyQuery, IndexNotFound, SearchlibError
from ..models import Trend, TrendSeries
from .limits import SearchStopped

_DATE_HINT = "écrivez un jour, un mois ou une année : 2023-07-13, 2023-07, 2023, « juillet 2023 »"
_FILTER_NAMES = {"from": "de début", "to": "de fin"}


def error_message(error: SearchlibError) -> tuple[str, str | None]:
    """(message, what to do) in French for ``error``."""
    if isinstance(error, SearchStopped):
        return "La recherche a pris trop de temps et a été arrêtée.", "Précisez-la : plus de mots, une expression entre guillemets, des dates ou une source."
    if isinstance(error, EmptyQuery):
        if "leave out" in error.reason:
            return "La recherche ne dit que ce qu'il faut exclure (NOT, SAUF, -).", "Ajoutez un mot qui dit ce que vous cherchez."
        return "La recherche ne contient aucun mot à chercher.", "Saisissez un ou plusieurs mots, par exemple « sécurité »."
    if isinstance(error, ArticleNotFound):
        return f"Aucun article n'a l'identifiant « {error.article_id} ».", "Retrouvez-le par une recherche."
    if isinstance(error, IndexNotFound):
        return "L'index des archives est introuvable.", "Il doit être créé avec « searchlib index »."
    if isinstance(error, DamagedIndex):
        return "Une partie de l'index des archives est endommagée et ne peut être lue.", "Il doit être vérifié avec « searchlib check » et reconstruit avec « searchlib index »."
    if isinstance(error, BadFilter):
        return _bad_filter(error)
    return str(error), error.hint


def _bad_filter(error: BadFilter) -> tuple[str, str | None]:
    value = str(error.value)
    if error.name in _FILTER_NAMES:
        return f"Date {_FILTER_NAMES[error.name]} non reconnue : « {value} ».", _DATE_HINT.capitalize() + "."
    if error.name == "page" and "first" in error.reason and "lines" in error.reason:
        return "Seules les premières lignes de la concordance peuvent être parcourues page par page.", "Précisez la recherche avec des dates ou une source."
    if error.name == "page" and "first" in error.reason:
        return "Seuls les premiers résultats peuvent être parcourus page par page.", "Précisez la recherche avec des dates ou une source."
    if error.name == "query":
        return "La recherche est trop longue.", "Raccourcissez-la."
    if error.name in ("page", "limit", "per", "width"):
        return f"Valeur non valable pour « {error.name} » : « {value} ».", None
    if error.name in ("period", "by"):
        return f"Période non reconnue : « {value} ».", "Choisissez l'année, le mois ou la semaine."
    if error.name == "queries":
        return "Une tendance compare six recherches au plus.", "Tracez les autres dans un second graphique."
    if error.name == "sort":
        return f"Ordre de tri non reconnu : « {value} ».", None
    return str(error), error.hint


_NOTICES = [
    (re.compile(r"the query has .*; searched for its words instead"),
     "Une partie de la syntaxe n'a pas pu être lue : les mots de la recherche ont été cherchés tels quels."),
    (re.compile(r"the query has only common words \((.*)\): searched as written"),
     "La recherche n'a que des mots courants ({0}) : ils ont été cherchés tels quels dans les titres et les noms de sources."),
    (re.compile(r"^no article matches (.*)$"), "Aucun article ne correspond à « {0} »."),
    (
        re.compile(r'^(.*) counts the articles holding any of its words; for the phrase, quote it: ".*"$'),
        "« {0} » compte les articles qui contiennent l'un de ses mots ; pour l'expression exacte, "
        "mettez-la entre guillemets : \"{0}\".",
    ),
    (re.compile(r"the query is longer than (\d+) characters"),
     "La recherche dépassait {0} caractères : la suite a été ignorée."),
]  # fmt: skip


def notice(text: str) -> str:
    for pattern, french in _NOTICES:
        found = pattern.search(text)
        if found:
            return french.format(*found.groups())
    return text


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")


def number(value: float) -> str:
    """12, 1 234, 2,5: whole numbers as counts, others with one decimal and a comma."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")


def articles(count: int) -> str:
    return f"{number(count)} article{'s' if count > 1 else ''}"


def period(text: str) -> str:
    """"2023" → "2023", "2023-07" → "juillet 2023", "2023-W07" → "semaine 7 de 2023"."""
    if "-W" in text:
        year, week = text.split("-W")
        return f"semaine {int(week)} de {year}"
    if len(text) == 7 and text[4] == "-" and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return f"{MONTHS[int(text[5:]) - 1]} {text[:4]}"
    return text


def trend_point(trend: Trend, series: TrendSeries, at: str) -> str:
    """A point's tooltip: « retraites », juillet 2023 : 12 articles (3,4 pour 1 000)."""
    count = series.counts.get(at, 0)
    text = f"« {series.query} », {period(at)} : {articles(count)}"
    if trend.per is not None:
        text += f" ({number(trend.value(series, at))} pour {number(trend.per)})"
    return text

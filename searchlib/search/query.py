"""User text → searchlib's query tree (:mod:`searchlib.search.tree`). Lenient: a query with broken
syntax is searched as plain words.

:mod:`searchlib.search.parser` reads the language (:mod:`searchlib.search.syntax` its syntax); here
the result is rewritten for the ranking: ``NOT`` excludes inside an OR, the title's words as written
only hold plain words, a fuzzy word is looked for once, and articles holding every word, or the words
close together, get bonuses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from ..errors import BadFilter, EmptyQuery
from ..ingest.dates import parse_date_bound
from ..models import SearchFilters
from . import parser, ranking, tree
from ..analysis.french import _WORD, content_word, fold_token
from .fields import ALL_WORDS_FIELD, EXACT_FIELDS, TEXT_FIELDS

T = TypeVar("T")

#: Longest query text searched; the rest is ignored (with a notice).
MAX_QUERY_CHARS = 1000

# The French operators are read as the English ones; in capitals only, as lower-case "et" and "ou"
# are ordinary (stop) words.
_OPERATORS = ("AND", "OR", "ET", "OU", "NOT", "SAUF", "ANDNOT", "ANDMAYBE")
_BINARY = ("AND", "OR", "ET", "OU")


_PLAIN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A question mark ends a question ("Qui a gagné ?", "gagné?") and a lone * or ? means nothing:
# only a ? inside a word (p?kin) and a * after letters (cyber*) are wildcards.
_NOT_A_WILDCARD = re.compile(r"(?<![^\W_])[?*]+|\?+(?![^\W_])")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    query: tree.Node
    notices: list[str] = field(default_factory=list)
    #: The text the parser read (``text``, or its plain words when its syntax could not be read):
    #: the terms' ``startchar`` and ``endchar`` point into it.
    parsed_from: str = ""


def syntax_problem(text: str) -> str | None:
    """What is wrong with the query syntax of ``text``, in words, or None when nothing is."""
    if text.count('"') % 2:
        return "an unclosed quote"
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return "a ')' without its '('"
    if depth:
        return "an unclosed '('"
    words = text.replace("(", " ").replace(")", " ").split()
    if words and (words[0] in _BINARY or words[-1] in _OPERATORS):
        operator = words[0] if words[0] in _BINARY else words[-1]
        return f"{operator} without words on both sides"
    return None


def plain_words(text: str) -> str:
    """The words of ``text`` with every bit of syntax dropped (operators become ordinary words)."""
    return " ".join(word.lower() for word in _PLAIN_WORD.findall(text))


class QueryBuilder:
    """Reads queries: the text, the fields its words are searched in, the rewrites."""

    def __init__(self) -> None:
        fields = [name for name in TEXT_FIELDS if ranking.FIELD_BOOSTS.get(name, 1.0)]
        fields += [name for name in EXACT_FIELDS if ranking.FIELD_BOOSTS.get(name)]
        self._boosts = {name: ranking.FIELD_BOOSTS.get(name, 1.0) for name in fields}

    def parse(self, text: str) -> ParsedQuery:
        """Raises :class:`EmptyQuery` when nothing in ``text`` is searchable; a query of common
        words only is searched as written (:func:`common_words_query`), with a notice."""
        text, parsed_from, parsed, notices = read_leniently(text, lambda typed: parser.parse(typed, self._boosts))
        built = tree.normalized(all_words_first(exclusions_exclude(fuzzy_on_words(exact_words_only(parsed)))))
        if has_positive_terms(built):
            return ParsedQuery(text, built, notices, parsed_from)
        words = common_words(text)
        if not words:
            raise EmptyQuery(text, has_words=bool(plain_words(text)))
        notice = (
            f"the query has only common words ({', '.join(dict.fromkeys(words))}): searched as written, "
            "in titles and source names"
        )
        return ParsedQuery(text, common_words_query(words), [*notices, notice], parsed_from)


def common_words(text: str) -> tuple[str, ...]:
    """The folded words of ``text`` when every one is too common to be indexed in article text
    ("Les Échos" → les, echos), else nothing."""
    words = tuple(fold_token(match.group().lower()) for match in _WORD.finditer(plain_words(text)))
    return () if any(content_word(word) for word in words) else words


def common_words_query(words: tuple[str, ...]) -> tree.Node:
    """Common words as written: first the titles and source names that hold them as a phrase, then
    the titles that hold them all."""
    if len(words) == 1:
        return tree.Or((tree.Term(ALL_WORDS_FIELD, words[0]), tree.Term("source", words[0])))
    phrases = (tree.Phrase(ALL_WORDS_FIELD, words, boost=4.0), tree.Phrase("source", words, boost=4.0))
    every = tree.And(tuple(tree.Term(ALL_WORDS_FIELD, word) for word in words))
    return tree.Or((*phrases, every))


def read_leniently(text: str, read: Callable[[str], T]) -> tuple[str, str, T, list[str]]:
    """``text`` cut to :data:`MAX_QUERY_CHARS`, without the ``?`` and ``*`` that are no wildcards,
    then ``read``; its plain words read instead when its syntax is broken or ``read`` fails. Gives
    the text, the text read, what ``read`` made of it and the notices."""
    notices: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        notices.append(f"the query is longer than {MAX_QUERY_CHARS} characters; the rest was ignored")
        text = text[:MAX_QUERY_CHARS]
    text = _NOT_A_WILDCARD.sub(" ", text)
    problem = syntax_problem(text)
    if problem is None:
        try:
            return text, text, read(text), notices
        except Exception:  # noqa: BLE001 - any failure to read means: read it as plain words
            problem = "syntax searchlib could not read"
    notices.append(f"the query has {problem}; searched for its words instead")
    words = plain_words(text)
    return text, words, read(words), notices


def _apply(node: tree.Node, rewrite: Callable[[tree.Node], tree.Node]) -> tree.Node:
    """``node`` with ``rewrite`` applied to each of its children."""
    if isinstance(node, (tree.Or, tree.And)):
        return replace(node, children=tuple(rewrite(child) for child in node.children))
    if isinstance(node, tree.AndNot):
        return tree.AndNot(rewrite(node.positive), rewrite(node.negative))
    if isinstance(node, tree.AndMaybe):
        return tree.AndMaybe(rewrite(node.required), rewrite(node.optional))
    if isinstance(node, tree.Not):
        return tree.Not(rewrite(node.child))  # (Whoosh's apply left the boost behind)
    return node


def all_words_first(q: tree.Node) -> tree.Node:
    """Adds bonuses for articles holding every clause of a top-level OR (every word, usually),
    and for those where the words stand close together."""
    if isinstance(q, tree.AndNot):
        return tree.AndNot(all_words_first(q.positive), q.negative)
    if not isinstance(q, tree.Or):
        return q
    clauses = [clause for clause in map(tree.normalized, q.children) if clause is not tree.NOTHING]
    if len(clauses) < 2:
        return q
    ranked: list[tree.Node] = [tree.Or(tuple(clauses))]
    if ranking.ALL_WORDS_BOOST:
        ranked.append(tree.And(tuple(clauses), boost=ranking.ALL_WORDS_BOOST))
    if ranking.PROXIMITY_BOOST or ranking.TITLE_NEAR_BOOST or ranking.TITLE_TOGETHER_BOOST:
        ranked += _proximity(clauses)
    return tree.Or(tuple(ranked))


def _proximity(clauses: list[tree.Node]) -> list[tree.Node]:
    """The query's plain words close together in the title, and in the text, in any order: the
    order they were typed in changes nothing (they are sorted)."""
    words = [_single_word(clause) for clause in clauses]
    if None in words:
        return []
    typed = tuple(sorted(set(words)))  # type: ignore[arg-type]
    if len(typed) < 2:  # one word, typed twice
        return []
    near: list[tree.Node] = []
    if ranking.TITLE_NEAR_BOOST:
        near.append(tree.Near("title", typed, ranking.TITLE_NEAR_SLOP, ranking.TITLE_NEAR_BOOST))
    if ranking.TITLE_TOGETHER_BOOST:
        near.append(tree.Near("title", typed, 1, ranking.TITLE_TOGETHER_BOOST))
    if ranking.PROXIMITY_BOOST:
        near.append(tree.Near("text", typed, ranking.PROXIMITY_SLOP, ranking.PROXIMITY_BOOST))
    return near


def _single_word(clause: tree.Node) -> str | None:
    """The analysed word of a clause that searches one word in the text fields, else None."""
    leaves = [clause] if not tree.is_branch(clause) else list(tree.children(clause))
    texts = {leaf.text for leaf in leaves if isinstance(leaf, tree.Term) and leaf.field in TEXT_FIELDS}
    if len(texts) == 1 and all(isinstance(leaf, tree.Term) for leaf in leaves):
        return texts.pop()
    return None


def exclusions_exclude(q: tree.Node) -> tree.Node:
    """Makes ``NOT`` exclude inside an OR group, as people mean it.

    With OR as the default group, ``chine NOT tensions`` reads "chine, or anything without
    tensions", which matches everything; we want "chine, but not tensions".
    """
    q = _apply(q, exclusions_exclude)
    if not isinstance(q, tree.Or):
        return q
    excluded = [child.child for child in q.children if isinstance(child, tree.Not)]
    if not excluded:
        return q
    kept = tuple(child for child in q.children if not isinstance(child, tree.Not))
    # Even one kept clause stays in an OR: all_words_first must not read its fields as words.
    positive = tree.Or(kept, boost=q.boost)
    return tree.AndNot(positive, tree.Or(tuple(excluded)) if len(excluded) > 1 else excluded[0])


def exact_words_only(q: tree.Node) -> tree.Node:
    """Keeps only the plain words of the fields of words as written (:data:`EXACT_FIELDS`): a bonus
    for a word typed as the article writes it. A phrase, wildcard or fuzzy term there is dropped (the
    field has no positions, and the text fields search them already)."""
    if not tree.is_branch(q):
        return tree.NOTHING if getattr(q, "field", None) in EXACT_FIELDS and type(q) is not tree.Term else q
    return _apply(q, exact_words_only)


def fuzzy_on_words(q: tree.Node) -> tree.Node:
    """Keeps one copy of each fuzzy term (``cyberataque~``) of the text fields: the ``text`` one.

    A fuzzy term is read folded but not stemmed: a word as written, which the engine looks up
    among the archive's words as written. The text field holds the title too, so the title's copy
    is dropped.
    """
    if isinstance(q, tree.Fuzzy) and q.field in TEXT_FIELDS:
        return q if q.field == "text" else tree.NOTHING
    return q if not tree.is_branch(q) else _apply(q, fuzzy_on_words)


def has_positive_terms(q: tree.Node) -> bool:
    if isinstance(q, tree.Not) or q is tree.NOTHING:
        return False
    if isinstance(q, tree.AndNot):
        return has_positive_terms(q.positive)
    if not tree.is_branch(q):
        return True
    return any(has_positive_terms(child) for child in tree.children(q))


def make_filters(
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    sources: Iterable[str] = (),
    authors: Iterable[str] = (),
    sections: Iterable[str] = (),
    added_since: dt.datetime | None = None,
) -> SearchFilters:
    """The filters of a search, with dates read from text ("2023", "juillet 2023", "2023-07-13").

    Raises :class:`BadFilter` for a date that names no day, month or year, or an empty period.
    """
    if added_since is not None and added_since.tzinfo is None:
        added_since = added_since.astimezone()  # a naive time is the machine's local time
    start = _date_bound("from", date_from, end=False)
    end = _date_bound("to", date_to, end=True)
    if start and end and start > end:
        raise BadFilter("dates", f"{start} … {end}", "the period ends before it starts", "swap --from and --to")

    return SearchFilters(start, end, _names(sources), _names(authors), _names(sections), added_since)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):  # one name given as a string, not a list of its letters
        values = [values]
    return tuple(dict.fromkeys(value.strip() for value in values if value.strip()))


def _date_bound(name: str, value: dt.date | str | None, end: bool) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return parse_date_bound(value, end=end)
    except ValueError as error:
        hint = "write a day, a month or a year: 2023-07-13, 2023-07, 2023, « juillet 2023 »"
        raise BadFilter(name, value, str(error), hint) from None



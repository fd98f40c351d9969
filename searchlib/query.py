"""User text → Whoosh query. Lenient: a query with broken syntax is searched as plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, OrGroup
from whoosh.reading import IndexReader

from .errors import EmptyQuery
from . import ranking
from .schema import FIELD_ALIASES, TEXT_FIELDS

#: Longest query text searched; the rest is ignored (with a notice).
MAX_QUERY_CHARS = 1000


_OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
_PLAIN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A question mark ends a question ("Qui a gagné ?", "gagné?") and a lone * or ? means nothing:
# only a ? inside a word (p?kin) and a * after letters (cyber*) are wildcards.
_NOT_A_WILDCARD = re.compile(r"(?<![^\W_])[?*]+|\?+(?![^\W_])")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    query: wq.Query
    notices: list[str] = field(default_factory=list)


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
    if words and (words[0] in _OPERATORS[:2] or words[-1] in _OPERATORS):
        operator = words[0] if words[0] in _OPERATORS[:2] else words[-1]
        return f"{operator} without words on both sides"
    return None


def plain_words(text: str) -> str:
    """The words of ``text`` with every bit of syntax dropped (operators become ordinary words)."""
    return " ".join(word.lower() for word in _PLAIN_WORD.findall(text))


class QueryBuilder:
    def __init__(self, schema: Schema) -> None:
        self._parser = MultifieldParser(
            list(TEXT_FIELDS), schema, fieldboosts=ranking.FIELD_BOOSTS, group=OrGroup
        )
        self._parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))

    def parse(self, text: str) -> ParsedQuery:
        """Raises :class:`EmptyQuery` when nothing in ``text`` is searchable."""
        notices: list[str] = []
        if len(text) > MAX_QUERY_CHARS:
            notices.append(f"the query is longer than {MAX_QUERY_CHARS} characters; the rest was ignored")
            text = text[:MAX_QUERY_CHARS]
        text = _NOT_A_WILDCARD.sub(" ", text)
        problem = syntax_problem(text)
        parsed = None
        if problem is None:
            try:
                parsed = self._parser.parse(text, normalize=False)
            except Exception:  # noqa: BLE001 - any parser failure means: read it as plain words
                problem = "syntax searchlib could not read"
        if parsed is None:
            notices.append(f"the query has {problem}; searched for its words instead")
            parsed = self._parser.parse(plain_words(text), normalize=False)
        if not has_positive_terms(parsed.normalize()):
            raise EmptyQuery(text, has_words=bool(plain_words(text)))
        built = all_words_first(exclusions_exclude(parsed))
        return ParsedQuery(text, built.normalize(), notices)


def all_words_first(q: wq.Query) -> wq.Query:
    """Adds bonuses for articles holding every clause of a top-level OR (every word, usually),
    and for those where the words stand close together."""
    if isinstance(q, wq.AndNot):
        return wq.AndNot(all_words_first(q.a), q.b)
    if not isinstance(q, wq.Or):
        return q
    clauses = [clause for clause in (c.normalize() for c in q.subqueries) if clause is not wq.NullQuery]
    if len(clauses) < 2:
        return q
    ranked = [wq.Or(clauses)]
    if ranking.ALL_WORDS_BOOST:
        ranked.append(wq.And(clauses, boost=ranking.ALL_WORDS_BOOST))
    if ranking.PROXIMITY_BOOST or ranking.PAIR_BOOST:
        ranked += _proximity(clauses)
    return wq.Or(ranked)


def _proximity(clauses: list[wq.Query]) -> list[wq.Query]:
    """Sloppy phrases of the query's plain words, one per text field."""
    words = [_single_word(clause) for clause in clauses]
    if len(words) < 2 or None in words:
        return []
    near: list[wq.Query] = [
        wq.Phrase(field, words, slop=ranking.PROXIMITY_SLOP, boost=ranking.PROXIMITY_BOOST * boost)
        for field, boost in ranking.FIELD_BOOSTS.items()
    ]
    if ranking.PAIR_BOOST and len(words) > 2:
        near += [
            wq.Phrase("text", [first, second], slop=ranking.PAIR_SLOP, boost=ranking.PAIR_BOOST)
            for first, second in zip(words, words[1:])
        ]
    return near


def _single_word(clause: wq.Query) -> str | None:
    """The analysed word of a clause that searches one word in the text fields, else None."""
    leaves = [clause] if clause.is_leaf() else list(clause.children())
    texts = {leaf.text for leaf in leaves if isinstance(leaf, wq.Term) and leaf.fieldname in TEXT_FIELDS}
    if len(texts) == 1 and all(isinstance(leaf, wq.Term) for leaf in leaves):
        return texts.pop()
    return None


def exclusions_exclude(q: wq.Query) -> wq.Query:
    """Makes ``NOT`` exclude inside an OR group, as people mean it.

    With OR as the default group, Whoosh reads ``chine NOT tensions`` as "chine, or anything
    without tensions", which matches everything; we want "chine, but not tensions".
    """
    q = q.apply(exclusions_exclude)
    if not isinstance(q, wq.Or):
        return q
    excluded = [child.query for child in q.subqueries if isinstance(child, wq.Not)]
    if not excluded:
        return q
    kept = [child for child in q.subqueries if not isinstance(child, wq.Not)]
    positive = wq.Or(kept, boost=q.boost, scale=q.scale) if len(kept) > 1 else kept[0]
    return wq.AndNot(positive, wq.Or(excluded) if len(excluded) > 1 else excluded[0])


def has_positive_terms(q: wq.Query) -> bool:
    if isinstance(q, wq.Not) or q is wq.NullQuery:
        return False
    if q.is_leaf():
        return True
    return any(has_positive_terms(child) for child in q.children())


def highlight_terms(q: wq.Query, reader: IndexReader) -> set[str]:
    """The index terms of the text fields a hit can show as matched (negated words excluded)."""
    if isinstance(q, wq.Not):
        return set()
    if not q.is_leaf():
        found: set[str] = set()
        for child in q.children():
            found |= highlight_terms(child, reader)
        return found
    try:
        pairs = q.existing_terms(reader, expand=True)
    except Exception:  # noqa: BLE001 - a query kind that cannot list terms highlights nothing
        return set()
    return {_as_text(text) for fieldname, text in pairs if fieldname in TEXT_FIELDS}


def _as_text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term

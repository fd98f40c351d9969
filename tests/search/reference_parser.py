"""The query language as searchlib read it with Whoosh's query parser (its plugins and rewrites),
kept as the reference searchlib's own parser must match (tests/search/test_tree.py): the Whoosh query
it gave for any text. A copy of searchlib/search/query.py as it was before that parser.
"""

from __future__ import annotations

import copy
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldPlugin,
    OperatorsPlugin,
    OrGroup,
    PlusMinusPlugin,
    syntax,
)

from whoosh.qparser import QueryParser

from searchlib.backends.whoosh.near import Near
from searchlib.backends.whoosh.schema import build_schema
from searchlib.errors import EmptyQuery
from searchlib.search import ranking
from searchlib.search.fields import EXACT_FIELDS, FIELD_ALIASES, TEXT_FIELDS
from searchlib.search.query import plain_words, read_leniently

# The French operators are read as the English ones; in capitals only, as lower-case "et" and "ou"
# are ordinary (stop) words.
_OPERATORS = ("AND", "OR", "ET", "OU", "NOT", "SAUF", "ANDNOT", "ANDMAYBE")
_BINARY = ("AND", "OR", "ET", "OU")


class _OrOperands(syntax.OrGroup):
    """The operands of an OR operator. Whoosh merges an OR into a neighbouring group of its own
    type, and brackets make plain OrGroups: ``(a NOT b) OR c`` would become ``a, c NOT b``."""


_OpTagger = OperatorsPlugin.OpTagger
_FRENCH_OPERATORS = OperatorsPlugin(
    [
        (_OpTagger(r"(^|(?<=(\s|[()])))(?:NOT|SAUF)(?=\s)", syntax.NotGroup, syntax.PrefixOperator, memo="not"), 0),
        (_OpTagger(r"(?<=\s)(?:AND|ET)(?=\s)", syntax.AndGroup, memo="and"), 0),
        (_OpTagger(r"(?<=\s)(?:OR|OU)(?=\s)", _OrOperands, memo="or"), 0),
        (_OpTagger(r"(?<=\s)ANDNOT(?=\s)", syntax.AndNotGroup, memo="anot"), -5),
        (_OpTagger(r"(?<=\s)ANDMAYBE(?=\s)", syntax.AndMaybeGroup, memo="amaybe"), -5),
    ],
    clean=True,
)


class _PlusMinus(PlusMinusPlugin):
    """``+mot`` requires and ``-mot`` excludes a word, also inside brackets (Whoosh's plugin only
    reads them at the top level), and only at the start of a word: "États-Unis" stays whole."""

    def __init__(self) -> None:
        super().__init__(plusexpr=r"(?<!\S)\+(?=[^\s+-])", minusexpr=r"(?<!\S)-(?=[^\s+-])")

    def do_plusminus(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.do_plusminus(parser, node)
        return super().do_plusminus(parser, group)
class CachedParser(QueryParser):
    """Whoosh's parser with its plugins' taggers and filters ordered once."""

    def _priorized(self, methodname: str) -> list[Any]:
        plugins = tuple(self.plugins)
        ordered = self.__dict__.setdefault("_ordered", {})
        known = ordered.get(methodname)
        if known is None or known[0] != plugins:
            known = ordered[methodname] = (plugins, super()._priorized(methodname))
        return known[1]


class ReferenceParser:
    def __init__(self, schema: Schema | None = None) -> None:
        # Whoosh's MultifieldParser, on a parser that orders its plugins' parts once
        self._parser = CachedParser(None, schema or build_schema(), group=OrGroup)
        fields = [name for name in TEXT_FIELDS if ranking.FIELD_BOOSTS.get(name, 1.0)]
        fields += [name for name in EXACT_FIELDS if ranking.FIELD_BOOSTS.get(name)]
        self._parser.add_plugin(MultifieldPlugin(fields, fieldboosts=ranking.FIELD_BOOSTS))
        self._parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        self._parser.replace_plugin(_FRENCH_OPERATORS)
        self._parser.add_plugin(_PlusMinus())
        self._parser.add_plugin(FuzzyTermPlugin())

    def parse_whoosh(self, text: str) -> tuple[str, list[str], wq.Query]:
        """The text read, the notices and the Whoosh query of ``text``."""
        text, parsed_from, parsed, notices = read_leniently(text, lambda typed: self._parser.parse(typed, normalize=False))
        built = normalized(all_words_first(exclusions_exclude(fuzzy_on_words(exact_words_only(parsed)))))
        if not has_positive_terms(built):
            raise EmptyQuery(text, has_words=bool(plain_words(text)))
        return parsed_from, notices, built


def normalized(q: wq.Query) -> wq.Query:
    """``q.normalize()``, the same query made cheaper.

    Whoosh's ``Or.normalize`` lifts the subqueries of an Or nested in an Or (each word's fields,
    the bonuses' Or of words) into it with ``with_boost``, a ``copy.deepcopy`` each: a fifth of
    a query's parsing. Here the Ors are lifted first, a plain ``Term`` by a shallow copy (its
    fields are strings and numbers), and Whoosh's normalize then finds nothing left to lift.
    """
    if type(q) is not wq.Or:
        return q.normalize()
    lifted: list[wq.Query] = []
    for sub in q.subqueries:
        sub = normalized(sub)
        if isinstance(sub, wq.Or):
            lifted += [_with_boost(inner, inner.boost * sub.boost) for inner in sub.subqueries]
        else:
            lifted.append(sub)
    return wq.Or(lifted, boost=q.boost, minmatch=q.minmatch, scale=q.scale).normalize()


def _with_boost(q: wq.Query, boost: float) -> wq.Query:
    if type(q) is not wq.Term:
        return q.with_boost(boost)
    term = copy.copy(q)
    term.boost = boost
    return term


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
    if ranking.PROXIMITY_BOOST or ranking.TITLE_NEAR_BOOST or ranking.TITLE_TOGETHER_BOOST:
        ranked += _proximity(clauses)
    return wq.Or(ranked)


def _proximity(clauses: list[wq.Query]) -> list[wq.Query]:
    """The query's plain words close together in the title and in the text, in any order."""
    words = [_single_word(clause) for clause in clauses]
    if len(words) < 2 or None in words:
        return []
    words = sorted(set(words))
    if len(words) < 2:  # one word, typed twice
        return []
    near: list[wq.Query] = []
    if ranking.TITLE_NEAR_BOOST:
        near.append(Near("title", words, slop=ranking.TITLE_NEAR_SLOP, boost=ranking.TITLE_NEAR_BOOST))
    if ranking.TITLE_TOGETHER_BOOST:
        near.append(Near("title", words, slop=1, boost=ranking.TITLE_TOGETHER_BOOST))
    if ranking.PROXIMITY_BOOST:
        near.append(Near("text", words, slop=ranking.PROXIMITY_SLOP, boost=ranking.PROXIMITY_BOOST))
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
    # Even one kept clause stays in an OR: all_words_first must not read its fields as words.
    positive = wq.Or(kept, boost=q.boost, scale=q.scale)
    return wq.AndNot(positive, wq.Or(excluded) if len(excluded) > 1 else excluded[0])


def exact_words_only(q: wq.Query) -> wq.Query:
    """Keeps only the plain words of the fields of words as written (:data:`EXACT_FIELDS`): a bonus
    for a word typed as the article writes it. A phrase, wildcard or fuzzy term there is dropped (the
    field has no positions, and the text fields search them already)."""
    if q.is_leaf():
        if getattr(q, "fieldname", None) in EXACT_FIELDS and type(q) is not wq.Term:
            return wq.NullQuery
        return q
    return q.apply(exact_words_only)


def fuzzy_on_words(q: wq.Query) -> wq.Query:
    """Keeps one copy of each fuzzy term (``cyberataque~``) of the text fields: the ``text`` one.

    The parser hands a fuzzy term to the analyzer untokenised, so it arrives folded but not
    stemmed (see ``FrenchStemFilter``): a word as written, which :func:`bound_expansions` looks
    up among the archive's words as written. The text field holds the title too, so the
    title's copy is dropped.
    """
    if isinstance(q, wq.FuzzyTerm) and q.fieldname in TEXT_FIELDS:
        return q if q.fieldname == "text" else wq.NullQuery
    return q.apply(fuzzy_on_words) if not q.is_leaf() else q


def has_positive_terms(q: wq.Query) -> bool:
    if isinstance(q, wq.Not) or q is wq.NullQuery:
        return False
    if isinstance(q, wq.AndNot):
        return has_positive_terms(q.a)
    if q.is_leaf():
        return True
    return any(has_positive_terms(child) for child in q.children())



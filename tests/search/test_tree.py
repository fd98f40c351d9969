"""searchlib's query tree carries the whole query: the Whoosh engine's translation of a parsed
query is the very query Whoosh's parser built, and the tree's normal form is Whoosh's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from searchlib.backends.whoosh.queries import from_whoosh, to_whoosh
from searchlib.errors import EmptyQuery
from searchlib.search import tree
from searchlib.search.query import QueryBuilder

pytestmark = pytest.mark.equivalence


PARSER = QueryBuilder()
DOCUMENTED = [
    "cyberattaque chinoise", "securite", "SÉCURITÉ", '"mer de Chine"', "etats-unis", '"Blinken Wang"~5',
    "blinken AND pekin", "blinken OR wang", "chine NOT taiwan", "blinken ET pekin", "blinken OU wang",
    "chine SAUF taiwan", "chine -taiwan", "chine +pekin", "(blinken -wang) OU pekin", "title:pekin",
    "author:haddad", "source:afp", "section:monde", "lede:chine body:pekin", "date:2023", "date:2023-07",
    "date:[2023-01-01 TO 2023-06-30]", "cyber*", "p?kin", "pék*", "cyberataque~", "shangfou~2",
    "Qu'est-ce que l'Asean ?", "a ANDMAYBE chine", "titre:[a TO c]", "*:*", "date:Alerte chine", '"unclosed', "( chine", "AND",
]
WORDS = st.sampled_from(
    ["chine", "Pékin", "l'État", "sécurité", "le", "de", "AND", "OU", "NOT", "SAUF", "ANDNOT", "ANDMAYBE",
     "title:", "date:2023", "auteur:", "(", ")", '"', "~2", "*", "?", "+", "-", "^2", "[a TO z]", "etats-unis"]
)


def _same(built: object, translated: object) -> None:
    """Equal as Whoosh compares queries, and in what Whoosh's equality leaves out: where each word
    was typed (what spelling help reads), and the phrases' character ranges."""
    assert translated == built
    assert type(translated) is type(built)
    placed = ("startchar", "endchar") if type(built) in (wq.Term, wq.Prefix, wq.Wildcard, wq.FuzzyTerm) else ()
    for name in (*placed, "char_ranges", "minmatch", "slop", "maxdist", "prefixlength", "constantscore"):
        assert getattr(translated, name, None) == getattr(built, name, None), name
    if not built.is_leaf():  # type: ignore[attr-defined]
        for inner_built, inner_translated in zip(built.children(), translated.children()):  # type: ignore[attr-defined]
            _same(inner_built, inner_translated)


def _round_trip(text: str) -> None:
    try:
        _, built = PARSER.parse_whoosh(text)
    except EmptyQuery:
        return
    _same(built, to_whoosh(from_whoosh(built)))
    assert PARSER.parse(text).query == from_whoosh(built)


@pytest.mark.parametrize("text", DOCUMENTED)
def test_the_documented_syntax_goes_through_the_tree_unchanged(text: str) -> None:
    _round_trip(text)


@given(st.lists(WORDS, max_size=8).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_any_query_goes_through_the_tree_unchanged(text: str) -> None:
    _round_trip(text)


@pytest.mark.slow
def test_the_shared_sets_queries_go_through_the_tree_unchanged(shared: Path) -> None:
    data = shared / "data"
    files = [*data.glob("*/queries.jsonl"), *data.glob("*/*_queries.jsonl")]
    assert files
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            _round_trip(json.loads(line)["text"])


@given(st.lists(WORDS, min_size=1, max_size=6).map(" ".join), st.sampled_from(["chin", "pekin", "etat"]))
@settings(max_examples=300, deadline=None)
def test_the_trees_normal_form_is_whooshs(text: str, respelt: str) -> None:
    # What the spelling step does: a word also searched in another spelling, then normalised.
    try:
        q = PARSER.parse(text).query
    except EmptyQuery:
        return

    def widen(node: tree.Node) -> tree.Node:
        if isinstance(node, tree.Term) and node.text == respelt:
            return tree.Or((node, tree.Term(node.field, node.text + "e", boost=node.boost)))
        if isinstance(node, (tree.Or, tree.And)):
            return type(node)(tuple(widen(child) for child in node.children), node.boost)
        if isinstance(node, tree.AndNot):
            return tree.AndNot(widen(node.positive), node.negative)
        if isinstance(node, tree.AndMaybe):
            return tree.AndMaybe(widen(node.required), widen(node.optional))
        return node

    widened = widen(q)
    _same(to_whoosh(widened).normalize(), to_whoosh(tree.normalized(widened)))

"""searchlib reads its query language into its own query tree exactly as it read it with Whoosh's
query parser (tests/search/reference_parser.py keeps that reading): the same query for the documented
syntax, for random syntax and for every query of the shared sets, down to where each word was typed.
The Whoosh engine's translation goes both ways, and the tree's normal form is Whoosh's."""

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
from searchlib.search.query import QueryBuilder, common_words, common_words_query
from tests.search.reference_parser import ReferenceParser

pytestmark = pytest.mark.equivalence

PARSER = QueryBuilder()
REFERENCE = ReferenceParser()
DOCUMENTED = [
    "cyberattaque chinoise", "securite", "SÉCURITÉ", '"mer de Chine"', "etats-unis", '"Blinken Wang"~5',
    "blinken AND pekin", "blinken OR wang", "chine NOT taiwan", "blinken ET pekin", "blinken OU wang",
    "chine SAUF taiwan", "chine -taiwan", "chine +pekin", "(blinken -wang) OU pekin", "title:pekin",
    "author:haddad", "source:afp", "section:monde", "lede:chine body:pekin", "date:2023", "date:2023-07",
    "date:[2023-01-01 TO 2023-06-30]", "cyber*", "p?kin", "pék*", "cyberataque~", "shangfou~2",
    "Qu'est-ce que l'Asean ?", "a ANDMAYBE chine", "titre:[a TO c]", "*:*", "date:Alerte chine",
    '"unclosed', "( chine", "AND", "url:x chine", "pekin^2 chine", "(a b)^2", "NOT chine pekin",
    "chine AND NOT pekin", "date:[2020 TO] chine", "[a TO c] [b TO d]", "date:x date:y",
]
WORDS = st.sampled_from(
    ["chine", "Pékin", "l'État", "sécurité", "le", "de", "a", "AND", "OU", "NOT", "SAUF", "ANDNOT", "ANDMAYBE",
     "title:", "titre:", "date:2023", "date:", "auteur:", "url:", "id:", "lede:", "(", ")", '"', "'", "~2", "~",
     "*", "?", "+", "-", "^2", "^", "[a TO z]", "{b TO y}", "[2020 TO]", "*:*", "etats-unis", ":", "2023-07"]
)


def _same(expected: wq.Query, found: wq.Query) -> None:
    """Equal as Whoosh compares queries, and in what Whoosh's equality leaves out: where each word
    was typed (what spelling help reads), and the phrases' character ranges."""
    assert found == expected
    assert type(found) is type(expected)
    placed = ("startchar", "endchar") if type(expected) in (wq.Term, wq.Prefix, wq.Wildcard, wq.FuzzyTerm) else ()
    # (Whoosh's parser also set a fuzziness on a date typed with one, date:2023~2, where it means nothing.)
    fuzzy = ("maxdist", "prefixlength") if type(expected) is wq.FuzzyTerm else ()
    for name in (*placed, *fuzzy, "char_ranges", "minmatch", "slop", "constantscore"):
        assert getattr(found, name, None) == getattr(expected, name, None), name
    if not expected.is_leaf():
        for inner_expected, inner_found in zip(expected.children(), found.children()):
            _same(inner_expected, inner_found)


def _read_as_whoosh_read_it(text: str) -> None:
    try:
        parsed_from, notices, expected = REFERENCE.parse_whoosh(text)
    except EmptyQuery:
        if common_words(text):  # searched as written now, not refused
            assert PARSER.parse(text).query == common_words_query(common_words(text))
        else:
            with pytest.raises(EmptyQuery):
                PARSER.parse(text)
        return
    parsed = PARSER.parse(text)
    _same(expected, to_whoosh(parsed.query))
    assert (parsed.parsed_from, parsed.notices) == (parsed_from, notices)
    _same(expected, to_whoosh(from_whoosh(expected)))  # and the engine's translation goes both ways


@pytest.mark.parametrize("text", DOCUMENTED)
def test_the_documented_syntax_is_read_as_before(text: str) -> None:
    _read_as_whoosh_read_it(text)


@given(st.lists(WORDS, max_size=10).map(" ".join) | st.lists(WORDS, max_size=10).map("".join))
@settings(max_examples=400, deadline=None)
def test_any_syntax_is_read_as_before(text: str) -> None:
    _read_as_whoosh_read_it(text)


@pytest.mark.slow
def test_the_shared_sets_queries_are_read_as_before(shared: Path) -> None:
    data = shared / "data"
    files = [*data.glob("*/queries.jsonl"), *data.glob("*/*_queries.jsonl")]
    assert files
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            _read_as_whoosh_read_it(json.loads(line)["text"])


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

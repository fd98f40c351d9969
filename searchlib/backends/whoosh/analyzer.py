"""The French analysis of :mod:`searchlib.analysis.french` as Whoosh analyzers: the chain of
tokenizer and filters Whoosh runs on a field's text and on query words.

Every part is a module-level class: Whoosh pickles the analyzer into the index, so these import
paths are part of the on-disk format (docs/architecture.md, "On disk"). Indexes written before
0.2 pickled them as ``searchlib.analysis.<name>``, which still resolves to these classes.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, StopFilter, Token, Tokenizer

from ...analysis.french import _WORD, FRENCH_STOP_WORDS, MAX_TERM, fold_token, stem


class FrenchTokenizer(Tokenizer):
    """Splits text into words with their positions and character offsets in the original text."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # Whoosh asks for no tokenising for wildcard and prefix queries: the text is a pattern,
        # to be folded but not stemmed (see FrenchStemFilter).
        token.pattern = not tokenize
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for pos, match in enumerate(_WORD.finditer(value), start_pos):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class FoldFilter(Filter):
    """Replaces each token's text by its accent-free ASCII form (see :func:`fold`)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            token.text = fold_token(text)
            yield token


class FrenchStemFilter(Filter):
    """Stems folded words, but not wildcard patterns: ``cyber*`` must not become ``cyb*``."""

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped and not token.pattern:
                token.text = stem(token.text)
            yield token


def french_analyzer() -> Analyzer:
    """The analyzer of the title, lede and body fields (and of queries against them)."""
    return (
        FrenchTokenizer()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=1, maxsize=MAX_TERM)
        | FrenchStemFilter()
    )


def folded_analyzer() -> Analyzer:
    """The French analyzer without stemming: folded content words, as written ("élections" →
    "elections", not "election"). Of the title's words, for the bonus of a query word found in the
    title in the form it was typed (see ``searchlib.search.ranking.FIELD_BOOSTS``)."""
    return FrenchTokenizer() | LowercaseFilter() | FoldFilter() | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=1, maxsize=MAX_TERM)


def name_analyzer() -> Analyzer:
    """For names to filter on (source, author, section): folded words, no stemming or stop words."""
    return FrenchTokenizer() | LowercaseFilter() | FoldFilter()

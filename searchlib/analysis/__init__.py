"""French analysis: how article text and query text become index terms, the archive's words as
written (for spelling help), and the wire-copy keys of an article's text.

``searchlib.analysis.FrenchTokenizer``, ``FoldFilter`` and ``FrenchStemFilter`` are the class paths
that indexes written before the package layout of 0.2 pickled into their schema: they stay
importable from here (docs/architecture.md, "On disk").
"""

from .french import (
    ANALYZER_VERSION,
    FRENCH_STOP_WORDS,
    FoldFilter,
    FrenchStemFilter,
    FrenchTokenizer,
    analysed,
    fold,
    raw_words,
    terms,
)

__all__ = [
    "ANALYZER_VERSION",
    "FRENCH_STOP_WORDS",
    "FoldFilter",
    "FrenchStemFilter",
    "FrenchTokenizer",
    "analysed",
    "fold",
    "raw_words",
    "terms",
]

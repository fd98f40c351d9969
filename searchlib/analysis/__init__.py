"""French analysis: how article text and query text become index terms, the archive's words as
written (for spelling help), and the wire-copy keys of an article's text.

``searchlib.analysis.FrenchTokenizer``, ``FoldFilter`` and ``FrenchStemFilter`` are class paths
that indexes written before the package layout of 0.2 pickled into their schema: they resolve, when
such an index is opened, to the Whoosh engine's analyzer classes (docs/architecture.md, "On disk").
"""

from __future__ import annotations

from typing import Any

from .french import ANALYZER_VERSION, FRENCH_STOP_WORDS, analysed, fold, raw_words, terms

__all__ = ["ANALYZER_VERSION", "FRENCH_STOP_WORDS", "analysed", "fold", "raw_words", "terms"]

_PICKLED_BEFORE_0_2 = ("FrenchTokenizer", "FoldFilter", "FrenchStemFilter")


def __getattr__(name: str) -> Any:
    # Only unpickling an old index asks for these; importing the engine here for everyone else
    # would tie the analysis rules to it.
    if name in _PICKLED_BEFORE_0_2:
        from ..backends.whoosh import analyzer

        return getattr(analyzer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Where indexes written before the package layout of 0.2 look for their field types.

Their schema pickles ``searchlib.schema.FrenchText`` and ``searchlib.schema.FoldedWords``; both
live in :mod:`searchlib.backends.whoosh.schema` now.
"""

from .backends.whoosh.schema import FoldedWords, FrenchText

__all__ = ["FoldedWords", "FrenchText"]

"""Where indexes written before the package layout of 0.2 look for their codec and postings format.

Their segments and schema pickle ``searchlib.codec.CompactCodec`` and
``searchlib.codec.CompactPositions``; both live in :mod:`searchlib.backends.whoosh.codec` now.
"""

from .backends.whoosh.codec import CompactCodec, CompactPositions

__all__ = ["CompactCodec", "CompactPositions"]

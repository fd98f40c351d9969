"""The embedded engine: a Whoosh index in a directory (or in memory), with searchlib's own codec,
bulk writer, array search and manifest."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_MORPH_EN = "whoosh.lang.morph_en"


def _defer_english_variations() -> None:
    """Whoosh's query module imports ``whoosh.lang.morph_en`` (English word variations, for its
    ``Variations`` query), which compiles some thirty regular expressions as it loads: 6-10 ms of
    every cold ``searchlib search``, for a query searchlib never builds. The module is registered
    here as a stand-in whose ``variations`` imports the real one at its first call."""
    if _MORPH_EN in sys.modules:
        return
    stand_in = types.ModuleType(_MORPH_EN)
    real: list[Any] = []

    def variations(word: str) -> Any:
        if not real:
            if sys.modules.get(_MORPH_EN) is stand_in:
                del sys.modules[_MORPH_EN]
            real.append(importlib.import_module(_MORPH_EN).variations)
        return real[0](word)

    stand_in.variations = variations  # type: ignore[attr-defined]
    sys.modules[_MORPH_EN] = stand_in


_defer_english_variations()

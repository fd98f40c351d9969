"""The ranking knobs of :mod:`searchlib.search.ranking` as a Whoosh weighting model."""

from __future__ import annotations

from math import log
from typing import Any

from whoosh.scoring import BM25F, WeightingModel

from ...search.ranking import FIELD_B, IDF, K1


class ClassicIdfBM25F(BM25F):
    """Whoosh's BM25F with the IDF of Robertson–Spärck Jones BM25 (as Lucene and SQLite FTS5 use)."""

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count_all()
        return log(1 + (total - n + 0.5) / (n + 0.5))


def weighting() -> WeightingModel:
    per_field = {f"{field}_B": b for field, b in FIELD_B.items()}
    model = ClassicIdfBM25F if IDF == "bm25" else BM25F
    return model(K1=K1, **per_field)

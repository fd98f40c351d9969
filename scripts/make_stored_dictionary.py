"""Writes searchlib/backends/whoosh/data/stored.zstd: the zstd dictionary stored articles are compressed with.

    python scripts/make_stored_dictionary.py

A stored article alone is too short for a compressor to find much to repeat in it, so zstd starts
from a dictionary of what articles share: frequent French words and phrases, and the outline of a
pickled stored-fields dictionary. It is trained (zstd's COVER algorithm) on French Wikinews
articles as searchlib stores them: the shipped sample and the two Wikinews sets of
``../shared/data`` (all CC BY 2.5, attributed in NOTICE; the dictionary holds fragments of their
text). Never on OrangeSum, which may not be redistributed: it is what the dictionary is measured on.

The dictionary is on-disk format: indexes written with one can only be read with the same bytes.
Never regenerate it without bumping ``searchlib.backends.whoosh.schema.SCHEMA_VERSION``.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    ROOT / "samples" / "wikinews_fr_sample.jsonl",
    ROOT.parent / "shared" / "data" / "wikinews-fr-winer" / "wikinews_fr_2016_2018.jsonl",
    ROOT.parent / "shared" / "data" / "wikinews-fr-100" / "wikinews_fr_2012.jsonl",
)
OUTPUT = ROOT / "searchlib" / "backends" / "whoosh" / "data" / "stored.zstd"
SIZE = 64 * 1024  # 110 KB (zstd's usual size) compressed OrangeSum 0.7 % better, for 70 % more bytes


def stored_articles() -> list[bytes]:
    """Every training article's stored fields, pickled as Whoosh's stored-fields column does
    (field names sorted, as the writer adds them)."""
    from searchlib import Article
    from searchlib.backends.whoosh.schema import build_schema, to_document
    from searchlib.ingest.sources import read_file

    schema = build_schema()
    pickled = []
    for path in SOURCES:
        for record in read_file(path):
            if isinstance(record, Article):
                document = to_document(record)
                stored = {name: document[name] for name in sorted(document) if schema[name].stored}
                pickled.append(pickle.dumps(stored, 2))
    return pickled


if __name__ == "__main__":
    missing = [str(path) for path in SOURCES if not path.exists()]
    if missing:
        sys.exit(f"make_stored_dictionary: training text missing: {', '.join(missing)}")
    samples = stored_articles()
    OUTPUT.write_bytes(zstandard.train_dictionary(SIZE, samples).as_bytes())
    print(f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size:,} bytes from {len(samples):,} articles")

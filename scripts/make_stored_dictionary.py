"""Writes searchlib/data/stored.zdict: the preset dictionary stored articles are compressed with.

    python scripts/make_stored_dictionary.py

zlib looks for repeats of the text it compresses in the 32 KB before it; a stored article alone
is too short to repeat much, so the compressor starts from a dictionary of what articles share:
the most frequent words of French news (from the shipped Wikinews sample, CC BY 2.5, the most
frequent last, where matches cost least) and the outline of a pickled stored-fields dictionary.

The dictionary is on-disk format: indexes written with one can only be read with the same bytes.
Never regenerate it without bumping ``searchlib.schema.SCHEMA_VERSION``.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import pickle
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "wikinews_fr_sample.jsonl"
OUTPUT = ROOT / "searchlib" / "data" / "stored.zdict"
SIZE = 32 * 1024
FIELDS = ("copy_hash", "path", "title", "body", "date", "url", "fingerprint", "id", "section", "lede", "source", "author")


def dictionary() -> bytes:
    articles = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    text = " ".join(f"{a.get('title', '')} {a.get('text', '')}" for a in articles)
    counts = collections.Counter(re.findall(r"\w+", text))
    ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]))  # least frequent first
    words = " ".join(word for word, _ in ranked).encode("utf-8")
    outline = pickle.dumps({name: "" for name in FIELDS} | {"date": dt.datetime(2020, 1, 1), "url": "https://www."}, 2)
    return (words + outline)[-SIZE:]


if __name__ == "__main__":
    OUTPUT.write_bytes(dictionary())
    print(f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size:,} bytes")

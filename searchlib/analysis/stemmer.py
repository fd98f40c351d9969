"""The Snowball French stemmer."""

from __future__ import annotations

from whoosh.lang.snowball.french import FrenchStemmer

french_stem = FrenchStemmer().stem

"""searchlib's French analysis and fields as an OpenSearch index's settings and mapping.

The cluster analyses text the way :mod:`searchlib.analysis.french` does, step for step:

- the tokenizer is searchlib's own word pattern (``analysis.french._WORD``) written for Java's
  regex engine (:data:`JAVA_WORD`), as a ``pattern`` tokenizer: a word is a run of letters or digits,
  apostrophes and hyphens part words ("l'Asean" → l, Asean; "États-Unis" → États, Unis) except in
  "aujourd'hui" and "prud'homme". The elided articles ("l", "qu", "jusqu"…) are then stop words,
  so no ``elision`` filter is needed: every apostrophe (' and ’) is handled alike;
- ``lowercase``, ``asciifolding`` and what is not a letter or digit removed, *before* the
  stemmer, as searchlib folds before stemming (``securite`` and ``sécurité`` meet);
- searchlib's own stop list (folded), and words longer than ``MAX_TERM`` left out;
- Snowball French (Lucene's ``FrenchStemmer``, the algorithm searchlib's stemmer follows).

``tests/backends/opensearch/test_analysis.py`` sends sentences of the shared corpora through both
and reports the agreement; docs/scale-out.md explains what differs.
"""

from __future__ import annotations

from typing import Any

from ...analysis.french import FRENCH_STOP_WORDS, MAX_TERM

#: Bump when the settings or the mapping change: an index created with another version is rebuilt.
MAPPING_VERSION = 2

#: analysis.french's word pattern in Java's dialect. Python's ``[^\W_]`` is a letter or a number of
#: any kind (``str.isalnum``: "m²" is one word); Java's ``\w``, even with Unicode classes, leaves out
#: the numbers that are not digits ("²", "½") and takes in combining marks: hence the classes.
JAVA_WORD = r"aujourd['’]hui|prud['’]hom[\p{L}\p{N}_]*|[\p{L}\p{N}]+"
#: What fold() leaves out of a word once it is ASCII: everything but letters and numbers.
JAVA_NOT_ALNUM = r"[^\p{L}\p{N}]+"

#: The analyzers, by the fields that use them.
TERMS = "searchlib_terms"  # title, text, title_words, text_words at index time: searchlib's own terms
FRENCH = "searchlib_french"  # title, text: stemmed
FOLDED = "searchlib_folded"  # title_words, text_words: as written, folded, no stop words
NAMES = "searchlib_names"  # source, author, section, title_all_words: folded, every word


def analysis() -> dict[str, Any]:
    """The ``analysis`` block of the index settings."""
    return {
        "tokenizer": {
            "searchlib_words": {
                "type": "pattern",
                "pattern": JAVA_WORD,
                "group": 0,
                "flags": "CASE_INSENSITIVE|UNICODE_CASE",
            }
        },
        "filter": {
            # fold() keeps letters and digits only: the apostrophe of "aujourd'hui" goes too.
            "searchlib_alnum": {"type": "pattern_replace", "pattern": JAVA_NOT_ALNUM, "replacement": ""},
            "searchlib_stop": {"type": "stop", "stopwords": sorted(FRENCH_STOP_WORDS), "ignore_case": False},
            "searchlib_length": {"type": "length", "min": 1, "max": MAX_TERM},
            "searchlib_stem": {"type": "snowball", "language": "French"},
        },
        "analyzer": {
            TERMS: {"type": "custom", "tokenizer": "whitespace"},
            FRENCH: _chain(*_FOLD, "searchlib_stop", "searchlib_length", "searchlib_stem"),
            FOLDED: _chain(*_FOLD, "searchlib_stop", "searchlib_length"),
            NAMES: _chain(*_FOLD),
        },
    }


#: analysis.french.fold as filters: lower case, ASCII, letters and digits only.
_FOLD = ("lowercase", "asciifolding", "searchlib_alnum")


def _chain(*filters: str) -> dict[str, Any]:
    return {"type": "custom", "tokenizer": "searchlib_words", "filter": list(filters)}


def mappings() -> dict[str, Any]:
    """The fields of an article, as the Whoosh schema has them (backends/whoosh/schema.py).

    The words of ``title``, ``text``, ``title_words`` and ``text_words`` are analysed by searchlib
    before they are sent (:mod:`.documents`): the cluster indexes the terms as they come, so that
    they and their positions are the embedded index's exactly (its stop words take no position,
    where Lucene's stop filter leaves a gap, and a phrase across one would not match). Text a query
    sends to those fields unanalysed goes through the cluster's French analyzers, which give the
    same terms (``search_analyzer``)."""
    text = {"type": "text", "analyzer": TERMS, "search_analyzer": FRENCH}
    folded = {"type": "text", "analyzer": TERMS, "search_analyzer": FOLDED, "index_options": "freqs", "norms": True}
    name = {"type": "text", "analyzer": NAMES, "fields": {"raw": {"type": "keyword"}}}
    unsearched = {"type": "keyword", "index": False, "doc_values": False}
    return {
        "dynamic": "strict",
        "_meta": {"searchlib": {"mapping_version": MAPPING_VERSION}},
        "properties": {
            "id": {"type": "keyword"},
            "headline": {"type": "text", "index": False},
            "title": text,
            "text": {**text, "store": False},
            "title_words": folded,
            "text_words": folded,
            "title_all_words": {"type": "text", "analyzer": NAMES},
            "lede": {"type": "text", "index": False},
            "body": {"type": "text", "index": False},
            "date": {"type": "date", "format": "strict_date"},
            "source": name,
            "author": name,
            "agency": name,
            "section": name,
            "place": name,
            "url": unsearched,
            "path": unsearched,
            "fingerprint": unsearched,
            "copy_hash": {"type": "unsigned_long"},
            "added": {"type": "long"},
            "facet_source": {"type": "keyword"},
            "facet_author": {"type": "keyword"},
            "facet_section": {"type": "keyword"},
        },
    }


def index_body(shards: int = 2, replicas: int = 1) -> dict[str, Any]:
    """The body of the request that creates an index."""
    return {
        "settings": {"number_of_shards": shards, "number_of_replicas": replicas, "analysis": analysis()},
        "mappings": mappings(),
    }

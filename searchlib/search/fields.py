"""The fields of searchlib's query language: where a query's words are looked for, and the names
people may give a field (``titre:pekin``, ``auteur:haddad``). Every engine indexes these fields
under these names."""

from __future__ import annotations

#: The fields a query's words are looked for in: the title, and the whole article (title, lede
#: and body as one text, so BM25 saturates a word's frequency once per article, not per field:
#: measured better than separate fields, see docs/history/relevance-log.md).
TEXT_FIELDS = ("title", "text")

#: The field of the title's words as written, searched for each query word beside TEXT_FIELDS.
EXACT_FIELD = "title_words"
#: The field of the whole article's words as written (folded, not stemmed), searched for each
#: query word beside TEXT_FIELDS: the word typed scores above the other words of its stem
#: ("manifestant" above "manifestation"), as a search engine's multi-field does.
TEXT_EXACT_FIELD = "text_words"
#: Both fields of words as written: a plain query word only, never a phrase or a pattern.
EXACT_FIELDS = (EXACT_FIELD, TEXT_EXACT_FIELD)

#: The title's every word, stop words too, folded and not stemmed, with positions: where a query of
#: common words only ("la une", "Les Échos") is looked for as written. Article text keeps no stop
#: words (they are half its words), so such a query is searched in titles and source names only.
ALL_WORDS_FIELD = "title_all_words"

#: Names people may use in a query for a field (``body:fentanyl``, ``auteur:haddad``).
FIELD_ALIASES = {
    "text": ["body", "lede", "texte", "content", "chapo"],
    "title": ["titre"],
    "author": ["auteur"],
    "section": ["rubrique"],
    "place": ["lieu"],
}

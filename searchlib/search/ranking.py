"""Every knob of the ranking in one place. Each value was chosen by measurement: see docs/relevance.md
and ``benchmarks/relevance.py``; change one only with the figures before and after."""

from __future__ import annotations



#: How much a match weighs in the title, in the whole text (which holds the title too), in the
#: title's words as written (``title_words``: a query word the title holds in the form it was typed,
#: folded) and in the whole text's words as written (``text_words``). The title's own weight went to
#: its words as written (docs/history/relevance-log.md, #55). The text's words as written make the
#: word typed count more than the other words of its stem ("manifestants", not "manifestation"):
#: PIAF 0.8013 → 0.8061, Service-Public 0.8526 → 0.8609, Wikinews 0.912 → 0.926 / 0.918 → 0.924,
#: lede-word queries 0.457 → 0.533 (#81–#83). The title field still gives the title bonus below.
FIELD_BOOSTS = {"title": 0.0, "text": 1.0, "title_words": 0.3, "text_words": 0.6}

#: BM25 term-frequency saturation (K1) and length normalisation (B, per field).
K1 = 1.2
FIELD_B = {"title": 0.75, "text": 0.75, "title_words": 0.75, "text_words": 0.75}

#: Score added for holding every word of the query, as a share of the words' own score: articles
#: with all the words rank first, articles with some of them still match.
ALL_WORDS_BOOST = 0.0

#: Bonus for the query's words standing close together in the text, in any order: one of each
#: within PROXIMITY_SLOP × (words − 1) positions (:class:`searchlib.search.tree.Near`). The order a
#: query's words were typed in never counts: quotes ask for it ("…" and "…"~N).
PROXIMITY_BOOST = 0.5
PROXIMITY_SLOP = 3
#: Bonus for the title holding every word of the query, in any order, within TITLE_NEAR_SLOP ×
#: (words − 1) positions (a title is rarely longer: anywhere in it, in practice). What a reader
#: remembers of a headline is a few of its words, not their order: scattered title words 0.826 →
#: 0.906, a name and a word of the title 0.696 → 0.828 (#81–#83).
TITLE_NEAR_BOOST = 1.0
TITLE_NEAR_SLOP = 10
#: And a bonus for the title holding them side by side, in any order (stop words aside): the
#: headline's own words, remembered together (consecutive title words 0.891 → 0.902, #84).
TITLE_TOGETHER_BOOST = 0.5

#: The second look (:mod:`searchlib.search.second_look`) at the best-ranked articles: how many, and the weight
#: of each of its measures (docs/history/relevance-log.md, #66–#73: PIAF 0.7807 → 0.8028). Each measure adds query
#: words' IDF: of the most found within NEARBY_WIDTH consecutive words, of each two query words found
#: side by side (in either order), and of the words held in a form sharing their first FORM_LETTERS letters.
RERANK_DEPTH = 20
NEARBY_WIDTH = 4
NEARBY_BOOST = 0.7
ADJACENT_BOOST = 1.0
FORM_BOOST = 1.0
FORM_LETTERS = 5
#: Articles of the second look whose text is read for the forms (the first page's, read anyway to
#: be shown); past them a form is taken as held where the word's stem is. Reading the text of all
#: 20 cost 0.35–0.5 ms more a search on OrangeSum, for +0.0009 on PIAF (docs/history/relevance-log.md, #71).
FORMS_READ_DEPTH = 10
#: The share of a word's weight a form taken from the stem counts for (the stem of "tour" stands for
#: "Tours" too): 0.8 against 1.0, PIAF R@10 0.9027 → 0.9049, SP 0.8516 → 0.8526 (#73).
UNREAD_FORM_SHARE = 0.8


#: "whoosh": Whoosh's log(N / (n + 1)) + 1; "bm25": the classic log(1 + (N - n + 0.5) / (n + 0.5)),
#: which gives words found in most articles almost no weight.
IDF = "bm25"

"""Every knob of the ranking in one place. Each value was chosen by measurement: see docs/relevance.md
and ``benchmarks/relevance.py``; change one only with the figures before and after."""

from __future__ import annotations



#: How much a match weighs in the title, in the whole text (which holds the title too), and in the
#: title's words as written (``title_words``: a query word the title holds in the form it was typed,
#: folded). The title's own weight went to its words as written: news known-item 0.8999 → 0.9045,
#: PIAF 0.7789 → 0.7807, Wikinews 0.905 → 0.910 / 0.909 (docs/history/relevance-log.md, #55). The title field
#: still gives the title phrase bonus below.
FIELD_BOOSTS = {"title": 0.0, "text": 1.0, "title_words": 0.3}

#: BM25 term-frequency saturation (K1) and length normalisation (B, per field).
K1 = 1.2
FIELD_B = {"title": 0.75, "text": 0.75, "title_words": 0.75}

#: Score added for holding every word of the query, as a share of the words' own score: articles
#: with all the words rank first, articles with some of them still match.
ALL_WORDS_BOOST = 0.0

#: Bonus for the query's words standing close together in the text, in order (at most
#: PROXIMITY_SLOP apart).
PROXIMITY_BOOST = 1.0
PROXIMITY_SLOP = 3
#: Bonus for the query's words standing together in the title, as a phrase (stop words between
#: them aside): what people remember of a headline (news known-item 0.887 → 0.900).
TITLE_PHRASE_BOOST = 1.0
TITLE_PHRASE_SLOP = 1
#: Bonus for each pair of neighbouring query words standing close together in the text.
PAIR_BOOST = 0.0
PAIR_SLOP = 3

#: The second look (:mod:`searchlib.search.second_look`) at the best-ranked articles: how many, and the weight
#: of each of its measures (docs/history/relevance-log.md, #66–#73: PIAF 0.7807 → 0.8028). Each measure adds query
#: words' IDF: of the most found within NEARBY_WIDTH consecutive words, of neighbouring query words
#: found side by side, and of the words held in a form sharing their first FORM_LETTERS letters.
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

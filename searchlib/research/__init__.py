"""Tools over a query's matches, for the people who study and watch the news: how often it is
talked about period by period (:mod:`.trend`), in what words (:mod:`.concordance`), what else is
talked about with it (:mod:`.associated`), every match as rows (:mod:`.export`), and what is new
since the last look (:mod:`.alerts`).

Each reads the index through one :class:`~searchlib.backends.base.View`, starting from the query as
a search reads it (:func:`searchlib.search.pipeline.resolve`): a trend counts exactly the articles a
search finds.
"""

"""A query's way out: the query language (``query``), the ranking knobs (``ranking``), the second
look at the best hits (``second_look``), wire-copy grouping (``grouping``), snippets
(``snippets``), spelling help (``spelling``) and the facets people narrow by (``facets``)."""

"""The OpenSearch engine: an archive in a cluster, for archives that outgrow one machine.

``backends.engine_for`` chooses it for an index location that is a URL
(``http://localhost:9200/presse``). :mod:`.backend` (the index behind an alias, the file catalog in
the cluster, rebuilds swapped atomically), :mod:`.batch` (bulk writes), :mod:`.view` (searches,
facets, the second look's positions, more like this), :mod:`.queries` (searchlib's query tree as
the cluster's queries), :mod:`.documents` (an article as a document: its words analysed by
searchlib), :mod:`.settings` (the index's mapping and French analyzers), :mod:`.connection` (where
the cluster is, credentials, one-line errors). docs/scale-out.md says what it does and what differs.
"""

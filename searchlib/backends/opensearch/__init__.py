"""The OpenSearch engine: an archive in a cluster, for archives that outgrow one machine.

In progress (issue #21): what is here is the cluster's side of the French analysis
(:mod:`.settings`) and how searchlib finds and reaches a cluster (:mod:`.connection`). The
:class:`~searchlib.backends.base.Backend` that indexes and searches through them comes next; until
then ``backends.engine_for`` does not choose this engine.
"""

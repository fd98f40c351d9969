"""searchlib: full-text search for French news archives.

>>> from searchlib import Archive
>>> archive = Archive.in_memory()
>>> archive.add(Article(id="a1", title="Antony Blinken à Pékin", body="Rencontre à Pékin."))
'added'
>>> [hit.snippet.highlighted_words() for hit in archive.search("pekin").hits]
[['Pékin']]
"""

__version__ = "0.1.0"

from .archive import Archive  # noqa: E402 - archive reads __version__
from .errors import (  # noqa: E402
    ArticleNotFound,
    BadFilter,
    DamagedIndex,
    EmptyQuery,
    IncompatibleIndex,
    IndexLocked,
    IndexNotFound,
    IndexWriteError,
    Interrupted,
    QueryError,
    SearchlibError,
    SourceError,
)
from .models import Article, Failure, Hit, IndexReport, IndexStats, SearchResults, Snippet  # noqa: E402

__all__ = [
    "Archive",
    "Article",
    "ArticleNotFound",
    "BadFilter",
    "DamagedIndex",
    "EmptyQuery",
    "Failure",
    "Hit",
    "IncompatibleIndex",
    "IndexLocked",
    "IndexNotFound",
    "IndexWriteError",
    "IndexReport",
    "IndexStats",
    "Interrupted",
    "QueryError",
    "SearchResults",
    "SearchlibError",
    "Snippet",
    "SourceError",
]

"""One exception hierarchy for the whole library.

Every error carries the data a front-end needs to explain it (path, line, query…); the CLI turns
each into a one-line message, the library never prints.
"""

from __future__ import annotations

from pathlib import Path


class SearchlibError(Exception):
    """Base class of every error searchlib raises on purpose."""

    #: What a person can do about it, shown after the message by front-ends.
    hint: str | None = None


class IndexNotFound(SearchlibError):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.hint = f"build it first: searchlib index PATH --index {path}"
        super().__init__(f"no searchlib index at {path}")


class IndexLocked(SearchlibError):
    def __init__(self, path: Path | str, waited: float, holder: int | str | None = None) -> None:
        self.path = path
        self.waited = waited
        self.holder = holder
        self.hint = "try again when it has finished, or wait longer with --wait SECONDS"
        who = f" (pid {holder})" if isinstance(holder, int) else f" ({holder})" if holder else ""
        super().__init__(f"index {path} is being written by another process{who}; waited {waited:g}s")


class IndexWriteError(SearchlibError):
    """The index could not be written (disk full, read-only, permissions); what was committed
    before stays as it was."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        self.hint = "free some space or fix the permissions, then run the same command again"
        super().__init__(f"cannot write the index at {path}: {reason}; what was indexed before is intact")


class Interrupted(SearchlibError):
    """Indexing was stopped (Ctrl-C): the batches committed so far stay indexed."""

    def __init__(self, committed: int) -> None:
        self.committed = committed
        self.hint = "run the same command again to finish: nothing is indexed twice"
        super().__init__(f"interrupted; {committed} articles were committed before the stop")


class IncompatibleIndex(SearchlibError):
    def __init__(self, path: Path, reason: str, hint: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.hint = hint or f"rebuild it: delete {path} and run `searchlib index` again"
        super().__init__(f"index {path} cannot be used: {reason}")


class ClusterError(SearchlibError):
    """A search cluster (OpenSearch) that cannot be used: unreachable, refusing the credentials,
    holding an index searchlib did not create, or a client library missing. ``where`` never holds
    credentials."""

    def __init__(self, where: str, reason: str, hint: str) -> None:
        self.where = where
        self.reason = reason
        self.hint = hint
        super().__init__(f"{where}: {reason}")


class DamagedIndex(SearchlibError):
    """Part of an index cannot be read back: its bytes changed after they were written (a disk
    error, a file cut short or edited)."""

    def __init__(self, what: str) -> None:
        self.hint = "`searchlib check` lists what is damaged; rebuild the index with `searchlib index`"
        super().__init__(f"the index is damaged: {what}")


class SourceError(SearchlibError):
    """A file or one record of it could not be read; the rest of an indexing run goes on."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


class QueryError(SearchlibError):
    """A query that cannot be searched at all (syntax errors are searched leniently instead)."""

    def __init__(self, query: str, reason: str) -> None:
        self.query = query
        self.reason = reason
        super().__init__(reason)


class EmptyQuery(QueryError):
    def __init__(self, query: str, has_words: bool = True) -> None:
        if not query.strip():
            reason = "the query is empty"
        elif not has_words:
            reason = f"the query {query!r} has no words to search for"
        else:
            reason = f"the query {query!r} only has words to leave out (NOT, SAUF, -)"
        super().__init__(query, reason)
        self.hint = 'add a word that says what you are looking for, e.g. searchlib search "sécurité"'


class ArticleNotFound(SearchlibError):
    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        self.hint = "search for it first: searchlib search WORDS shows the ids"
        super().__init__(f"no article with id {article_id!r}")


class BadFilter(SearchlibError):
    """A search filter (a date bound, a sort order, a facet, a page) that cannot be used."""

    def __init__(self, name: str, value: object, reason: str, hint: str | None = None) -> None:
        self.name = name
        self.value = value
        self.reason = reason
        self.hint = hint
        super().__init__(f"bad {name} {value!r}: {reason}")

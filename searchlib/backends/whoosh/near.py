"""Words standing close together in any order, as a Whoosh query: the proximity bonuses of an
unquoted query (:class:`searchlib.search.tree.Near`), which must not care about the order typed.

Whoosh's own ``SpanNear2(ordered=False)`` grows its span one word at a time in the order given,
so ``a b c`` and ``a c b`` can match different articles. Here an article matches when one
occurrence of each word fits in a window of ``slop × (words − 1)`` positions, which no order of
the words changes. The score is Whoosh's for a phrase: the sum of the words' scores, boosted.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from whoosh import matching
from whoosh.query import Phrase, Term
from whoosh.query.spans import Span, SpanNear2


def window_width(slop: int, words: int) -> int:
    """The largest distance allowed between the first and last of ``words`` words."""
    return slop * (words - 1)


def windows(positions: Sequence[Sequence[int]], width: int) -> list[tuple[int, int]]:
    """The (first, last) of each window of at most ``width`` positions holding one position of
    every word (``positions``: each word's, ascending), by its first position. Exhaustive: a
    window's first position is one of the words', so each position is tried as a start."""
    return list(_windows(positions, width))


def fits(positions: Sequence[Sequence[int]], width: int) -> bool:
    """Whether one window of :func:`windows` exists: the search stops at the first. Two words fit
    when a position of one stands within ``width`` of a position of the other: one search in the
    longer list per position of the shorter, instead of trying every position of both as a start."""
    if len(positions) == 2:
        fewer, more = sorted(positions, key=len)
        size = len(more)
        for position in fewer:
            at = bisect_left(more, position - width)
            if at < size and more[at] <= position + width:
                return True
        return False
    return next(_windows(positions, width), None) is not None


def _windows(positions: Sequence[Sequence[int]], width: int) -> Iterator[tuple[int, int]]:
    if not positions or any(not held for held in positions):
        return
    for start in sorted({p for held in positions for p in held}):
        last = start
        for held in positions:
            at = bisect_left(held, start)
            if at == len(held) or held[at] > start + width:
                break
            last = max(last, held[at])
        else:
            yield start, last


class Near(Phrase):
    """Articles where ``words`` stand within a window of ``slop × (len(words) − 1)`` positions,
    in any order."""

    def __repr__(self) -> str:
        return f"Near({self.fieldname!r}, {self.words!r}, slop={self.slop}, boost={self.boost})"

    def matcher(self, searcher, context=None):  # noqa: ANN001 - Whoosh's signature
        """The matcher of the words' terms, kept where they fit in a window (Whoosh's
        ``Phrase.matcher`` with the window in place of the ordered span)."""
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if field is None or not (field.format and field.format.supports("positions")):
            return matching.NullMatcher()
        reader = searcher.reader()
        terms = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (self.fieldname, word) not in reader:
                return matching.NullMatcher()
            terms.append(Term(self.fieldname, word))
        m = _Window(terms, slop=window_width(self.slop, len(terms))).matcher(searcher, context)
        return matching.WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


class _Window(SpanNear2):
    """The words' terms within ``slop`` positions of each other's first and last, any order."""

    def matcher(self, searcher, context=None):  # noqa: ANN001 - Whoosh's signature
        context = self._span_context(context)
        return _WindowMatcher([q.matcher(searcher, context) for q in self.qs], slop=self.slop, ordered=False)


class _WindowMatcher(SpanNear2.SpanNear2Matcher):
    def _get_spans(self) -> list[Span]:
        positions = [[span.start for span in m.spans()] for m in self.ms]
        return [Span(first, last) for first, last in windows(positions, self.slop)]

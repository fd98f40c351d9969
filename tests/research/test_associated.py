"""Associated terms: words and names unusually frequent among the matches (JLH), as written."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from searchlib import Archive, BadFilter
from searchlib.research.associated import jlh
from tests.research.conftest import dated


@pytest.fixture(scope="module")
def archive(new_archive: Callable[[], Archive]) -> Archive:
    articles = []
    for i in range(8):
        articles.append(dated(f"m{i}", "2020-03-01", f"Anne Hidalgo, maire de Paris, présente son budget {i}. Les élus votent."))
    for i in range(4):
        articles.append(dated(f"v{i}", "2020-03-02", f"Le vélo à Paris : les pistes cyclables s'étendent {i}. Les élus votent."))
    for i in range(20):
        articles.append(dated(f"o{i}", "2020-03-03", f"La météo du jour {i}. Les élus votent ailleurs."))
    archive = new_archive()
    archive.add_many(articles)
    return archive


def test_jlh_is_elasticsearchs() -> None:
    # significant_terms' JLH: (fg - bg) * fg / bg with fg, bg the two shares.
    assert jlh(10, 100, 20, 1000) == pytest.approx((0.1 - 0.02) * 0.1 / 0.02)
    assert jlh(2, 100, 20, 1000) == 0.0  # less frequent among the matches than in the archive
    assert jlh(0, 100, 20, 1000) == 0.0


def test_names_are_one_term_as_written_and_common_words_score_nothing(archive: Archive) -> None:
    found = archive.terms("budget")
    terms = {term.term: term for term in found.terms}
    assert "Anne Hidalgo" in terms and "Hidalgo" not in terms and "Anne" not in terms
    assert terms["Anne Hidalgo"].matching == 8 and terms["Anne Hidalgo"].archive == 8
    assert "élus" not in terms and "votent" not in terms  # in every article: not set apart
    assert found.matching == 8 and found.archive == 32


def test_the_query_words_and_their_forms_are_left_out(archive: Archive) -> None:
    assert not any(term.term.lower().startswith("paris") for term in archive.terms("Paris").terms)
    assert "budget" not in {term.term for term in archive.terms("budgets").terms}


def test_terms_are_ranked_by_score_and_in_enough_matching_articles(samples: Archive) -> None:
    terms = samples.terms("chine", top=10).terms
    scores = [term.score for term in terms]
    assert scores == sorted(scores, reverse=True) and terms
    assert all(term.matching >= 3 and term.archive >= term.matching for term in terms)
    assert "Pékin" in {term.term for term in terms}  # accents as written


def test_few_matches_give_no_terms(archive: Archive) -> None:
    assert archive.terms("zyxwvutsr").terms == []


def test_top_is_bounded(archive: Archive) -> None:
    with pytest.raises(BadFilter, match="top"):
        archive.terms("budget", top=0)

"""Smoke test of benchmarks/speed.py: every row is produced. Nothing is asserted about time. The
recombined copies of ``--scale-mode recombined`` are checked in this process (quick tier).

The runs here name no cluster, so the ``opensearch`` engine is skipped with its note; its row is
checked against the test cluster (tests/clusters.py) by the test that takes ``cluster_url``, which
is therefore in the ``opensearch`` tier too.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import random
import subprocess
import sys
from collections import Counter
from types import ModuleType
from typing import Any

import pytest

from searchlib.analysis.copy_keys import MAX_DISTANCE, word_simhash
from tests.conftest import BENCHMARKS, REPO

# The tests that run the benchmark in a process of their own are marked slow one by one.
SCRIPT = BENCHMARKS / "speed.py"
SAMPLES = REPO / "samples" / "wikinews_fr_sample.jsonl"
ORANGESUM = REPO.parent / "shared" / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz"
COLUMNS = {"index_s", "articles_s", "mb_s", "peak_rss", "index_bytes", "size_ratio", "p50_ms", "p95_ms", "p99_ms", "cold_ms"}
ENGINES = {"searchlib", "whoosh-naive", "whoosh-procs2", "fts5", "tantivy", "opensearch"}
#: This environment without the variable that names a cluster: the runs stay off any cluster.
NO_CLUSTER = {name: value for name, value in os.environ.items() if name != "SEARCHLIB_OPENSEARCH_URL"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=REPO, env=NO_CLUSTER)


def check_report(report: dict, articles: int) -> None:
    assert report["articles"] == articles
    assert set(report["engines"]) == ENGINES - set(report["skipped"])
    assert set(report["skipped"]) <= {"tantivy", "opensearch"}
    assert "SEARCHLIB_OPENSEARCH_URL" in report["skipped"]["opensearch"]
    for name, row in report["engines"].items():
        assert COLUMNS <= set(row), name
        assert row["hits"] > 0, f"{name} found nothing"
        assert row["index_bytes"] > 0 and row["peak_rss"] > 0
    assert report["engines"]["whoosh-naive"]["speed_x"] == pytest.approx(1.0)


@pytest.mark.slow
def test_quick_run_on_the_shipped_samples_produces_every_row() -> None:
    done = run(str(SAMPLES), "--quick", "--queries", "20", "--cli-runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    check_report(json.loads(done.stdout), 199)


@pytest.mark.slow
def test_the_table_has_a_row_per_engine_and_the_growth_line() -> None:
    done = run(str(SAMPLES), "--limit", "60", "--scale", "2", "--queries", "10", "--cli-runs", "0",
               "--engines", "searchlib,fts5")
    assert done.returncode == 0, done.stderr
    rows = [line.split("|")[1].strip() for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows == ["engine", "searchlib", "fts5"]
    assert done.stdout.startswith("120 articles, ") and "wikinews_fr_sample.jsonl, ×2 copies)" in done.stdout.splitlines()[0]
    assert "searchlib growth ×2 articles" in done.stdout


@pytest.mark.slow
def test_a_recombined_scale_has_its_row_with_twice_the_articles() -> None:
    done = run(str(SAMPLES), "--quick", "--scale", "2", "--scale-mode", "recombined", "--engines", "searchlib",
               "--queries", "10", "--cli-runs", "0", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["articles"], report["scale"], report["scale_mode"]) == (2 * 199, 2, "recombined")
    row = report["engines"]["searchlib"]
    assert COLUMNS <= set(row) and row["hits"] > 0
    assert report["growth"]["index_time_x"] > 0


@pytest.mark.slow
@pytest.mark.skipif(not ORANGESUM.exists(), reason="the team's OrangeSum corpus (../shared/data) is absent")
def test_quick_run_on_orangesum_by_default() -> None:
    done = run("--quick", "--limit", "200", "--queries", "10", "--cli-runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    check_report(json.loads(done.stdout), 200)


@pytest.mark.slow
def test_a_missing_corpus_is_a_clear_message() -> None:
    done = run("/nonexistent/corpus.jsonl.xz", "--quick")
    assert done.returncode == 2
    assert "corpus not found: /nonexistent/corpus.jsonl.xz" in done.stderr
    assert done.stdout == ""


@pytest.mark.slow
def test_the_opensearch_engine_has_its_row_and_deletes_its_index(cluster_url: str, cluster: Any) -> None:
    env = dict(os.environ, SEARCHLIB_OPENSEARCH_URL=cluster_url)
    command = [sys.executable, str(SCRIPT), str(SAMPLES), "--quick", "--queries", "10", "--cli-runs", "1",
               "--engines", "searchlib,opensearch", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()  # nothing to do once it has ended
    assert process.returncode == 0, err
    report = json.loads(out)
    assert set(report["engines"]) == {"searchlib", "opensearch"} and report["skipped"] == {}
    row = report["engines"]["opensearch"]
    assert COLUMNS <= set(row)
    assert row["hits"] > 0 and row["peak_rss"] > 0
    # the primaries' store, read once the cluster's cached store stats have caught up
    assert row["index_bytes"] > 100_000
    assert row["cluster"]["url"] == cluster_url and row["cluster"]["nodes"] >= 1
    assert cluster.cat.indices(index=f"speed-{process.pid}-*", format="json") == []


@pytest.fixture(scope="module")
def speed() -> ModuleType:
    """benchmarks/speed.py imported as a module (it is a script, not in a package)."""
    spec = importlib.util.spec_from_file_location("speed_benchmark", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value[:10])


def tagged_corpus(size: int) -> list[dict[str, Any]]:
    """``size`` articles of 1-8 paragraphs of 3-60 words, each paragraph opening with the tag of its
    article and place ("a7p2"), so that a recombined body tells where each paragraph comes from."""
    rng = random.Random(1)
    words = "le ministre annonce une réforme des retraites devant les syndicats réunis hier soir à Paris".split()
    return [
        {"id": f"a{a}", "url": f"https://example.org/{a}", "title": f"Titre {a}", "lede": f"Chapô {a}.",
         "date": f"{2016 + a % 3}-{1 + a % 12:02d}-{1 + a % 28:02d}", "source": "Exemple",
         "text": "\n\n".join(f"a{a}p{p} " + " ".join(rng.choices(words, k=rng.randint(3, 60))) + "."
                              for p in range(rng.randint(1, 8)))}
        for a in range(size)
    ]


def test_recombined_copies_are_new_articles_of_other_articles_paragraphs(speed: ModuleType) -> None:
    originals = tagged_corpus(60)
    records = list(speed.scaled_records(originals, 5, "recombined"))
    assert records[: len(originals)] == originals and len(records) == 5 * len(originals)
    assert len({r["id"] for r in records}) == len(records) and len({r["url"] for r in records}) == len(records)
    assert len({r["text"] for r in records}) == len(records)
    corpus = {p for r in originals for p in r["text"].split("\n\n")}
    bodies = set()
    for n, new in enumerate(records[len(originals) :]):
        k, title = divmod(n, len(originals))
        k += 1
        original = originals[title]
        assert new == dict(original, id=f"a{title}-r{k}", url=f"{original['url']}#r{k}", date=new["date"], text=new["text"])
        # k years and 0-364 days earlier than the article whose title it has
        assert 0 <= (day(original["date"]).replace(year=day(original["date"]).year - k) - day(new["date"])).days < 365
        paragraphs = new["text"].split("\n\n")
        assert set(paragraphs) <= corpus
        given = Counter()
        for paragraph in paragraphs:
            given[int(paragraph.split("p")[0][1:])] += len(paragraph)
        assert title not in given and 2 <= len(given) <= 4
        assert max(given.values()) <= speed.MAX_DONOR_SHARE * sum(given.values())
        for donor, size in given.items():  # never more than half of a donor's own text
            assert size <= len(originals[donor]["text"]) / 2
        bodies.add((title, frozenset(paragraphs)))
    assert len(bodies) == len(records) - len(originals)  # no (title, paragraphs) combination twice
    assert min(day(r["date"]) for r in records).year <= min(day(r["date"]) for r in originals).year - 4  # 4 more years
    assert list(speed.scaled_records(originals, 5, "recombined")) == records  # seeded: the same every run


@pytest.mark.parametrize(
    ("value", "years", "days", "shifted"),
    [("2020-07-02", 3, 10, "2017-06-22"), ("2016-02-29", 1, 0, "2015-02-28"),
     ("2022-02-04T10:00:00Z", 2, 4, "2020-01-31T10:00:00Z"), ("hier", 1, 5, "hier")],
)
def test_recombined_dates_are_years_and_days_earlier(speed: ModuleType, value: str, years: int, days: int, shifted: str) -> None:
    assert speed.shifted_date(value, years, days) == shifted


def test_a_corpus_too_small_to_recombine_is_a_clear_message(speed: ModuleType) -> None:
    with pytest.raises(ValueError, match="needs three articles of two paragraphs or more; this corpus has 2"):
        speed.scaled_records([r for r in tagged_corpus(60) if "\n\n" in r["text"]][:2], 2, "recombined")


def test_no_recombined_article_is_a_wire_copy_of_another_or_of_an_original(speed: ModuleType) -> None:
    originals = speed.read_records(SAMPLES, None)
    records = list(speed.scaled_records(originals, 3, "recombined"))
    paragraphs = {p for r in originals for p in speed.paragraphs_of(r["text"])}
    assert {p for r in records[len(originals) :] for p in r["text"].split("\n\n")} <= paragraphs
    keys = [(n, word_simhash(r["text"])) for n, r in enumerate(records)]
    keys = [(n, h) for n, h in keys if h is not None]  # short bodies have no key
    close = [(records[m]["id"], records[n]["id"]) for i, (m, h) in enumerate(keys) for n, g in keys[i + 1 :]
             if n >= len(originals) and (h ^ g).bit_count() <= MAX_DISTANCE]  # pairs of originals are the corpus's own
    assert close == []


def test_the_copies_mode_is_the_corpus_again_under_new_ids(speed: ModuleType) -> None:
    originals = speed.read_records(SAMPLES, 3)
    records = list(speed.scaled_records(originals, 2))
    assert [r["id"] for r in records] == [r["id"] for r in originals] + [f"{r['id']}-x1" for r in originals]
    assert [r["text"] for r in records[3:]] == [r["text"] for r in originals]

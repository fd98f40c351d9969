"""Smoke test of benchmarks/speed.py: every row is produced. Nothing is asserted about time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BENCHMARKS, REPO

SCRIPT = BENCHMARKS / "speed.py"
SAMPLES = REPO / "samples" / "wikinews_fr_sample.jsonl"
ORANGESUM = REPO.parent / "shared" / "data" / "orangesum-fr-news" / "orangesum_articles.jsonl.xz"
COLUMNS = {"index_s", "articles_s", "mb_s", "peak_rss", "index_bytes", "size_ratio", "p50_ms", "p95_ms", "p99_ms", "cold_ms"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def check_report(report: dict, articles: int) -> None:
    assert report["articles"] == articles
    expected = {"searchlib", "whoosh-naive", "whoosh-procs2", "fts5", "tantivy"} - set(report["skipped"])
    assert set(report["engines"]) == expected
    assert set(report["skipped"]) <= {"tantivy"}
    for name, row in report["engines"].items():
        assert COLUMNS <= set(row), name
        assert row["hits"] > 0, f"{name} found nothing"
        assert row["index_bytes"] > 0 and row["peak_rss"] > 0
    assert report["engines"]["whoosh-naive"]["speed_x"] == pytest.approx(1.0)


def test_quick_run_on_the_shipped_samples_produces_every_row() -> None:
    done = run(str(SAMPLES), "--quick", "--queries", "20", "--cli-runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    check_report(json.loads(done.stdout), 199)


def test_the_table_has_a_row_per_engine_and_the_growth_line() -> None:
    done = run(str(SAMPLES), "--limit", "60", "--scale", "2", "--queries", "10", "--cli-runs", "0",
               "--engines", "searchlib,fts5")
    assert done.returncode == 0, done.stderr
    rows = [line.split("|")[1].strip() for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows == ["engine", "searchlib", "fts5"]
    assert "searchlib growth ×2 articles" in done.stdout


@pytest.mark.skipif(not ORANGESUM.exists(), reason="the team's OrangeSum corpus (../shared/data) is absent")
def test_quick_run_on_orangesum_by_default() -> None:
    done = run("--quick", "--limit", "200", "--queries", "10", "--cli-runs", "1", "--json")
    assert done.returncode == 0, done.stderr
    check_report(json.loads(done.stdout), 200)


def test_a_missing_corpus_is_a_clear_message() -> None:
    done = run("/nonexistent/corpus.jsonl.xz", "--quick")
    assert done.returncode == 2
    assert "corpus not found: /nonexistent/corpus.jsonl.xz" in done.stderr
    assert done.stdout == ""


# --- the indexing fast paths the benchmark measures --------------------------------------------
# (They belong with tests/test_analysis.py and tests/test_archive.py; kept here by file ownership.)


def _sample_texts() -> list[str]:
    texts = []
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts.append(f"{record['title']}\n{record['text']}")
    return texts + [
        "",
        "le la les de",
        "L'État d'aujourd'hui, les prud'hommes et l’œuvre — İstanbul, Straße, 中文, x2 ½",
        "a" * 70 + " mot " + "é" * 65,
    ]


def test_the_fast_index_paths_give_exactly_the_postings_of_the_analyzer_chain() -> None:
    from whoosh.fields import TEXT

    from searchlib.analysis.french import folded_analyzer, folded_words, french_analyzer, name_analyzer
    from searchlib.backends.whoosh.schema import build_schema

    schema = build_schema()
    chain_text = TEXT(analyzer=french_analyzer(), multitoken_query="phrase")
    chain_text.format = schema["text"].format  # the compact positions (see searchlib.backends.whoosh.codec)
    for text in _sample_texts():
        assert list(schema["text"].index(text)) == list(chain_text.index(text))
        assert list(schema["title"].index(text)) == list(chain_text.index(text))
        # The title's words as written: those of the folded analyzer chain, with their counts.
        chain_words = TEXT(analyzer=folded_analyzer(), phrase=False)
        assert sorted(schema["title_words"].index(text)) == sorted(chain_words.index(text))
        # The words counted for "did you mean" are those the name analyzer gives.
        assert folded_words(text) == {token.text for token in name_analyzer()(text)}
        # Indexing counts them from the same pass as the postings.
        assert schema["text"].index_and_words(text) == (list(chain_text.index(text)), folded_words(text))


def test_the_schema_pickles_without_the_word_cache() -> None:
    import pickle

    from searchlib.analysis import french as analysis
    from searchlib.backends.whoosh.schema import build_schema

    analysis.french_positions("Pékin sécurité " * 50)
    assert analysis._WORDS
    data = pickle.dumps(build_schema())
    assert b"securit" not in data
    restored = pickle.loads(data)
    assert list(restored["text"].index("Les sécurités de Pékin")) == list(build_schema()["text"].index("Les sécurités de Pékin"))


def test_indexing_with_worker_processes_finds_the_same_and_never_duplicates(tmp_path: Path) -> None:
    from searchlib import Archive

    from searchlib.backends.whoosh import arrays as topk
    from searchlib.analysis.copy_keys import word_simhash

    found = {}
    words = {}
    keys = {}
    for jobs in (1, 2):
        with Archive(tmp_path / f"ix{jobs}") as archive:
            report = archive.index_paths([SAMPLES], batch_size=50, jobs=jobs)
            assert (report.added, report.batches) == (199, 4)
            again = archive.index_paths([SAMPLES], jobs=jobs)
            assert again.unchanged == 199 and again.added == 0
            assert len(archive) == 199 and archive.check() == []
            found[jobs] = [(hit.id, round(hit.score, 4)) for hit in archive.search("pekin attentat", limit=20).hits]
            vocabulary = archive._words(archive._search_with())
            words[jobs] = (vocabulary.counts, vocabulary.articles)
            searcher = archive._search_with()
            engine = topk.engine(searcher)
            stored = [searcher.stored_fields(n) for n in range(engine.reader.doc_count_all())]
            keys[jobs] = {fields["id"]: engine.copy_key(n)[0] for n, fields in enumerate(stored)}
            # The workers read each body's key from the words they numbered: the body's own key.
            assert keys[jobs] == {fields["id"]: word_simhash(fields.get("body", "")) for fields in stored}
    assert found[1] == found[2] and found[1]
    assert keys[1] == keys[2] and sum(key is not None for key in keys[1].values()) > 100
    # The workers count the words of what they write: the same list as one process's.
    assert words[1] == words[2] and words[1][1] == 199


def test_a_worker_that_dies_commits_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from whoosh.multiproc import SubWriterTask

    from searchlib import Archive
    from searchlib.errors import IndexWriteError

    def die(self: SubWriterTask, filename: str, doc_count: int) -> None:
        os._exit(3)

    with Archive(tmp_path / "ix") as archive:
        archive.index_paths([SAMPLES], batch_size=100, jobs=2)
        monkeypatch.setattr(SubWriterTask, "_process_file", die)
        archive.add_many([])  # nothing to commit: unaffected
        extra = tmp_path / "more.jsonl"
        extra.write_text(SAMPLES.read_text(encoding="utf-8").replace('"id": "winer-', '"id": "more-'), encoding="utf-8")
        with pytest.raises(IndexWriteError, match="worker"):
            archive.index_paths([extra], jobs=2)
        monkeypatch.undo()
        assert len(archive) == 199
        assert archive.index_paths([extra], jobs=2).added == 199
        assert len(archive) == 398 and archive.check() == []


def test_the_index_command_takes_jobs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchlib.cli import main

    result = CliRunner().invoke(main, ["index", str(SAMPLES), "--index", str(tmp_path / "ix"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("199 added, 0 updated")
    assert "--jobs" in CliRunner().invoke(main, ["index", "--help"]).output

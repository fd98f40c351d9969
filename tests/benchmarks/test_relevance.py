"""benchmarks/relevance.py reads a BEIR set as BEIR lays it out: judgements in ``qrels/SPLIT.tsv``,
a compressed corpus, dates as date-times; a broken set is one line, not a traceback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BENCHMARKS, REPO

pytestmark = pytest.mark.slow  # each runs the harness in a process of its own

SCRIPT = BENCHMARKS / "relevance.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def beir_set(directory: Path) -> Path:
    corpus = [
        {"_id": "pekin", "title": "Pékin accueille les Jeux", "text": "La capitale chinoise accueille les Jeux d'hiver.",
         "date": "2022-02-04T10:00:00Z"},
        {"_id": "route", "text": "La sécurité routière progresse en France.", "date": "hier"},
        {"_id": "marseille", "title": None, "text": "Le président a parlé de l'économie à Marseille."},
    ]
    with gzip.open(directory / "corpus.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(doc, ensure_ascii=False) + "\n" for doc in corpus)
    queries = {"q-pekin": "Pekin jeux", "q-route": "sécurité routière", "q-marseille": "économie Marseille",
               "q-nothing": "volcan islandais"}
    (directory / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n" for qid, text in queries.items()),
        encoding="utf-8")
    (directory / "qrels").mkdir()
    header = "query-id\tcorpus-id\tscore\n"
    (directory / "qrels" / "test.tsv").write_text(header + "q-pekin\tpekin\t1\nq-route\troute\t2\nq-nothing\tpekin\t1\n")
    (directory / "qrels" / "dev.tsv").write_text(header + "q-marseille\tmarseille\t1\nq-route\tpekin\t0\n")
    return directory


def test_a_beir_layout_is_judged_by_its_test_split_or_the_one_asked_for(tmp_path: Path) -> None:
    beir_set(tmp_path)
    done = run(str(tmp_path), "--engines", "searchlib,fts5", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["queries"] == 3
    for engine in ("searchlib", "fts5"):
        figures = report["engines"][engine]["as_written"]
        # the report rounds to 4 places; "volcan islandais" finds nothing
        assert figures["MRR@10"] == figures["R@10"] == pytest.approx(2 / 3, abs=1e-4)
        assert report["engines"][engine]["no_accents"]["MRR@10"] == pytest.approx(2 / 3, abs=1e-4)

    dev = run(str(tmp_path), "--split", "dev", "--engines", "searchlib", "--json")
    assert dev.returncode == 0, dev.stderr
    assert json.loads(dev.stdout)["queries"] == 1  # q-route's 0 is "not relevant": not a judged query


def test_a_header_line_of_other_names_is_still_a_header(tmp_path: Path) -> None:
    beir_set(tmp_path)
    (tmp_path / "qrels" / "test.tsv").write_text("qid\tdocid\trelevance\nq-pekin\tpekin\t1\nq-route\troute\t1\n")
    done = run(str(tmp_path), "--engines", "fts5", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["queries"] == 2


def test_a_set_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    beir_set(tmp_path)
    missing_split = run(str(tmp_path), "--split", "train")
    assert missing_split.returncode != 0
    assert missing_split.stderr.strip() == f"{tmp_path}: no qrels/train.tsv (splits: dev, test); choose one with --split"

    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq-pekin\tpekin\tyes\n")
    bad_score = run(str(tmp_path))
    assert bad_score.returncode != 0
    assert bad_score.stderr.strip() == f"{tmp_path / 'qrels' / 'test.tsv'}:2: the score 'yes' is not a number"

    nowhere = run(str(tmp_path / "nowhere"))
    assert nowhere.returncode != 0 and "Traceback" not in nowhere.stderr
    assert "no such directory" in nowhere.stderr


def test_news_query_styles_report_each_style_half_and_order(tmp_path: Path) -> None:
    # Wikinews sample articles (shipped) as a small news corpus: every style finds its articles,
    # each half has queries of its own, and searchlib gives the same figures in any word order.
    records = [json.loads(line) for line in (REPO / "samples" / "wikinews_fr_sample.jsonl").read_text(encoding="utf-8").splitlines()]
    news = tmp_path / "news.jsonl"
    with news.open("w", encoding="utf-8") as out:
        for record in records:  # the first paragraph as the lede
            lede, _, body = (record.get("text") or "").strip().partition("\n\n")
            out.write(json.dumps({**record, "lede": lede, "text": body}, ensure_ascii=False) + "\n")
    done = run("--news", str(news), "--styles", "6", "--engines", "searchlib,fts5", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    searchlib = report["engines"]["searchlib"]
    for style in ("consecutive", "scattered", "rare-common", "lede", "body", "name-topic", "slip"):
        for half in ("tune", "check"):
            assert report["queries"][f"{style}/{half}"] > 0
            assert 0 <= searchlib[f"{style}/{half}"]["MRR@10"] <= 1
    assert report["queries"]["scattered/tune"] == 6
    assert searchlib["largest permutation change"] <= 0.002
    assert 0 < searchlib["mix/check"]["MRR@10"] <= 1

"""benchmarks/relevance_misses.py on a small set made here: where each miss ranks, and how many of
the query's words its article holds (what tells a ranking problem from a vocabulary one)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BENCHMARKS, REPO

pytestmark = pytest.mark.slow  # each runs the harness in a process of its own

SCRIPT = BENCHMARKS / "relevance_misses.py"


def write_set(directory: Path, corpus: list[dict], queries: dict[str, str], qrels: dict[str, str]) -> None:
    with (directory / "corpus.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(doc, ensure_ascii=False) + "\n" for doc in corpus)
    with (directory / "queries.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n" for qid, text in queries.items())
    (directory / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{qid}\t{doc}\t1\n" for qid, doc in qrels.items()), encoding="utf-8"
    )


def test_misses_are_told_apart_by_the_words_their_article_holds(tmp_path: Path) -> None:
    filler = " ".join(["Le conseil municipal a voté le budget de la commune pour l'année prochaine."] * 8)
    # Twelve articles full of "fromage" and "villageois" push the one that mentions them once to 13th.
    crowd = [{"_id": f"c{i}", "title": f"Fromage villageois {i}", "text": "Fromage villageois, fromage villageois. " * 6}
             for i in range(12)]
    corpus = [
        *crowd,
        {"_id": "buried", "title": "Conseil", "text": f"{filler} On y a servi le fromage du village. {filler}"},
        {"_id": "found", "title": "Pékin", "text": "La capitale chinoise accueille les Jeux d'hiver."},
        {"_id": "paraphrased", "title": "Météo", "text": "Des orages sont attendus sur la Bretagne."},
    ]
    queries = {
        "q-found": "Pekin capitale",  # the article first
        # both words held, "villageois" as "village" (the same five first letters), ranked 13th:
        # a ranking problem
        "q-buried": "fromage villageois",
        "q-paraphrased": "quel temps fera-t-il ?",  # none held: a vocabulary problem
    }
    qrels = {"q-found": "found", "q-buried": "buried", "q-paraphrased": "paraphrased"}
    write_set(tmp_path, corpus, queries, qrels)

    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--json", "--examples", "5"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    assert report["queries"] == 3
    assert report["gold_rank"]["1"] == 1
    assert report["gold_rank"]["11-20"] == 1  # q-buried
    assert report["gold_rank"]["past 100"] == 1  # q-paraphrased
    assert report["recall_at_10"] == 1 / 3
    assert report["misses_by_words_held"] == {"0": 1, "2 or more": 1}
    assert report["ceiling_recall_at_10"] == 2 / 3  # the buried one could be found, the paraphrase not
    assert {example["query"]: example["held"] for example in report["examples"]} == {
        "fromage villageois": 2,
        "quel temps fera-t-il ?": 0,
    }


def test_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no such directory" in done.stderr

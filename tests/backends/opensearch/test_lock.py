"""One indexing run at a time on an archive in the cluster, from any machine: a second run waits,
then says who holds the archive; a lock left by a run that died is taken over once stale."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from searchlib import Archive, Article
from searchlib.backends.opensearch import lock as locks
from searchlib.errors import IndexLocked


def test_a_second_run_waits_for_the_first_then_says_who_holds_the_archive(cluster_url: str, unique_name: str) -> None:
    url = f"{cluster_url}/{unique_name}-locked"
    first, second = Archive(url, lock_timeout=0.5), Archive(url, lock_timeout=0.5)
    with first._backend.batch() as batch:  # a run in progress, as another machine's would be
        batch.put(Article(id="a", title="Une dépêche", body="Texte de la dépêche."))
        with pytest.raises(IndexLocked) as raised:
            second.add(Article(id="b", title="Une autre", body="Autre texte."))
    assert "is being written by another process (pid " in str(raised.value) and " on " in str(raised.value)
    second.add(Article(id="b", title="Une autre", body="Autre texte."))  # free again once the run ended
    assert {hit.id for hit in second.search("depeche OU autre").hits} == {"a", "b"}
    first.close()
    second.close()


def test_a_waiting_run_goes_on_when_the_first_finishes(cluster_url: str, unique_name: str) -> None:
    url = f"{cluster_url}/{unique_name}-waits"
    first, second = Archive(url), Archive(url, lock_timeout=30)
    done = threading.Event()

    def later() -> None:
        second.add(Article(id="b", title="Deuxième", body="Écrit après la fin de la première."))
        done.set()

    with first._backend.batch() as batch:
        batch.put(Article(id="a", title="Première", body="Écrite d'abord."))
        waiting = threading.Thread(target=later)
        waiting.start()
        time.sleep(1.0)
        assert not done.is_set()  # still waiting for the lock
    waiting.join(30)
    assert done.is_set() and len(second) == 2
    first.close()
    second.close()


def test_a_lock_left_by_a_dead_run_is_taken_over_once_stale(cluster_url: str, unique_name: str, cluster: Any) -> None:
    url = f"{cluster_url}/{unique_name}-stale"
    with Archive(url) as archive:
        archive.add(Article(id="a", title="Avant", body="Une dépêche écrite avant."))
    # What a run killed while indexing leaves: its lock, its last beat long ago.
    cluster.index(index=f"{unique_name}-stale.searchlib-files", id=f"{unique_name}-stale.lock",
                  body={"holder": "pid 1 on elsewhere", "beat": time.time() - locks.STALE_SECONDS - 5}, refresh=True)  # fmt: skip
    with Archive(url, lock_timeout=5) as archive:
        archive.add(Article(id="b", title="Après", body="Une dépêche écrite après."))
        assert len(archive) == 2
    assert not cluster.exists(index=f"{unique_name}-stale.searchlib-files", id=f"{unique_name}-stale.lock")

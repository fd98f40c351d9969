"""The test cluster itself: two nodes, an index of 2 shards and 1 replica with a copy of each
shard on each node, and a document written through either node found from both, each answering
from its own copies (``preference=_only_local``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.opensearch


def _client(url: str) -> Any:
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=[url], timeout=60)


@pytest.fixture(scope="module")
def node_urls(cluster: Any) -> dict[str, str]:
    """Each node's own HTTP address, by node name."""
    nodes = cluster.nodes.info(metric="http")["nodes"].values()
    # publish_address is "127.0.0.1:9201", or "host/127.0.0.1:9201" when the host has a name.
    return {node["name"]: "http://" + node["http"]["publish_address"].split("/")[-1] for node in nodes}


@pytest.fixture(scope="module")
def replicated(cluster: Any, unique_name: str) -> Iterator[str]:
    name = unique_name + "-replicated"
    body = {
        "settings": {"number_of_shards": 2, "number_of_replicas": 1},
        "mappings": {"properties": {"title": {"type": "text", "analyzer": "french"}, "source": {"type": "keyword"}}},
    }
    cluster.indices.create(index=name, body=body, wait_for_active_shards="all")
    yield name
    cluster.indices.delete(index=name, ignore_unavailable=True)


def test_the_cluster_has_two_nodes(cluster: Any, node_urls: dict[str, str]) -> None:
    health = cluster.cluster.health(wait_for_nodes="2", timeout="30s", request_timeout=60)
    assert (health["number_of_nodes"], health["number_of_data_nodes"]) == (2, 2)
    assert sorted(node_urls) == ["node-1", "node-2"]
    assert len(set(node_urls.values())) == 2  # two HTTP ports


def test_two_shards_one_replica_go_green_with_a_copy_of_each_shard_on_each_node(cluster: Any, replicated: str) -> None:
    # request_timeout= too: without it, opensearch-py takes timeout= for its own and never sends it.
    health = cluster.cluster.health(index=replicated, wait_for_status="green", timeout="60s", request_timeout=90)
    assert health["status"] == "green" and not health["timed_out"]
    assert (health["active_primary_shards"], health["active_shards"], health["unassigned_shards"]) == (2, 4, 0)
    copies = cluster.cat.shards(index=replicated, format="json")
    assert {copy["state"] for copy in copies} == {"STARTED"}
    for shard in ("0", "1"):
        kinds_by_node = {copy["node"]: copy["prirep"] for copy in copies if copy["shard"] == shard}
        assert sorted(kinds_by_node) == ["node-1", "node-2"]  # one copy on each node
        assert sorted(kinds_by_node.values()) == ["p", "r"]  # a primary and its replica


def test_a_document_written_through_either_node_is_found_from_both(cluster: Any, replicated: str, node_urls: dict[str, str]) -> None:
    clients = {name: _client(url) for name, url in node_urls.items()}
    try:
        for number, (name, client) in enumerate(sorted(clients.items()), 1):
            article = {"title": f"Les élections régionales vues de {name}", "source": "Wikinews"}
            client.index(index=replicated, id=f"article-{number}", body=article, refresh="wait_for")
        for name, client in clients.items():
            for number in (1, 2):
                assert client.get(index=replicated, id=f"article-{number}", preference="_local")["found"], name
            # Only the shard copies this node holds answer: each node has all of them.
            found = client.search(
                index=replicated, preference="_only_local", body={"query": {"match": {"title": "élection régionale"}}}
            )
            assert found["_shards"] == {"total": 2, "successful": 2, "skipped": 0, "failed": 0}, name
            assert sorted(hit["_id"] for hit in found["hits"]["hits"]) == ["article-1", "article-2"], name
    finally:
        for client in clients.values():
            client.close()

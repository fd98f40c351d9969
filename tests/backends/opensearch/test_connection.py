"""Finding and reaching a cluster: index locations as URLs, credentials never shown, and each way
of failing as one line with its fix. No cluster needed: these run in the working loop."""

from __future__ import annotations

import socket
import sys

import pytest

from searchlib.backends import is_cluster
from searchlib.backends.opensearch.connection import client, parse
from searchlib.errors import ClusterError


def test_a_url_names_a_cluster_and_an_index() -> None:
    found = parse("https://ana:s%C3%A9same@archives.example:9243/presse", environ={})
    assert (found.address, found.index, found.user, found.password) == ("https://archives.example:9243", "presse", "ana", "sésame")
    assert found.shown == "https://archives.example:9243/presse"
    assert "sésame" not in repr(found) and "sésame" not in found.shown
    assert is_cluster("http://localhost:9200/presse") and not is_cluster("index") and not is_cluster("/data/http")


def test_credentials_may_come_from_the_environment() -> None:
    found = parse("http://localhost:9200/presse", environ={"SEARCHLIB_OPENSEARCH_USER": "ana", "SEARCHLIB_OPENSEARCH_PASSWORD": "x"})
    assert (found.user, found.password) == ("ana", "x")


@pytest.mark.parametrize("location", ["http://localhost:9200", "http://localhost:9200/", "http://localhost:9200/Presse",
                                      "http://localhost:9200/_presse", "http://localhost:9200/a/b", "http:///presse"])  # fmt: skip
def test_a_location_that_names_no_usable_index_is_one_clear_error(location: str) -> None:
    with pytest.raises(ClusterError) as caught:
        parse(location, environ={})
    assert "\n" not in str(caught.value) and caught.value.hint


def test_no_cluster_there_is_one_line_with_what_to_do() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ClusterError) as caught:
        client(parse(f"http://secret:pw@127.0.0.1:{port}/presse", environ={}), timeout=2)
    message = f"{caught.value}; {caught.value.hint}"
    assert "no cluster answers there" in message and "pw" not in message and "\n" not in message


def test_without_the_client_library_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opensearchpy", None)  # as if opensearch-py were not installed
    with pytest.raises(ClusterError) as caught:
        client(parse("http://localhost:9200/presse", environ={}))
    assert "searchlib[opensearch]" in (caught.value.hint or "")

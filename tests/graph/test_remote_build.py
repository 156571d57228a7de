"""`nenkg build` against Virtuoso writes the same graphs as the embedded build of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.remote import RemoteStore
from graph.store import OxigraphStore
from graph.virtuoso_server import DBA_PASSWORD, DBA_USER, VirtuosoServer

pytestmark = [pytest.mark.virtuoso, pytest.mark.slow]


def test_build_into_virtuoso_gives_the_graphs_of_the_embedded_build(
        corpus_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import main

    if not VirtuosoServer.available():
        pytest.fail("Virtuoso is not installed: `apt-get install -y virtuoso-opensource` (CI does this)")
    monkeypatch.setenv("NENKG_REMOTE_USER", DBA_USER)
    monkeypatch.setenv("NENKG_REMOTE_PASSWORD", DBA_PASSWORD)
    embedded = OxigraphStore(corpus_store_path, read_only=True)
    expected = {graph: embedded.graph_size(graph) for graph in embedded.named_graphs()}
    embedded.close()
    with VirtuosoServer(memory_mb=256) as server:
        result = CliRunner().invoke(main, ["build", "--store", server.sparql_url, "--json"])
        assert result.exit_code == 0, result.output
        remote = RemoteStore(server.sparql_url, user=DBA_USER, password=DBA_PASSWORD)
        assert remote.graph_sizes() == expected
        # A second build replaces the graphs instead of adding to them.
        result = CliRunner().invoke(main, ["build", "--store", server.sparql_url, "--json"])
        assert result.exit_code == 0, result.output
        assert remote.graph_sizes() == expected
        remote.close()

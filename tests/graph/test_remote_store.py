"""The remote store against a real Virtuoso server, started privately on 127.0.0.1 by the test.

Virtuoso must be installed (CI installs ``virtuoso-opensource``): without it these tests FAIL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import graph.remote as remote
from graph.remote import RemoteStore
from graph.store import OxigraphStore, StoreError, open_store
from graph.virtuoso_server import DBA_PASSWORD, DBA_USER, VirtuosoServer

pytestmark = pytest.mark.virtuoso

EXCERPT = Path(__file__).resolve().parents[1] / "browser" / "nice_nec_excerpt.trig"
NENKG = "https://w3id.org/nenkg/ontology#"
DOC_GRAPH = "https://w3id.org/nenkg/id/graph/document/000_d94e49e236f24c41"
STUDY = ox.NamedNode("https://w3id.org/nenkg/id/study/nct03980925")
E = "https://example.org/test/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def server() -> Iterator[VirtuosoServer]:
    if not VirtuosoServer.available():
        pytest.fail("Virtuoso is not installed: `apt-get install -y virtuoso-opensource` (CI does this)")
    with VirtuosoServer(memory_mb=128) as virtuoso:
        yield virtuoso


@pytest.fixture()
def store(server: VirtuosoServer) -> Iterator[RemoteStore]:
    store = RemoteStore(server.sparql_url, user=DBA_USER, password=DBA_PASSWORD)
    yield store
    for graph in store.named_graphs():
        store.remove_graph(graph)
    store.close()


def excerpt_graphs() -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(EXCERPT), format=ox.RdfFormat.TRIG):
        graphs.setdefault(str(quad.graph_name.value), []).append(quad.triple)  # type: ignore[union-attr]
    return graphs


def by_value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "decimal":
        value = Decimal(term.value).normalize()
        return ox.Literal(f"{value:f}", datatype=term.datatype)
    return term


def canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """The dataset with decimals in one lexical form and blank nodes canonically named."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, by_value(q.object), q.graph_name)  # type: ignore[arg-type]
                         for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def triple(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(E + s), ox.NamedNode(E + p), o)


def test_graphs_are_written_read_counted_and_dropped(store: RemoteStore) -> None:
    graphs = excerpt_graphs()
    written = store.replace_graphs(graphs)
    assert written == sum(len(t) for t in graphs.values()) > 50
    assert store.named_graphs() == [DOC_GRAPH]  # Virtuoso's own system graphs are not ours
    assert store.graph_size(DOC_GRAPH) == written == store.total_size()
    store.remove_graph(DOC_GRAPH)
    assert store.named_graphs() == []


def test_query_results_are_pyoxigraph_objects_like_the_embedded_store(store: RemoteStore, tmp_path: Path) -> None:
    store.replace_graphs(excerpt_graphs())
    embedded = OxigraphStore(tmp_path / "embedded")
    embedded.replace_graphs(excerpt_graphs())
    select = (f"PREFIX nenkg: <{NENKG}> SELECT ?o ?value ?lower WHERE {{ ?o nenkg:ofStudy ?study ; "
              "nenkg:value ?value OPTIONAL { ?o nenkg:ciLower ?lower } } ORDER BY ?value")
    remote_rows = store.query(select, substitutions={"study": STUDY})
    local_rows = embedded.query(select.replace("SELECT ?o", "SELECT ?study ?o"), substitutions={"study": STUDY})
    assert isinstance(remote_rows, ox.QuerySolutions)
    assert [(r["o"], r["value"], r["lower"]) for r in remote_rows] == \
           [(r["o"], r["value"], r["lower"]) for r in local_rows]  # type: ignore[union-attr]
    construct = store.query(f"CONSTRUCT {{ ?s <{NENKG}registryId> ?id }} WHERE {{ ?s <{NENKG}registryId> ?id }}")
    assert isinstance(construct, ox.QueryTriples)
    assert [str(t) for t in construct] == [f'<{STUDY.value}> <{NENKG}registryId> "NCT03980925"']
    ask = store.query(f"ASK {{ ?s <{NENKG}ciUpperNotReached> true }}")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    embedded.close()


def test_a_malformed_query_is_a_syntax_error(store: RemoteStore) -> None:
    with pytest.raises(SyntaxError, match="SPARQL"):
        store.query("SELECT ?s WHERE { ?s ?p ")


def test_results_beyond_virtuosos_default_cap_are_complete(store: RemoteStore) -> None:
    # Virtuoso's default ResultSetMaxRows (10 000) cuts results silently; the launcher raises it.
    store.replace_graph(E + "big", [triple(f"s{i}", "p", ox.Literal(str(i))) for i in range(12_500)])
    rows = store.query("SELECT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://example.org/')) }")
    assert len(list(rows)) == 12_500  # type: ignore[arg-type]


def test_replacing_a_graph_keeps_the_others_and_a_failure_keeps_everything(
        store: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.replace_graphs({E + "a": [triple("s", "p", ox.Literal("old a"))],
                          E + "b": [triple("s", "p", ox.Literal("old b"))]})
    store.replace_graph(E + "a", [triple("s", "p", ox.Literal("new a")), triple("t", "p", ox.Literal("x"))])
    assert store.graph_size(E + "a") == 2 and store.graph_size(E + "b") == 1

    calls = []
    upload = store._upload

    def failing_upload(graph: str, body: bytes, *, replace: bool) -> None:
        calls.append(graph)
        if len(calls) == 2:
            raise StoreError("simulated network failure during the second upload")
        upload(graph, body, replace=replace)

    monkeypatch.setattr(store, "_upload", failing_upload)
    store.parallel_uploads = 1
    with pytest.raises(StoreError, match="simulated"):
        store.replace_graphs({E + "a": [triple("s", "p", ox.Literal("newer a"))],
                              E + "b": [triple("s", "p", ox.Literal("newer b"))],
                              E + "c": [triple("s", "p", ox.Literal("new c"))]})
    monkeypatch.undo()
    assert sorted((str(r["g"].value), str(r["o"].value)) for r in store.query(  # type: ignore[union-attr]
        "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://example.org/')) }")) == [
        (E + "a", "new a"), (E + "a", "x"), (E + "b", "old b")]
    assert not [g for g in store.graph_sizes(include_staging=True) if g.startswith(remote.STAGING_PREFIX)]


def test_blank_nodes_stay_connected_across_upload_chunks(store: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "CHUNK_TRIPLES", 3)
    triples = []
    for i in range(5):
        selector = ox.BlankNode()
        triples += [triple(f"ev{i}", "hasSelector", selector),  # type: ignore[arg-type]
                    ox.Triple(selector, ox.NamedNode(E + "exact"), ox.Literal(f"quote {i}")),
                    ox.Triple(selector, ox.NamedNode(E + "start"), ox.Literal(str(i)))]
    triples += [triple(f"plain{i}", "p", ox.Literal("v")) for i in range(7)]
    assert store.replace_graph(E + "bnodes", triples) == 22
    rows = store.query(f"SELECT ?ev ?q ?n WHERE {{ ?ev <{E}hasSelector> ?sel . ?sel <{E}exact> ?q ; <{E}start> ?n }}")
    assert sorted(str(r["q"].value) for r in rows) == [f"quote {i}" for i in range(5)]  # type: ignore[union-attr]


def test_files_load_and_dump_round_trip(store: RemoteStore, tmp_path: Path) -> None:
    count = store.load_dataset(EXCERPT, "trig")
    assert count == store.total_size()
    out = tmp_path / "dump.nq"
    store.dump(out, "nquads")
    # Virtuoso keeps numbers by value: "360.0"^^xsd:decimal comes back as "360".
    dumped = canonical(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    assert dumped == canonical(ox.parse(path=str(EXCERPT), format=ox.RdfFormat.TRIG))
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://e.org/s> <https://e.org/p> .\n")
    with pytest.raises(StoreError, match="bad.ttl"):
        store.load_file(bad, DOC_GRAPH)
    assert store.total_size() == count


def test_wrong_credentials_are_a_clear_error_and_change_nothing(server: VirtuosoServer, store: RemoteStore) -> None:
    store.replace_graph(E + "kept", [triple("s", "p", ox.Literal("kept"))])
    intruder = RemoteStore(server.sparql_url, user=DBA_USER, password="wrong")
    with pytest.raises(StoreError, match="credentials"):
        intruder.replace_graph(E + "kept", [])
    assert store.graph_size(E + "kept") == 1
    read_only = RemoteStore(server.sparql_url, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        read_only.remove_graph(E + "kept")


def test_open_store_picks_the_remote_store_for_a_url(server: VirtuosoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NENKG_REMOTE_USER", DBA_USER)
    monkeypatch.setenv("NENKG_REMOTE_PASSWORD", DBA_PASSWORD)
    store = open_store(server.sparql_url)
    assert isinstance(store, RemoteStore)
    assert store.update_endpoint == server.base_url + "/sparql-auth"
    assert store.graph_store_endpoint == server.base_url + "/sparql-graph-crud-auth"


def test_cli_import_stats_and_export_against_virtuoso(server: VirtuosoServer, store: RemoteStore,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import main

    monkeypatch.setenv("NENKG_REMOTE_USER", DBA_USER)
    monkeypatch.setenv("NENKG_REMOTE_PASSWORD", DBA_PASSWORD)
    runner = CliRunner()
    result = runner.invoke(main, ["import", "--store", server.sparql_url, "--graph", E + "imported", str(EXCERPT)])
    assert result.exit_code == 0, result.output
    assert store.graph_size(E + "imported") == len(list(ox.parse(path=str(EXCERPT), format=ox.RdfFormat.TRIG)))
    out = tmp_path / "export.nt"
    result = runner.invoke(main, ["export", "--store", server.sparql_url, "--format", "ntriples",
                                  "--graph", E + "imported", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == store.graph_size(E + "imported")


def test_cli_query_and_serve_against_virtuoso(server: VirtuosoServer, store: RemoteStore, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, port: Callable[[], int]) -> None:
    from api.cli import main

    store.load_dataset(EXCERPT, "trig")
    monkeypatch.setenv("NENKG_REMOTE_USER", DBA_USER)
    monkeypatch.setenv("NENKG_REMOTE_PASSWORD", DBA_PASSWORD)
    result = CliRunner().invoke(main, ["query", "--store", server.sparql_url, "--format", "csv",
                                       f"SELECT ?id WHERE {{ ?s <{NENKG}registryId> ?id }}"])
    assert result.exit_code == 0, result.output
    assert "NCT03980925" in result.output

    free = port()
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--store", server.sparql_url,
                                "--port", str(free)], stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "NENKG_REMOTE_USER": DBA_USER,
                                    "NENKG_REMOTE_PASSWORD": DBA_PASSWORD})
    try:
        base = f"http://127.0.0.1:{free}"
        for _ in range(200):
            try:
                if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        response = httpx.get(base + "/sparql", params={"query": f"SELECT ?id WHERE {{ ?s <{NENKG}registryId> ?id }}"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert response.status_code == 200, (tmp_path / "serve.log").read_text()
        assert [b["id"]["value"] for b in response.json()["results"]["bindings"]] == ["NCT03980925"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()



@pytest.fixture()
def bulk_store(server: VirtuosoServer, store: RemoteStore) -> RemoteStore:
    """The same server, loading through Virtuoso's own bulk loader (``store`` cleans up after)."""
    return RemoteStore(server.sparql_url, user=DBA_USER, password=DBA_PASSWORD,
                       sql_address=f"127.0.0.1:{server.sql_port}", load_dir=server.load_dir, parallel_uploads=2)


def load_list(server: VirtuosoServer) -> str:
    return server.isql("SELECT ll_file FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '%nenkg-%';")


def test_the_bulk_loader_loads_what_the_file_holds(server: VirtuosoServer, bulk_store: RemoteStore,
                                                   tmp_path: Path) -> None:
    count = bulk_store.load_dataset(EXCERPT, "trig")
    assert count == bulk_store.total_size() > 50
    assert bulk_store.named_graphs() == [DOC_GRAPH]  # the file's graph names, not the loader's default
    out = tmp_path / "dump.nq"
    bulk_store.dump(out, "nquads")
    # Blank nodes (the quotes' selectors) stay connected although the file was loaded in pieces.
    assert canonical(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)) == \
           canonical(ox.parse(path=str(EXCERPT), format=ox.RdfFormat.TRIG))
    assert not list(server.load_dir.iterdir()) and "nenkg-" not in load_list(server)


def test_the_bulk_loader_replaces_named_graphs_and_a_bad_file_changes_nothing(
        server: VirtuosoServer, bulk_store: RemoteStore, tmp_path: Path) -> None:
    bulk_store.replace_graphs({E + "a": [triple("s", "p", ox.Literal("old a"))],
                               E + "b": [triple("s", "p", ox.Literal("old b"))]})
    new = tmp_path / "new.nq"
    new.write_text(f'<{E}s> <{E}p> "new a" <{E}a> .\n<{E}t> <{E}p> _:x <{E}c> .\n_:x <{E}p> "new c" <{E}c> .\n')
    assert bulk_store.load_dataset(new, "nquads") == 3
    rows = bulk_store.query("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o)) "
                            "FILTER(STRSTARTS(STR(?g), 'https://example.org/')) }")
    found = sorted((str(r["g"].value), str(r["o"].value)) for r in rows)  # type: ignore[union-attr]
    assert found == [(E + "a", "new a"), (E + "b", "old b"), (E + "c", "new c")]
    bad = tmp_path / "bad.nq"
    bad.write_text(f'<{E}s> <{E}p> "newer a" <{E}a> .\n<{E}s> <{E}p> "unterminated <{E}b> .\n')
    with pytest.raises(StoreError, match=r"bad\.nq: not valid nquads: .*line 2"):
        bulk_store.load_dataset(bad, "nquads")
    rows = bulk_store.query("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o)) "
                            "FILTER(STRSTARTS(STR(?g), 'https://example.org/')) }")
    assert sorted((str(r["g"].value), str(r["o"].value)) for r in rows) == found  # type: ignore[union-attr]
    assert not [g for g in bulk_store.graph_sizes(include_staging=True) if g.startswith(remote.STAGING_PREFIX)]
    assert not list(server.load_dir.iterdir()) and "nenkg-" not in load_list(server)


def test_an_unreachable_sql_port_is_a_clear_error_and_changes_nothing(
        server: VirtuosoServer, store: RemoteStore, port: Callable[[], int]) -> None:
    store.replace_graph(E + "kept", [triple("s", "p", ox.Literal("kept"))])
    unreachable = RemoteStore(server.sparql_url, user=DBA_USER, password=DBA_PASSWORD,
                              sql_address=f"127.0.0.1:{port()}", load_dir=server.load_dir)
    with pytest.raises(StoreError, match="Virtuoso bulk load at 127.0.0.1:"):
        unreachable.load_dataset(EXCERPT, "trig")
    assert store.named_graphs() == [E + "kept"]
    assert not list(server.load_dir.iterdir())

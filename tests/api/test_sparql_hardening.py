"""Hardening of the endpoint on a real server: read-only, no outbound requests, timeout in a
killable worker while other requests are answered, result and body caps, nesting limits, UTF-8
only, plain-text errors."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.settings import Settings

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture()
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


def triple_count(client: httpx.Client) -> int:
    response = client.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


class Listener:
    """A TCP listener on a free local port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    target = Listener()
    yield target
    target.close()


# --- read-only ------------------------------------------------------------------------------

UPDATES = [
    'INSERT DATA { <https://e.org/s> <https://e.org/p> "x" }',
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "CLEAR ALL", "CLEAR DEFAULT", "DROP ALL", "DROP GRAPH <https://w3id.org/nenkg/id/graph/ontology>",
    "CREATE GRAPH <https://e.org/g>", "ADD DEFAULT TO <https://e.org/g>",
    "MOVE <https://w3id.org/nenkg/id/graph/ontology> TO DEFAULT", "COPY DEFAULT TO <https://e.org/g>",
    "WITH <https://e.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    'PREFIX e: <https://e.org/> INSERT DATA { e:s e:p "x" }',
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_form_of_update_is_refused(client: httpx.Client, update: str) -> None:
    before = triple_count(client)
    attempts = [
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        client.get("/sparql", params={"update": update}),
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in attempts:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("text/plain")
    assert triple_count(client) == before


def test_the_server_opens_the_store_read_only(excerpt_store: object) -> None:
    app = create_app(Settings.resolve(environ={}, store=str(excerpt_store)))
    assert app.state.store.read_only is True
    app.state.sparql.close()


# --- no outbound requests -------------------------------------------------------------------

def remote_attempts(port: int) -> list[tuple[str, dict[str, str]]]:
    url = f"http://127.0.0.1:{port}/sparql"
    data = f"http://127.0.0.1:{port}/data.ttl"
    return [
        (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", {}),
        (f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", {}),
        (f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}", {}),
        (f"PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}", {}),
        (f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}", {}),
        (f"SELECT * FROM <{data}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{data}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        (f"BASE <http://127.0.0.1:{port}/> SELECT * FROM <data.ttl> WHERE {{ ?s ?p ?o }}", {}),
        (f"PREFIX r: <http://127.0.0.1:{port}/> ASK FROM r:data.ttl {{ ?s ?p ?o }}", {}),
        (f"CONSTRUCT {{ ?s ?p ?o }} FROM <{data}> WHERE {{ ?s ?p ?o }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": data}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": data}),
        (f"LOAD <{data}>", {}),
        (f"LOAD SILENT <{data}> INTO GRAPH <https://e.org/g>", {}),
    ]


@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_no_outbound_request_ever(client: httpx.Client, listener: Listener, method: str) -> None:
    for query, dataset in remote_attempts(listener.port):
        if method == "get":
            response = client.get("/sparql", params={"query": query, **dataset})
        elif method == "form":
            response = client.post("/sparql", data={"query": query, **dataset})
        else:
            response = client.post("/sparql", params=dataset, content=query.encode(),
                                   headers={"Content-Type": "application/sparql-query"})
        assert 400 <= response.status_code < 500, (query, response.text)
        assert "fetch" in response.text or "read-only" in response.text
    assert listener.connections == 0


def test_service_in_strings_and_names_is_not_refused(client: httpx.Client) -> None:
    query = 'SELECT ?service WHERE { BIND("SERVICE <http://e.org/> FROM LOAD" AS ?service) } # SERVICE'
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["service"]["value"].startswith("SERVICE")


def test_local_graph_names_are_accepted(client: httpx.Client) -> None:
    unknown_local = "https://w3id.org/nenkg/id/graph/document/none"
    response = client.get("/sparql", params={"query": COUNT, "default-graph-uri": unknown_local})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"


# --- timeout, result cap, body cap, nesting ------------------------------------------------

def test_timeout_kills_the_query_while_others_are_answered(client: httpx.Client, server: str) -> None:
    outcome: dict[str, httpx.Response] = {}

    def slow() -> None:
        with httpx.Client(base_url=server, timeout=60) as other:
            outcome["slow"] = other.get("/sparql", params={"query": SLOW})

    thread = threading.Thread(target=slow)
    thread.start()
    answered_meanwhile = []
    while thread.is_alive() and len(answered_meanwhile) < 5:
        answered_meanwhile.append(client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code)
    still_running = thread.is_alive()
    thread.join(60)
    assert still_running, "the slow query ended before the quick ones were answered"
    assert answered_meanwhile and set(answered_meanwhile) == {200}
    assert outcome["slow"].status_code == 503
    assert "longer than 3 s" in outcome["slow"].text
    assert triple_count(client) > 0  # the worker was replaced


def test_result_cap_is_signalled(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 50
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-cap"] == "50"
    assert "truncated" in response.headers["warning"]
    small = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
    assert "x-result-truncated" not in small.headers
    graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                       headers={"Accept": "application/n-triples"})
    assert len(graph.text.splitlines()) == 50 and graph.headers["x-result-truncated"] == "true"


def test_body_cap(client: httpx.Client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    response = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts
        for _ in range(30):
            yield b"x" * 10_000

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert triple_count(client) > 0


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 50_000 + "true) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(" + "+".join(["1"] * 30_000) + ") }",
    "SELECT * WHERE { ?s " + "(" * 3000 + "<p>" + ")" * 3000 + " ?o }",
    "SELECT * WHERE { ?s ?p " + "[ <p> " * 3000 + "]" * 3000 + " }",
])
def test_deep_or_long_queries_are_refused_before_parsing(client: httpx.Client, query: str) -> None:
    response = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "limit" in response.text
    assert triple_count(client) > 0


def test_a_memory_bomb_stops_its_worker_only(client: httpx.Client) -> None:
    # A string doubled 25 times from 1 kB (32 GB): the worker hits its memory limit and is replaced.
    query = ('SELECT (STRLEN(?x25) AS ?n) WHERE { BIND("' + "a" * 1024 + '" AS ?x0) '
             + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(25)) + " }")
    response = client.post("/sparql", data={"query": query})
    assert response.status_code in (400, 503), response.text
    assert triple_count(client) > 0


def test_get_parameters_must_be_utf8(client: httpx.Client) -> None:
    response = client.get("/sparql?query=SELECT%20%3Fx%20WHERE%20%7B%20BIND(%22caf%E9%22%20AS%20%3Fx)%20%7D")
    assert response.status_code == 400 and "UTF-8" in response.text
    good = client.get("/sparql?query=SELECT%20%3Fx%20WHERE%20%7B%20BIND(%22caf%C3%A9%22%20AS%20%3Fx)%20%7D")
    assert good.json()["results"]["bindings"][0]["x"]["value"] == "café"


def test_codepoint_escapes_cannot_hide_a_keyword(client: httpx.Client) -> None:
    query = "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert client.get("/sparql", params={"query": query}).status_code == 400


# --- errors ---------------------------------------------------------------------------------

def test_errors_are_plain_text_never_html(client: httpx.Client) -> None:
    hostile = "SELECT <script>alert(1)</script> WHERE { ?s ?p ?o }"
    for response in (client.get("/sparql", params={"query": hostile}),
                     client.post("/sparql", data={"query": hostile}),
                     client.get("/queries/none", params={"x": "<script>"}),
                     client.get("/id/<script>alert(1)</script>")):
        assert 400 <= response.status_code < 500
        assert not response.headers["content-type"].startswith("text/html")
        assert response.headers["x-content-type-options"] == "nosniff"
    validation = client.get("/search")  # a missing required parameter
    assert validation.status_code == 400 and validation.headers["content-type"].startswith("text/plain")

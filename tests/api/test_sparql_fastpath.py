"""GET /sparql is answered by SparqlGetFastPath, outside the framework's stack; a request with an
``Origin`` goes through the whole stack (CORS). Both must give the same answer, CORS headers
aside, and the fast path must hand everything it does not own to the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from api.app import create_app
from api.settings import Settings
from api.sparql import SparqlGetFastPath

JSON = "application/sparql-results+json"
SELECT = "SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o LIMIT 5"
CASES: list[tuple[dict[str, Any], str]] = [
    ({"query": SELECT}, JSON),
    ({"query": SELECT, "format": "csv"}, JSON),
    ({"query": SELECT}, "text/tab-separated-values"),
    ({"query": "ASK { ?s ?p ?o }"}, "application/sparql-results+xml"),
    ({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"}, "text/turtle"),
    ({"query": "SELECT * WHERE { ?s ?p }"}, JSON),  # syntax error: 400
    ({"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, JSON),  # refused: 403
    ({"query": SELECT}, "text/html"),  # not acceptable: 406
    ({"update": "CLEAR ALL"}, JSON),  # read-only: 403
    ({"query": [SELECT, SELECT]}, JSON),  # two queries: 400
    ({"query": SELECT, "default-graph-uri": "http://example.org/remote"}, JSON),  # remote graph: 403
]


@pytest.fixture()
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


def _comparable(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items()
            if not name.startswith("access-control-") and name != "date"}


@pytest.mark.parametrize(("params", "accept"), CASES)
def test_fast_path_answers_as_the_full_stack(client: httpx.Client, params: dict[str, Any], accept: str) -> None:
    fast = client.get("/sparql", params=params, headers={"Accept": accept})
    full = client.get("/sparql", params=params, headers={"Accept": accept, "Origin": "https://example.org"})
    assert full.headers["access-control-allow-origin"] == "*"  # the whole stack ran
    assert (fast.status_code, fast.content) == (full.status_code, full.content)
    assert _comparable(fast) == _comparable(full)
    assert fast.headers["x-content-type-options"] == "nosniff"
    assert "Origin" in fast.headers["vary"]


def test_fast_path_hands_other_requests_to_the_app(excerpt_store: Path) -> None:
    app = create_app(Settings.resolve(environ={}, store=str(excerpt_store), workers=1))
    passed: list[str] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        passed.append(f"{scope['method']} {scope['path']}?{scope['query_string'].decode('latin-1')}")

    def request(method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> int:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "query_string": query, "app": app,
                 "headers": headers or [(b"accept", JSON.encode())]}
        asyncio.run(SparqlGetFastPath(inner)(scope, receive, send))
        return int(sent[0]["status"]) if sent else 0

    try:
        assert request("GET", "/sparql", b"query=ASK%7B%7D") == 200  # answered by the fast path
        assert request("GET", "/sparql", b"query=SELECT+*+%7B+%3Fs+%3Fp+%7D") == 400
        assert passed == []
        assert request("POST", "/sparql", b"query=ASK%7B%7D") == 0
        assert request("GET", "/sparql/", b"query=ASK%7B%7D") == 0
        assert request("GET", "/sparql", b"") == 0  # the service description
        assert request("GET", "/sparql", b"query=%FF") == 0  # not UTF-8: the route says so
        assert request("GET", "/sparql", b"query=ASK%7B%7D", [(b"origin", b"https://example.org")]) == 0
        assert request("GET", "/sparql", b"query=ASK%7B%7D", [(b"content-length", b"10")]) == 0
        assert len(passed) == 6
    finally:
        app.state.sparql.close()

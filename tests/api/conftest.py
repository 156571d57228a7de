"""Fixtures of the API tests: an excerpt store, and real uvicorn servers on free ports."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from graph.store import OxigraphStore

HERE = Path(__file__).resolve().parent
EXCERPT = HERE / "sparql_excerpt.trig"
DOCUMENT_GRAPH = "https://w3id.org/nenkg/id/graph/document/000_d94e49e236f24c41"
ONTOLOGY_GRAPH = "https://w3id.org/nenkg/id/graph/ontology"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(settings: Settings) -> Iterator[str]:
    """Run the app in a real uvicorn server on a thread; yield its base URL."""
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{settings.port}"
    # Ready when a query has been answered: the workers are spawned processes (slow on a busy machine).
    while httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=60).status_code != 200:
        if time.monotonic() > deadline + 60:
            raise RuntimeError("the test server's query workers did not start")
        time.sleep(0.2)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="session")
def excerpt_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The NICE-NEC excerpt (two named graphs) in an embedded store on disk, closed again."""
    path = tmp_path_factory.mktemp("excerpt") / "store"
    store = OxigraphStore(path)
    store.load_dataset(EXCERPT, "trig")
    store.close()
    return path


@pytest.fixture(scope="session")
def server(excerpt_store: Path) -> Iterator[str]:
    """A real server on the excerpt: 3 s query timeout, 50-row cap, 100 kB body cap, 2 GiB per worker."""
    settings = Settings.resolve(environ={}, store=str(excerpt_store), port=free_port(), query_timeout=3,
                                max_results=50, max_body_bytes=100_000, workers=2, worker_memory_mb=2048)
    with running_server(settings) as url:
        yield url


@pytest.fixture(scope="session")
def corpus_server(corpus_store_path: Path) -> Iterator[str]:
    """A real server on the corpus graph built from the four papers."""
    settings = Settings.resolve(environ={}, store=str(corpus_store_path), port=free_port(), query_timeout=30,
                                workers=2)
    with running_server(settings) as url:
        yield url

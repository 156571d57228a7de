"""Fixtures of the API tests: an excerpt store, and real uvicorn servers on free ports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from graph.store import OxigraphStore

HERE = Path(__file__).resolve().parent
EXCERPT = HERE / "sparql_excerpt.trig"
DOCUMENT_GRAPH = "https://w3id.org/nenkg/id/graph/document/000_d94e49e236f24c41"
ONTOLOGY_GRAPH = "https://w3id.org/nenkg/id/graph/ontology"


@contextmanager
def running_server(settings: Settings, serve_app: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    """Run the app of ``settings`` in a real server; yield its base URL once queries are answered."""
    with serve_app(create_app(settings), settings.port) as url:
        # Ready when a query has been answered: the workers are spawned processes (slow on a busy machine).
        deadline = time.monotonic() + 90
        while httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=60).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server's query workers did not start")
            time.sleep(0.2)
        yield url


@pytest.fixture(scope="session")
def excerpt_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The NICE-NEC excerpt (two named graphs) in an embedded store on disk, closed again."""
    path = tmp_path_factory.mktemp("excerpt") / "store"
    store = OxigraphStore(path)
    store.load_dataset(EXCERPT, "trig")
    store.close()
    return path


@pytest.fixture(scope="session")
def server(excerpt_store: Path, serve_app: Callable[..., AbstractContextManager[str]],
           port: Callable[[], int]) -> Iterator[str]:
    """A real server on the excerpt: 3 s query timeout, 50-row cap, 100 kB body cap, 2 GiB per worker."""
    settings = Settings.resolve(environ={}, store=str(excerpt_store), port=port(), query_timeout=3,
                                max_results=50, max_body_bytes=100_000, workers=2, worker_memory_mb=2048)
    with running_server(settings, serve_app) as url:
        yield url


@pytest.fixture(scope="session")
def corpus_server(corpus_store_path: Path, serve_app: Callable[..., AbstractContextManager[str]],
                  port: Callable[[], int]) -> Iterator[str]:
    """A real server on the corpus graph built from the four papers."""
    settings = Settings.resolve(environ={}, store=str(corpus_store_path), port=port(), query_timeout=30,
                                workers=2)
    with running_server(settings, serve_app) as url:
        yield url

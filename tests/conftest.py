"""Fixtures shared across the test packages: the corpus graph, built once per test session."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from graph.build import BuildSummary, build_store
from graph.virtuoso_server import free_port

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """The four bundled papers built (with reasoning) into an embedded store: (path, summary)."""
    target = tmp_path_factory.mktemp("corpus") / "store"
    summary = build_store(CORPUS, target, reason=True)
    return target, summary


@pytest.fixture(scope="session")
def corpus_store_path(corpus_build: tuple[Path, BuildSummary]) -> Path:
    """Path of the built corpus store; open it read-only (several processes may share it)."""
    return corpus_build[0]


@contextmanager
def uvicorn_server(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Run ``app`` in a real uvicorn server on a thread (on ``port`` or a free one); yield its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="session")
def serve_app() -> Callable[..., AbstractContextManager[str]]:
    """``with serve_app(app[, port]) as url``: a real server for the API and browser tests."""
    return uvicorn_server


@pytest.fixture(scope="session")
def port() -> Callable[[], int]:
    """A function giving a free port on 127.0.0.1."""
    return free_port

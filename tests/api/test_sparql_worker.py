"""The worker pool on its own: timeouts kill and replace a worker, a worker that dies (here: out of
its memory limit) is replaced and reported, and the pool keeps answering."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from api.sparql_worker import QueryJob, QueryTimeout, WorkerFailed, WorkerPool

COUNT = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv", 10)
# A string that doubles 25 times from 1 kB: 32 GB, far beyond the worker's limit.
HUGE_STRING = QueryJob("SELECT (STRLEN(?x25) AS ?n) WHERE { BIND(\"" + "a" * 1024 + "\" AS ?x0) "
                       + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(25)) + " }", "csv", 10)


def test_timeout_replaces_the_worker(excerpt_store: Path) -> None:
    pool = WorkerPool(str(excerpt_store), size=1, timeout=2)
    try:
        assert pool.run(COUNT).body.splitlines()[1] == b"162"
        with pytest.raises(QueryTimeout, match="longer than 2 s"):
            pool.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
                              "csv", 10))
        assert pool.replaced == 1
        assert pool.run(COUNT).body.splitlines()[1] == b"162"
    finally:
        pool.close()


def test_a_worker_out_of_memory_is_replaced(excerpt_store: Path) -> None:
    pool = WorkerPool(str(excerpt_store), size=1, timeout=60, memory_mb=2048)
    try:
        with pytest.raises(WorkerFailed, match="restarted"):
            pool.run(HUGE_STRING)
        assert pool.run(COUNT).body.splitlines()[1] == b"162"
    finally:
        pool.close()


def test_a_killed_worker_is_reported_and_replaced(excerpt_store: Path) -> None:
    pool = WorkerPool(str(excerpt_store), size=1, timeout=30)
    try:
        pool.run(COUNT)
        (worker,) = list(pool._all)
        threading.Timer(1.0, lambda: os.kill(worker.process.pid, signal.SIGKILL)).start()
        started = time.monotonic()
        with pytest.raises(WorkerFailed):
            pool.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
                              "csv", 10))
        assert time.monotonic() - started < 30  # reported when it died, not at the timeout
        assert pool.run(COUNT).body.splitlines()[1] == b"162"
    finally:
        pool.close()

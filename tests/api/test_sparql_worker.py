"""The worker pool on its own: timeouts kill and replace a worker, a worker that dies (here: out of
its memory limit) is replaced and reported, and the pool keeps answering."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from api import sparql_worker
from api.sparql_worker import (
    QueryJob,
    QueryOutcome,
    QueryTimeout,
    WorkerFailed,
    WorkerPool,
    WorkersBusy,
    _solutions,
    evaluate,
)
from graph.store import OxigraphStore

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


# --- the event-loop path (run_async), used by GET /sparql ------------------------------------

SLOW = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "csv", 10)


def test_run_async_timeout_replaces_the_worker(excerpt_store: Path) -> None:
    pool = WorkerPool(str(excerpt_store), size=1, timeout=2)

    async def scenario() -> None:
        assert (await pool.run_async(COUNT)).body.splitlines()[1] == b"162"
        with pytest.raises(QueryTimeout, match="longer than 2 s"):
            await pool.run_async(SLOW)
        assert pool.replaced == 1
        assert (await pool.run_async(COUNT)).body.splitlines()[1] == b"162"
        assert pool.run(COUNT).body.splitlines()[1] == b"162"  # threads and the loop share the workers

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


def test_run_async_waits_for_a_worker_then_gives_up(excerpt_store: Path) -> None:
    pool = WorkerPool(str(excerpt_store), size=1, timeout=30)

    async def scenario() -> None:
        await pool.run_async(COUNT)
        slow = asyncio.create_task(pool.run_async(SLOW, timeout=3))
        await asyncio.sleep(0.5)
        with pytest.raises(WorkersBusy, match="busy for 1 s"):
            await pool.run_async(COUNT, timeout=1)  # the only worker is busy
        waiting = asyncio.create_task(pool.run_async(COUNT, timeout=10))
        with pytest.raises(QueryTimeout):
            await slow
        assert (await waiting).body.splitlines()[1] == b"162"  # handed the replacement worker

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


def test_a_cancelled_query_does_not_leak_its_answer(excerpt_store: Path) -> None:
    pool = WorkerPool(str(excerpt_store), size=1, timeout=30)

    async def scenario() -> None:
        task = asyncio.create_task(pool.run_async(SLOW))
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.replaced == 1  # its worker was still busy: replaced, not reused
        assert (await pool.run_async(COUNT)).body.splitlines()[1] == b"162"

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


# --- results in JSON: the engine's serialiser, else row by row ------------------------------

TRICKY = ['a},{"b', "a},{b", "{}", 'quote " and \\ backslash', "line\nbreak", "é ü 中"]


def _select(store: OxigraphStore, sparql: str) -> ox.QuerySolutions:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _row_by_row(store: OxigraphStore, job: QueryJob) -> QueryOutcome:
    return _solutions(_select(store, job.sparql), job)


def test_engine_json_is_the_row_by_row_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxigraphStore(tmp_path / "store")
    node = ox.NamedNode("https://w3id.org/nenkg/id/study/s1")
    triples = [ox.Triple(node, ox.NamedNode(f"https://e.org/p{i}"), ox.Literal(text)) for i, text in enumerate(TRICKY)]
    triples += [ox.Triple(node, ox.NamedNode("https://e.org/n"), ox.Literal("13.9", datatype=ox.NamedNode(
                    "http://www.w3.org/2001/XMLSchema#decimal"))),
                ox.Triple(node, ox.NamedNode("https://e.org/l"), ox.Literal("hi", language="en")),
                ox.Triple(ox.BlankNode("b"), ox.NamedNode("https://e.org/b"), node)]
    store.replace_graph("https://w3id.org/nenkg/id/graph/document/t", triples)
    queries = ["SELECT * WHERE { ?s ?p ?o FILTER(STR(?o) != '{}') } ORDER BY ?p",
               "SELECT * WHERE { ?s ?p ?o } ORDER BY ?p",
               "SELECT ?s ?x WHERE { ?s ?p ?o OPTIONAL { ?s <https://e.org/none> ?x } } ORDER BY ?p",
               "SELECT * WHERE { ?s <https://e.org/none> ?o }",
               "SELECT ?x WHERE { VALUES ?y { 1 2 } OPTIONAL { ?x <https://e.org/none> ?y } }"]  # rows without bindings
    for sparql in queries:
        for cap in (100, 3):
            job = QueryJob(sparql, "json", cap)
            native = evaluate(store, job)
            expected = _row_by_row(store, job)
            assert (native.body, native.count, native.truncated) == (expected.body, expected.count, expected.truncated)
    assert sparql_worker._native_json(_select(store, queries[0]), 100) is not None  # the engine wrote it
    assert sparql_worker._native_json(_select(store, queries[1]), 100) is None  # "{}" in a string
    assert sparql_worker._native_json(_select(store, queries[4]), 100) is None  # rows without bindings
    assert evaluate(store, QueryJob(queries[0], "json", 3)).truncated  # over the cap: row by row
    monkeypatch.setattr(sparql_worker, "NATIVE_JSON_BYTES", 100)  # too large: row by row
    job = QueryJob(queries[0], "json", 100)
    assert evaluate(store, job).body == _row_by_row(store, job).body
    store.close()

"""The worker pool on its own: timeouts kill and replace a worker, a worker that dies (here: out of
its memory limit) is replaced and reported, and the pool keeps answering."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from api.sparql_worker import QueryJob, QueryTimeout, WorkerFailed, WorkerPool, WorkersBusy

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

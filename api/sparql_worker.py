"""Query evaluation in worker processes that can be killed: the wall-clock timeout.

Neither pyoxigraph nor rdflib can cancel a running query, and a thread cannot be killed, so each
query runs in a separate process holding its own read-only handle on the store. The server sends
a :class:`QueryJob` through a pipe and waits at most the timeout; a worker that overruns (or dies)
is killed and replaced, and the others keep answering meanwhile. Results come back serialised as
bytes, so no engine object crosses the process boundary.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import io
import json
import multiprocessing
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from graph.store import StoreError

#: Result formats by short name: SPARQL results (SELECT, ASK) and RDF (CONSTRUCT, DESCRIBE).
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML, "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


FAILED = ("the query engine stopped on this query (it may need more memory than a worker may use); the "
          "engine was restarted")


class QueryTimeout(Exception):
    """The query ran longer than the wall-clock limit; its worker was replaced."""


class WorkersBusy(Exception):
    """No worker became free within the timeout."""


class WorkerFailed(Exception):
    """The worker died while evaluating the query (it was replaced). The query is the likely cause
    (it needed more memory than a worker may use), so the API answers 400."""


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate; ``fmt`` is a key of RESULTS_FORMATS or GRAPH_FORMATS."""

    sparql: str
    fmt: str
    max_results: int
    substitutions: Mapping[str, Any] | None = None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    prefixes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryOutcome:
    """A serialised result, or an error message (``error`` is 'syntax' or 'evaluation')."""

    body: bytes = b""
    count: int = 0
    truncated: bool = False
    error: str | None = None
    message: str = ""


def term_json(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def evaluate(store: Any, job: QueryJob) -> QueryOutcome:
    """Evaluate ``job`` on ``store`` (a graph.store.Store) and serialise at most ``max_results``."""
    try:
        result = store.query(job.sparql, substitutions=job.substitutions, default_graph=job.default_graph,
                             named_graphs=job.named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return QueryOutcome(result.serialize(format=RESULTS_FORMATS[job.fmt]) or b"", 1)
        if isinstance(result, ox.QuerySolutions):
            if job.fmt == "json":
                native = _native_json(result, job.max_results)
                if native is not None:
                    return native
                # Too large, over the cap or not countable: again, row by row up to the cap.
                result = store.query(job.sparql, substitutions=job.substitutions,
                                     default_graph=job.default_graph, named_graphs=job.named_graphs)
            return _solutions(result, job)
        triples: list[ox.Triple] = []
        for triple in result:
            if len(triples) == job.max_results:
                return _graph(triples, job, truncated=True)
            triples.append(triple)
        return _graph(triples, job, truncated=False)
    except SyntaxError as error:
        return QueryOutcome(error="syntax", message=str(error))
    except (OSError, ValueError, TypeError, RuntimeError, StoreError) as error:
        # StoreError: a remote store that cannot be reached or refuses the query.
        return QueryOutcome(error="evaluation", message=str(error))


#: Solutions up to this size in JSON are written by the engine's own serialiser.
NATIVE_JSON_BYTES = 4 << 20


class _TooLarge(Exception):
    """The solutions outgrew NATIVE_JSON_BYTES: they are written row by row instead."""


class _CappedBuffer(io.BytesIO):
    """A file for the engine's serialiser that stops it past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any, /) -> int:
        if self.tell() + len(data) > self.limit:
            raise _TooLarge
        return super().write(data)


def _native_json(result: ox.QuerySolutions, max_results: int) -> QueryOutcome | None:
    """The solutions in SPARQL JSON written by the engine (several times cheaper than in Python,
    which dominates point lookups), or None when that answer is larger than NATIVE_JSON_BYTES, has
    more rows than ``max_results`` or has a row without bindings.

    Rows are counted as the separators ``},{"`` between them: the engine writes compact JSON in
    which that sequence occurs nowhere else (inside a string the quote would be escaped) as long
    as no row is empty (``{}``, refused here, like any ``{}`` in a string: then Python counts)."""
    buffer = _CappedBuffer(NATIVE_JSON_BYTES)
    try:
        result.serialize(buffer, format=ox.QueryResultsFormat.JSON)
    except _TooLarge:
        return None
    body = buffer.getvalue()
    if b"{}" in body:
        return None
    count = 0 if body.endswith(b'"bindings":[]}}') else body.count(b'},{"') + 1
    if count > max_results:
        return None
    return QueryOutcome(body, count, False)


#: A JSON string literal, as ``json.dumps(value, ensure_ascii=False)`` writes it.
_quote = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def term_json_text(term: Any) -> str:
    """:func:`term_json` already written as JSON text: results are assembled from these pieces,
    several times cheaper than building dicts for ``json.dumps`` (point lookups are dominated
    by it)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _quote(term.value) + "}"
    if kind is ox.Literal:
        value = _quote(term.value)
        if term.language:
            return '{"type":"literal","value":' + value + ',"xml:lang":' + _quote(term.language) + "}"
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + _quote(datatype) + "}"
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return json.dumps(term_json(term), ensure_ascii=False)


def _solutions(result: ox.QuerySolutions, job: QueryJob) -> QueryOutcome:
    names = [v.value for v in result.variables]
    keys = [_quote(name) + ":" for name in names]
    rows: list[str] = []
    truncated = False
    for solution in result:
        if len(rows) == job.max_results:
            truncated = True
            break
        rows.append("{" + ",".join(key + term_json_text(term) for key, term in zip(keys, solution, strict=True)
                                   if term is not None) + "}")
    # The engine's serialisers take a results object, not a list: write JSON ourselves and let
    # pyoxigraph convert it to the other formats.
    body = ('{"head":{"vars":' + _quote(names) + '},"results":{"bindings":[' + ",".join(rows)
            + "]}}").encode()
    if job.fmt != "json":
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(
            format=RESULTS_FORMATS[job.fmt]) or b""
    return QueryOutcome(body, len(rows), truncated)


def _graph(triples: list[ox.Triple], job: QueryJob, *, truncated: bool) -> QueryOutcome:
    prefixes = dict(job.prefixes) if job.fmt == "turtle" else None
    body = ox.serialize(triples, format=GRAPH_FORMATS[job.fmt], prefixes=prefixes)
    return QueryOutcome(body or b"", len(triples), truncated)


def _worker_main(conn: Connection, location: str, memory_mb: int) -> None:
    """Entry point of a worker process: open the store read-only, answer jobs until the pipe closes."""
    try:
        import resource
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    # A deeper stack than the default for the engine's recursive descent; the guard keeps nesting
    # well below what it holds.
    threading.stack_size(64 * 1024 * 1024)
    thread = threading.Thread(target=_serve, args=(conn, location), daemon=True)
    thread.start()
    thread.join()


def _serve(conn: Connection, location: str) -> None:
    from api.sparql_store import open_read_only
    try:
        store = open_read_only(location)
        failure = None
    except Exception as error:  # noqa: BLE001 - reported to the server with each job
        store, failure = None, f"cannot open the store at {location}: {error}"
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if store is None:
            outcome = QueryOutcome(error="evaluation", message=failure or "no store")
        else:
            try:
                outcome = evaluate(store, job)
            except MemoryError:
                outcome = QueryOutcome(error="evaluation", message="the query needs too much memory")
        conn.send(outcome)


#: A worker is a fresh interpreter that imports this module only. (multiprocessing's "spawn" would
#: also import the server's main module, e.g. the whole ``nenkg`` command line, in every worker.)
_WORKER_COMMAND = ("import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
                   "from api.sparql_worker import worker_entry; worker_entry(sys.argv[2:])")


def worker_entry(arguments: list[str]) -> None:
    """Entry point of the worker command: the pipe's descriptor, the store location, the memory
    limit in MiB."""
    descriptor, location, memory_mb = arguments
    _worker_main(Connection(int(descriptor)), location, int(memory_mb))


class _Worker:
    def __init__(self, location: str, memory_mb: int) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_COMMAND, json.dumps(sys.path), str(child.fileno()), location,
             str(memory_mb)], pass_fds=(child.fileno(),))
        child.close()

    def stop(self) -> None:
        self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.conn.close()


class _Waiter:
    """A caller waiting for a free worker: :meth:`WorkerPool._release` hands one over and wakes it."""

    __slots__ = ("wake", "worker")

    def __init__(self, wake: Callable[[], object]) -> None:
        self.wake = wake
        self.worker: _Worker | None = None


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _waker(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> Callable[[], object]:
    """Wake ``future``'s waiter from any thread: directly in the loop's own thread (no wake-up
    write to the loop), through ``call_soon_threadsafe`` from another."""
    home = threading.get_ident()

    def wake() -> None:
        if threading.get_ident() == home:
            _resolve(future)
        else:
            loop.call_soon_threadsafe(_resolve, future)
    return wake


class _AnswerReader:
    """Collects one message of :class:`multiprocessing.connection.Connection` (a 4-byte big-endian
    length, or -1 and an 8-byte one, then the pickle) from a pipe as the event loop finds it
    readable, without ever blocking; ``done`` gets the pickle, or EOFError if the worker died."""

    def __init__(self, descriptor: int, done: asyncio.Future[bytes]) -> None:
        self.descriptor = descriptor
        self.done = done
        self.buffer = bytearray()

    def expire(self) -> None:
        if not self.done.done():
            self.done.set_exception(TimeoutError())

    def readable(self) -> None:
        if self.done.done():
            return
        try:
            chunk = os.read(self.descriptor, 1 << 20)
        except BlockingIOError:
            return
        except OSError as error:
            self.done.set_exception(error)
            return
        if not chunk:
            self.done.set_exception(EOFError("the worker closed its pipe"))
            return
        self.buffer += chunk
        if len(self.buffer) < 4:
            return
        header, size = 4, struct.unpack("!i", self.buffer[:4])[0]
        if size == -1:
            if len(self.buffer) < 12:
                return
            header, size = 12, struct.unpack("!Q", self.buffer[4:12])[0]
        if len(self.buffer) >= header + size:
            self.done.set_result(bytes(self.buffer[header:header + size]))


class WorkerPool:
    """A few worker processes evaluating queries with a wall-clock limit each.

    :meth:`run` blocks (call it from a thread); :meth:`run_async` is its event-loop twin, which
    waits on the worker's pipe with the loop itself instead of a thread (the cheaper path per
    request). Both share the same workers. Workers start on first use; :meth:`close` stops them.
    """

    def __init__(self, location: str, *, size: int = 2, timeout: float = 20.0, memory_mb: int = 4096) -> None:
        self.location = location
        self.size = size
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._idle: collections.deque[_Worker] = collections.deque()
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self.replaced = 0

    def _spawn(self) -> _Worker:
        worker = _Worker(self.location, self.memory_mb)
        with self._lock:
            self._all.add(worker)
        return worker

    def start(self) -> None:
        """Spawn the workers (idempotent; :meth:`run` calls it too)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self.size):
            self._release(self._spawn())

    def _release(self, worker: _Worker) -> None:
        """Give a free worker to the longest waiting caller, else put it back in the idle list."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                try:
                    waiter.wake()
                except RuntimeError:  # its event loop was closed: that caller is gone
                    continue
                waiter.worker = worker
                return
            self._idle.append(worker)

    def _claim(self, waiter: _Waiter, limit: float) -> _Worker:
        """After waiting: the worker handed to ``waiter``, or WorkersBusy (and the waiter leaves)."""
        with self._lock:
            if waiter.worker is not None:
                return waiter.worker
            self._waiters.remove(waiter)
        raise WorkersBusy(f"all {self.size} query workers stayed busy for {limit:g} s")

    def _acquire(self, limit: float) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            event = threading.Event()
            waiter = _Waiter(event.set)
            self._waiters.append(waiter)
        event.wait(limit)
        return self._claim(waiter, limit)

    async def _acquire_async(self, limit: float) -> _Worker:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            ready: asyncio.Future[None] = loop.create_future()
            waiter = _Waiter(_waker(loop, ready))
            self._waiters.append(waiter)
        expiry = loop.call_later(limit, _resolve, ready)
        try:
            await ready
        except BaseException:  # cancelled: leave the queue, or give back a worker handed over meanwhile
            with self._lock:
                handed = waiter.worker
                if handed is None:
                    self._waiters.remove(waiter)
            if handed is not None:
                self._release(handed)
            raise
        finally:
            expiry.cancel()
        return self._claim(waiter, limit)

    def run(self, job: QueryJob, timeout: float | None = None) -> QueryOutcome:
        """Evaluate ``job`` in a worker; raise QueryTimeout, WorkersBusy or WorkerFailed."""
        self.start()
        limit = self.timeout if timeout is None else timeout
        worker = self._acquire(limit)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(limit):
                worker = self._replace(worker)
                raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped")
            outcome: QueryOutcome = worker.conn.recv()
            return outcome
        except (EOFError, OSError):
            worker = self._replace(worker)
            raise WorkerFailed(FAILED) from None
        finally:
            self._release(worker)

    async def run_async(self, job: QueryJob, timeout: float | None = None) -> QueryOutcome:
        """:meth:`run` for the event loop: no thread waits; the loop watches the worker's pipe."""
        self.start()
        limit = self.timeout if timeout is None else timeout
        worker = await self._acquire_async(limit)
        loop = asyncio.get_running_loop()
        try:
            worker.conn.send(job)
            answer = _AnswerReader(worker.conn.fileno(), loop.create_future())
            loop.add_reader(answer.descriptor, answer.readable)
            # A timer rather than asyncio.wait_for: the same limit at a fraction of the cost.
            expiry = loop.call_later(limit, answer.expire)
            try:
                payload = await answer.done
            finally:
                expiry.cancel()
                loop.remove_reader(answer.descriptor)
                # uvloop made the pipe non-blocking; run() and send() expect it blocking.
                os.set_blocking(answer.descriptor, True)
            outcome: QueryOutcome = pickle.loads(payload)
            return outcome
        except TimeoutError:
            worker = self._replace(worker)
            raise QueryTimeout(f"the query ran longer than {limit:g} s and was stopped") from None
        except (EOFError, OSError, pickle.UnpicklingError):
            worker = self._replace(worker)
            raise WorkerFailed(FAILED) from None
        except BaseException:  # cancelled mid-query: its answer would reach the next caller
            worker = self._replace(worker)
            raise
        finally:
            self._release(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1
        return self._spawn()

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
            self._started = False
            self._idle.clear()
        for worker in workers:
            worker.stop()

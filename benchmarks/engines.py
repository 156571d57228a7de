"""The engines the benchmark compares, each behind the same small interface.

In process: rdflib's own SPARQL engine (the baseline, run in a child process so that a time
budget can stop it), pyoxigraph (the limit), nenkg's embedded store with its named-query layer.
Over HTTP: nenkg's server (the API app under uvicorn), the Oxigraph server (``oxigraph`` from
PyPI) and Virtuoso (through :class:`graph.remote.RemoteStore`). Servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from graph.virtuoso_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def timed_runs(run: Callable[[], int], runs: int, budget: float) -> tuple[list[float], int]:
    """One warm-up, then up to ``runs`` timed runs while within ``budget`` seconds."""
    started = time.perf_counter()
    rows = run()
    times: list[float] = []
    while len(times) < runs and (time.perf_counter() - started < budget or not times):
        t = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - t)
    return times, rows


# -- rdflib in a child process ------------------------------------------------------------------

def _rdflib_query(dataset: Any, sparql: str, bindings: dict[str, str], runs: int, budget: float, out: Any) -> None:
    """In a process forked from the loaded child: a warm-up, then timed runs, each reported as it
    ends (the parent may stop waiting at any point)."""
    import rdflib

    init = {rdflib.Variable(k): rdflib.util.from_n3(v) for k, v in bindings.items()}
    try:
        started = time.perf_counter()
        t = time.perf_counter()
        rows = len(list(dataset.query(sparql, initBindings=init)))
        out.put(("warm-up", time.perf_counter() - t, rows))
        done = 0
        while done < runs and time.perf_counter() - started < budget:
            t = time.perf_counter()
            rows = len(list(dataset.query(sparql, initBindings=init)))
            out.put(("run", time.perf_counter() - t, rows))
            done += 1
    except Exception as error:  # rdflib's engine fails on some valid queries: report it
        out.put(("error", f"rdflib error: {type(error).__name__}", 0))
    out.put(("done", 0.0, 0))


def _rdflib_child(path: str, jobs: list[tuple[str, str, dict[str, str]]], runs: int, budget: float,
                  timeout: float, out: Any) -> None:
    """Loads the data once, then runs each query in a forked process that is killed after
    ``timeout`` seconds (rdflib cannot cancel a query), so one slow join does not hide the rest."""
    import queue

    import rdflib

    t = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    out.put(("load", time.perf_counter() - t, len(dataset)))
    fork = multiprocessing.get_context("fork")
    for name, sparql, bindings in jobs:
        results = fork.Queue()
        process = fork.Process(target=_rdflib_query, args=(dataset, sparql, bindings, runs, budget, results))
        process.start()
        deadline = time.monotonic() + timeout
        warm_up, times, rows, error = None, [], 0, None
        while (left := deadline - time.monotonic()) > 0:
            try:
                kind, value, count = results.get(timeout=left)
            except queue.Empty:
                break
            if kind == "done":
                break
            if kind == "error":
                error = value
            elif kind == "warm-up":
                warm_up, rows = value, count
            else:
                times.append(value)
                rows = count
        if process.is_alive():
            process.kill()
        process.join()
        if error:
            out.put((name, error, 0))
        elif times or warm_up is not None:
            out.put((name, times or [warm_up], rows))  # a single slow run: its warm-up is the figure
        else:
            out.put((name, f"> {timeout:.0f} s budget", 0))
    out.put(("done", 0, 0))


class RdflibRunner:
    """Loads the data into rdflib and times queries in a child process: the load within
    ``load_budget`` seconds, each query within ``query_timeout`` (a query over it is reported as
    "> N s budget")."""

    def __init__(self, path: Path, jobs: list[tuple[str, str, dict[str, ox.NamedNode | ox.Literal]]],
                 runs: int, query_budget: float, query_timeout: float, load_budget: float) -> None:
        self.results: dict[str, Any] = {}
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        text_jobs = [(name, sparql, {k: str(v) for k, v in subs.items()}) for name, sparql, subs in jobs]
        process = context.Process(target=_rdflib_child,
                                  args=(str(path), text_jobs, runs, query_budget, query_timeout, queue))
        process.start()
        deadline = time.monotonic() + load_budget + len(jobs) * (query_timeout + 5)
        while time.monotonic() < deadline:
            try:
                name, value, count = queue.get(timeout=1.0)
            except Exception:  # queue.Empty: still working, or dead
                if not process.is_alive():
                    break
                continue
            if name == "done":
                break
            self.results[name] = (value, count)
            if name == "load":  # the queries' own timeouts bound the rest
                deadline = time.monotonic() + len(jobs) * (query_timeout + 5)
        if process.is_alive():
            process.kill()
        process.join()


# -- servers ------------------------------------------------------------------------------------

class Server:
    """A server subprocess on 127.0.0.1 with a readiness probe."""

    def __init__(self, command: list[str], url: str, probe: str, env: dict[str, str] | None = None,
                 log: Path | None = None) -> None:
        self.url = url
        self.log = open(log or os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=self.log,
                                        stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {self.process.returncode}")
            try:
                if httpx.get(probe, timeout=5).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{command} did not answer at {probe}")

    def rss_mb(self) -> float:
        return tree_rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        raise RuntimeError("the oxigraph server is not installed: pip install oxigraph")
    return found


def start_oxigraph(location: Path, log: Path) -> Server:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return Server([oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind",
                   f"127.0.0.1:{port}", "--union-default-graph"], url, url + "/query?query=ASK%7B%7D", log=log)


def start_nenkg(location: Path, log: Path, workers: int = 2) -> Server:
    """nenkg's server as its users run it: ``nenkg serve`` (quiet log: no line per request)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return Server([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--store", str(location), "--workers", str(workers), "--log-level", "warning"], url,
                  url + "/sparql?query=ASK%7B%7D", log=log)


def http_throughput(make_request: Callable[[httpx.Client, int], httpx.Response], clients: int,
                    seconds: float) -> tuple[float, int]:
    """Requests per second with ``clients`` concurrent threads for ``seconds``; and the error count."""
    import threading

    counts = [0] * clients
    errors = [0] * clients
    deadline = time.perf_counter() + seconds

    def worker(index: int) -> None:
        with httpx.Client(timeout=30) as client:
            i = index
            while time.perf_counter() < deadline:
                response = make_request(client, i)
                if response.status_code == 200:
                    counts[index] += 1
                else:
                    errors[index] += 1
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(errors)

"""One command for the whole benchmark: ``python -m benchmarks.run [--sizes 10k,100k,1M] [--quick]``.

For each size it generates (or reuses) a synthetic graph with the real shape
(:mod:`benchmarks.generate`), loads it into every engine, times named queries (median of several
runs after a warm-up), measures HTTP throughput of point lookups with concurrent clients and the
servers' memory, and writes ``benchmarks/REPORT.md`` with the tables and ratios. It also times
the build of the real corpus. Engines: rdflib's own engine (baseline), pyoxigraph in process (the
limit), nenkg (its store and named-query layer in process, and its HTTP server), the Oxigraph
server, and Virtuoso through nenkg's remote store.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from benchmarks.engines import (
    ROOT,
    RdflibRunner,
    Server,
    http_throughput,
    start_nenkg,
    start_oxigraph,
    timed_runs,
)
from benchmarks.generate import parse_size, write
from graph.remote import RemoteStore
from graph.store import OxigraphStore
from graph.virtuoso_server import DBA_PASSWORD, DBA_USER, VirtuosoServer
from ontology import DATA_NS
from queries import bind_parameters, load_queries

DATA = Path(__file__).resolve().parent / "data"
REPORT = Path(__file__).resolve().parent / "REPORT.md"
#: Named queries timed at every size: joins over studies, arms, regimens, outcomes, evidence and
#: the class hierarchy (inferred types). The others scan the whole graph alike.
QUERIES = ["regimens_with_agent_class", "significant_prognostic_factors", "study_arms",
           "populations_by_neoplasm_type", "median_survival_above"]
LOOKUP = "entity_lookup"
ENGINES = ["rdflib", "pyoxigraph", "nenkg", "nenkg HTTP", "Oxigraph server", "Virtuoso"]


def lookup_query(index: int) -> str:
    return f"SELECT ?p ?o WHERE {{ <{DATA_NS}study/s{index}-trial> ?p ?o }}"


@dataclass
class SizeResult:
    label: str
    triples: int = 0
    load: dict[str, float] = field(default_factory=dict)  # engine -> triples per second
    latency: dict[str, dict[str, float | str]] = field(default_factory=dict)  # query -> engine -> s
    rows: dict[str, int] = field(default_factory=dict)
    throughput: dict[str, float] = field(default_factory=dict)  # server -> requests/s
    errors: dict[str, int] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)  # server -> MiB
    notes: list[str] = field(default_factory=list)


def median(times: list[float]) -> float:
    return statistics.median(times) if times else float("nan")


def ensure_data(label: str, directory: Path = DATA) -> Path:
    path = directory / f"{label}.nq"
    if not path.exists():
        write(parse_size(label), path)
    return path


def count_quads(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.queries = load_queries()
        self.runs = 2 if args.quick else 5
        self.budget = args.query_budget

    def jobs(self, triples: int) -> list[tuple[str, str, dict[str, ox.NamedNode | ox.Literal]]]:
        # The point lookup first, then the joins.
        out: list[tuple[str, str, dict[str, ox.NamedNode | ox.Literal]]] = [(LOOKUP, lookup_query(7), {})]
        out += [(name, self.queries[name].sparql, bind_parameters(self.queries[name], {})) for name in QUERIES
                if name in self.queries]
        return out

    def run_size(self, label: str, work: Path) -> SizeResult:
        result = SizeResult(label)
        data = ensure_data(label, self.args.data)
        result.triples = count_quads(data)
        jobs = self.jobs(result.triples)
        print(f"== {label}: {result.triples} triples", flush=True)

        # Bulk loads.
        limit = work / "pyoxigraph"
        t = time.perf_counter()
        raw = ox.Store(str(limit))
        raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        result.load["pyoxigraph"] = result.triples / (time.perf_counter() - t)
        del raw
        t = time.perf_counter()
        store = OxigraphStore(work / "nenkg")
        store.load_dataset(data, "nquads")
        result.load["nenkg"] = result.triples / (time.perf_counter() - t)
        store.close()
        oxi_dir = work / "oxigraph-server"
        t = time.perf_counter()
        import subprocess

        from benchmarks.engines import oxigraph_binary
        subprocess.run([oxigraph_binary(), "load", "--location", str(oxi_dir), "--file", str(data)],
                       check=True, capture_output=True)
        result.load["Oxigraph server"] = result.triples / (time.perf_counter() - t)
        print(f"   loads: {({k: round(v) for k, v in result.load.items()})}", flush=True)

        # In-process query latencies.
        raw = ox.Store.read_only(str(limit))
        nenkg = OxigraphStore(work / "nenkg", read_only=True)
        for name, sparql, subs in jobs:
            variables = {ox.Variable(k): v for k, v in subs.items()}
            times, rows = timed_runs(lambda s=sparql, v=variables: len(list(raw.query(  # type: ignore[misc, arg-type]
                s, substitutions=v, use_default_graph_as_union=True))), self.runs, self.budget)
            result.latency.setdefault(name, {})["pyoxigraph"] = median(times)
            result.rows[name] = rows
            times, _ = timed_runs(lambda s=sparql, b=subs: len(list(nenkg.query(  # type: ignore[misc, arg-type]
                s, substitutions=b))), self.runs, self.budget)
            result.latency[name]["nenkg"] = median(times)
        print("   in-process latencies done", flush=True)

        # rdflib, within its budget.
        if parse_size(label) <= parse_size(self.args.rdflib_max):
            runner = RdflibRunner(data, jobs, min(self.runs, 3), self.budget, self.args.rdflib_budget,
                                  self.args.rdflib_load_budget)
            if "load" in runner.results:
                result.load["rdflib"] = result.triples / runner.results["load"][0]
            else:
                result.notes.append(f"rdflib did not load {label} within {self.args.rdflib_load_budget:.0f} s.")
            for name, *_ in jobs:
                if "load" not in runner.results:
                    break
                if name in runner.results and isinstance(runner.results[name][0], str):
                    result.latency[name]["rdflib"] = runner.results[name][0]
                elif name in runner.results:
                    result.latency[name]["rdflib"] = median(runner.results[name][0])
                    if runner.results[name][1] != result.rows[name]:
                        result.notes.append(f"rdflib returned {runner.results[name][1]} rows for {name}, "
                                            f"pyoxigraph {result.rows[name]}.")
                else:
                    result.latency[name]["rdflib"] = f"> {self.args.rdflib_budget:.0f} s budget"
        else:
            result.notes.append(f"rdflib not run at {label} (over --rdflib-max {self.args.rdflib_max}).")
        print("   rdflib done", flush=True)

        # Servers: nenkg, Oxigraph, Virtuoso.
        lookups = [lookup_query(i % max(1, result.triples // 400)) for i in range(5000)]
        self.servers(result, jobs, work, lookups, nenkg_dir=work / "nenkg", oxi_dir=oxi_dir, data=data)
        return result

    def servers(self, result: SizeResult, jobs: list[Any], work: Path, lookups: list[str], *, nenkg_dir: Path,
                oxi_dir: Path, data: Path) -> None:
        clients, seconds = self.args.clients, self.args.seconds
        json_accept = {"Accept": "application/sparql-results+json"}

        def bench_http(engine: str, server: Server | None, one: Callable[[httpx.Client, str], httpx.Response],
                       named: Callable[[httpx.Client, str, str], httpx.Response]) -> None:
            with httpx.Client(timeout=120) as client:
                for name, sparql, _subs in jobs:
                    def run(n: str = name, s: str = sparql) -> int:
                        response = named(client, n, s)
                        response.raise_for_status()
                        return len(response.content)
                    try:
                        times, _ = timed_runs(run, self.runs, self.budget)
                        result.latency[name][engine] = median(times)
                    except httpx.HTTPError as error:
                        result.latency[name][engine] = f"error: {error}"[:60]
            rate, errors = http_throughput(lambda c, i: one(c, lookups[i % len(lookups)]), clients, seconds)
            result.throughput[engine], result.errors[engine] = rate, errors
            if server is not None:
                result.memory[engine] = server.rss_mb()
            print(f"   {engine}: {rate:.0f} req/s, {errors} errors", flush=True)

        server = start_nenkg(nenkg_dir, work / "nenkg.log")
        try:
            bench_http("nenkg HTTP", server,
                       lambda c, q: c.get(server.url + "/sparql", params={"query": q}, headers=json_accept),
                       lambda c, n, s: c.get(server.url + (f"/queries/{n}" if n != LOOKUP else "/sparql"),
                                             params={} if n != LOOKUP else {"query": s}, headers=json_accept))
        finally:
            server.stop()
        oxigraph = start_oxigraph(oxi_dir, work / "oxigraph.log")
        try:
            def oxi_named(c: httpx.Client, n: str, s: str) -> httpx.Response:
                subs = next(b for name, _, b in jobs if name == n)
                from graph.sparql_text import substitute
                return c.post(oxigraph.url + "/query", data={"query": substitute(s, subs)}, headers=json_accept)
            bench_http("Oxigraph server", oxigraph,
                       lambda c, q: c.get(oxigraph.url + "/query", params={"query": q}, headers=json_accept),
                       oxi_named)
        finally:
            oxigraph.stop()
        if self.args.no_virtuoso:
            return
        memory = 256 if result.triples < 200_000 else 1024
        with VirtuosoServer(work / "virtuoso-gsp", memory_mb=memory) as virtuoso:
            remote = RemoteStore(virtuoso.sparql_url, user=DBA_USER, password=DBA_PASSWORD)
            t = time.perf_counter()
            remote.load_dataset(data, "nquads")
            result.load["Virtuoso (Graph Store Protocol)"] = result.triples / (time.perf_counter() - t)
            remote.close()
        with VirtuosoServer(work / "virtuoso", memory_mb=memory) as virtuoso:
            remote = RemoteStore(virtuoso.sparql_url, user=DBA_USER, password=DBA_PASSWORD,
                                 sql_address=f"127.0.0.1:{virtuoso.sql_port}", load_dir=virtuoso.load_dir)
            t = time.perf_counter()
            remote.load_dataset(data, "nquads")
            result.load["Virtuoso (bulk loader)"] = result.triples / (time.perf_counter() - t)
            for name, sparql, subs in jobs:
                try:
                    times, _ = timed_runs(lambda s=sparql, b=subs: len(list(remote.query(  # type: ignore[misc, arg-type]
                        s, substitutions=b))), self.runs, self.budget)
                    result.latency[name]["Virtuoso"] = median(times)
                except Exception as error:  # a Virtuoso error is a result to report, not a crash
                    result.latency[name]["Virtuoso"] = f"error: {error}"[:60]
            rate, errors = http_throughput(
                lambda c, i: c.post(virtuoso.sparql_url, data={"query": lookups[i % len(lookups)]},
                                    headers=json_accept), clients, seconds)
            result.throughput["Virtuoso"], result.errors["Virtuoso"] = rate, errors
            result.memory["Virtuoso"] = virtuoso.memory_rss_mb()
            print(f"   Virtuoso: {rate:.0f} req/s", flush=True)
            remote.close()


def build_time() -> tuple[float, str]:
    from graph.build import build_store

    with tempfile.TemporaryDirectory() as directory:
        t = time.perf_counter()
        summary = build_store(ROOT / "corpus", Path(directory) / "store", reason=True)
        seconds = time.perf_counter() - t
    return seconds, f"{sum(d.triples for d in summary.documents)} document triples"


def fmt_latency(value: float | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"


def ratio(a: float | str | None, b: float | str | None) -> str:
    if isinstance(a, float) and isinstance(b, float) and b > 0:
        return f"{a / b:.2f}"
    if isinstance(a, str) and a.startswith(">") and isinstance(b, float):
        return f"> {float(a.split()[1]) / b:.0f}"
    return "-"


def report(results: list[SizeResult], build: tuple[float, str] | None, args: argparse.Namespace,
           seconds: float) -> str:
    lines = ["# nenkg benchmark report", "",
             f"Written by `python -m benchmarks.run {args.argv}` in {seconds:.0f} s on "
             f"{platform.node()} ({platform.machine()}, {__import__('os').cpu_count()} cores, "
             f"Python {platform.python_version()}, pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else ''}). "
             "The machine is shared: other processes ran at the same time, so absolute numbers are noisy; "
             f"ratios within one size were measured minutes apart. Load average (1 min) at the start "
             f"{args.load_start:.1f}, at the end {__import__('os').getloadavg()[0]:.1f}.", "",
             "Engines: *rdflib* is rdflib's own SPARQL engine on an in-memory Dataset (in a child process; "
             f"each query in a fork of it, stopped after {args.rdflib_budget:.0f} s and then reported as "
             "'> budget'); *pyoxigraph* is `pyoxigraph.Store` on disk queried directly (the limit); *nenkg* is "
             "nenkg's `OxigraphStore` with the named-query layer (parameters bound by substitution), in "
             "process; *nenkg HTTP* is the API app under uvicorn (one process) with its query worker "
             "processes, `GET /queries/{name}` and `/sparql`, JSON results; *Oxigraph server* is "
             "`oxigraph serve-read-only --union-default-graph`; *Virtuoso* is Virtuoso 7.2.5 queried "
             "through `graph.remote.RemoteStore` (form POST, JSON results parsed by pyoxigraph). Query "
             "parameters are the named queries' defaults. Loads: pyoxigraph `bulk_load`, nenkg "
             "`OxigraphStore.load_dataset` (what `nenkg import` runs), `oxigraph load`, rdflib "
             "`Dataset.parse`, Virtuoso through `RemoteStore.load_dataset`: over the Graph Store Protocol "
             "(a fresh server), and through Virtuoso's bulk loader (`NENKG_REMOTE_SQL` and `NENKG_REMOTE_LOAD_DIR` "
             "set; the server then queried).", "",
             "Data: synthetic graphs with the real shape (benchmarks/generate.py: studies, arms, regimens with "
             "components, outcomes with CIs, hazard ratios, characteristics, adverse events, Web Annotation "
             "evidence, the real ontology and the inferred types), one named graph per document.", ""]
    if build:
        lines += [f"**Corpus build** (`build_store`, 4 papers, with HermiT reasoning): {build[0]:.1f} s "
                  f"({build[1]}). Target < 20 s: {'PASS' if build[0] < 20 else 'FAIL'}.", ""]
    for r in results:
        lines += [f"## {r.label} ({r.triples:,} triples)", "", "### Bulk load (triples per second)", "",
                  "| engine | triples/s |", "|---|---:|"]
        lines += [f"| {k} | {v:,.0f} |" for k, v in sorted(r.load.items(), key=lambda kv: -kv[1])]
        lines += ["", f"### Query latency (median of up to {5 if not args.quick else 2} runs after a warm-up)", "",
                  "| query | rows | " + " | ".join(ENGINES) + " | nenkg / pyoxigraph | rdflib / nenkg |",
                  "|---|---:|" + "---:|" * (len(ENGINES) + 2)]
        for name, by_engine in r.latency.items():
            cells = [fmt_latency(by_engine.get(e)) for e in ENGINES]
            lines.append(f"| {name} | {r.rows.get(name, '')} | " + " | ".join(cells) +
                         f" | {ratio(by_engine.get('nenkg'), by_engine.get('pyoxigraph'))}"
                         f" | {ratio(by_engine.get('rdflib'), by_engine.get('nenkg'))} |")
        lines += ["", f"### HTTP point lookups, {args.clients} concurrent clients, {args.seconds:.0f} s", "",
                  "| server | requests/s | errors | server memory (RSS, MiB) |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v:,.0f} | {r.errors.get(k, 0)} | {r.memory.get(k, 0):,.0f} |"
                  for k, v in r.throughput.items()]
        if "nenkg HTTP" in r.throughput and "Oxigraph server" in r.throughput:
            share = r.throughput["nenkg HTTP"] / max(r.throughput["Oxigraph server"], 1e-9)
            lines += ["", f"nenkg / Oxigraph server throughput: {share:.2f}"]
        lines += [""] + [f"- {note}" for note in r.notes] + [""]
    lines += targets(results, build)
    return "\n".join(lines) + "\n"


def targets(results: list[SizeResult], build: tuple[float, str] | None) -> list[str]:
    """The issue's targets at the largest size, each with the measured figure."""
    if not results:
        return []
    r = results[-1]
    out = [f"## Targets at {r.label}", "", "| target | measured | result |", "|---|---|---|"]

    def row(target: str, measured: str, ok: bool | None) -> None:
        out.append(f"| {target} | {measured} | {'PASS' if ok else 'FAIL' if ok is not None else 'not measured'} |")

    ratios = [float(v["nenkg"]) / float(v["pyoxigraph"]) for v in r.latency.values()
              if isinstance(v.get("nenkg"), float) and isinstance(v.get("pyoxigraph"), float)]
    row("named queries within 1.5x of pyoxigraph in process", f"worst {max(ratios):.2f}x" if ratios else "-",
        bool(ratios) and max(ratios) <= 1.5)
    speedups = []
    rdflib_at = r
    for candidate in reversed(results):
        if any(isinstance(v.get("rdflib"), float | str) for v in candidate.latency.values()):
            rdflib_at = candidate
            break
    for name, v in rdflib_at.latency.items():
        if name == LOOKUP or not isinstance(v.get("nenkg"), float):
            continue
        if isinstance(v.get("rdflib"), float):
            speedups.append(v["rdflib"] / v["nenkg"])  # type: ignore[operator]
        elif isinstance(v.get("rdflib"), str) and str(v["rdflib"]).startswith(">"):
            speedups.append(float(str(v["rdflib"]).split()[1]) / v["nenkg"])  # type: ignore[operator]
    row(f"joins at least 20x faster than rdflib (measured at {rdflib_at.label})",
        f"slowest {min(speedups):.0f}x" if speedups else "-", bool(speedups) and min(speedups) >= 20)
    nenkg_load, limit = r.load.get("nenkg"), r.load.get("pyoxigraph")
    row("bulk import at least 300k triples/s",
        (f"{nenkg_load:,.0f}/s" + (f" ({nenkg_load / limit:.2f}x one pyoxigraph `bulk_load` call)" if limit else ""))
        if nenkg_load else "-", nenkg_load is not None and nenkg_load >= 300_000)
    if "nenkg HTTP" in r.throughput and "Oxigraph server" in r.throughput:
        share = r.throughput["nenkg HTTP"] / max(r.throughput["Oxigraph server"], 1e-9)
        row("HTTP point lookups at least half of the Oxigraph server's (16 clients)", f"{share:.2f}", share >= 0.5)
    if build:
        row("corpus build under 20 s", f"{build[0]:.1f} s", build[0] < 20)
    if "nenkg HTTP" in r.memory:
        row(f"server holding the {r.label} store in under 1 GB", f"{r.memory['nenkg HTTP']:,.0f} MiB",
            r.memory["nenkg HTTP"] < 1024)
    return out + [""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--quick", action="store_true", help="10k only, fewer runs, short throughput runs")
    parser.add_argument("--rdflib-max", default="1M", help="largest size rdflib is run at")
    parser.add_argument("--rdflib-budget", type=float, default=60.0,
                        help="seconds rdflib may spend on one query (warm-up and runs) before it is stopped")
    parser.add_argument("--rdflib-load-budget", type=float, default=900.0, help="seconds rdflib may spend loading")
    parser.add_argument("--query-budget", type=float, default=4.0, help="seconds per query and engine")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each throughput run")
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--no-build", action="store_true", help="skip timing the corpus build")
    parser.add_argument("--output", type=Path, default=REPORT)
    parser.add_argument("--data", type=Path, default=DATA, help="where generated graphs are kept")
    args = parser.parse_args(argv)
    args.argv = " ".join(argv) if argv is not None else " ".join(__import__("sys").argv[1:])
    if args.quick:
        args.sizes, args.seconds = ("10k" if args.sizes == "10k,100k,1M" else args.sizes), min(args.seconds, 3.0)
    started = time.perf_counter()
    args.load_start = __import__("os").getloadavg()[0]
    bench = Bench(args)
    results = []
    for label in args.sizes.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"nenkg-bench-{label}-"))
        try:
            results.append(bench.run_size(label, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    build = None if args.no_build else build_time()
    text = report(results, build, args, time.perf_counter() - started)
    args.output.write_text(text, encoding="utf-8")
    (args.output.with_suffix(".json")).write_text(json.dumps([r.__dict__ for r in results], indent=1, default=str))
    print(text)


if __name__ == "__main__":
    main()

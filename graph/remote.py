"""The store on an existing SPARQL 1.1 server, for graphs that outgrow one machine.

:class:`RemoteStore` implements :class:`graph.store.Store` over the standard protocols: SPARQL 1.1
Query (form POST: Virtuoso hangs on direct POST, virtuoso-opensource#842), SPARQL 1.1 Update and
the Graph Store Protocol (bulk loads: N-Triples bodies, the fastest path Virtuoso offers over
HTTP). Results come back as SPARQL JSON results or N-Triples and are parsed by pyoxigraph, so
callers get the same result objects as from the embedded store.

Settings, resolved argument > environment > default:

================================  ================================  ==============================
argument                          environment                       default
================================  ================================  ==============================
``endpoint`` (query)              (the ``--store`` URL)             required
``update_endpoint``               ``NENKG_REMOTE_UPDATE_ENDPOINT``  Virtuoso: ``/sparql-auth``
                                                                    beside ``/sparql``; else the
                                                                    query endpoint
``graph_store_endpoint``          ``NENKG_REMOTE_GRAPH_STORE``      Virtuoso:
                                                                    ``/sparql-graph-crud-auth``;
                                                                    else the query endpoint
``user``, ``password``            ``NENKG_REMOTE_USER``,            none (digest auth when set)
                                  ``NENKG_REMOTE_PASSWORD``
``timeout`` (seconds)             ``NENKG_REMOTE_TIMEOUT``          300
``sql_address`` (host:port)       ``NENKG_REMOTE_SQL``              none: Graph Store Protocol
``load_dir``                      ``NENKG_REMOTE_LOAD_DIR``         none: Graph Store Protocol
================================  ================================  ==============================

Bulk loads (:meth:`RemoteStore.load_dataset`, what ``nenkg import`` runs) go through the Graph
Store Protocol, the fastest path over HTTP alone. When the server can read a directory this process
writes (the same machine, or a shared mount listed in Virtuoso's ``DirsAllowed``) and its SQL port
is reachable, setting ``sql_address`` and ``load_dir`` switches them to Virtuoso's own bulk loader
(``ld_add`` + parallel ``rdf_loader_run`` through ``isql-vt``), several times faster
(benchmarks/REPORT.md).

The default graph of a query is the union of the named graphs: Virtuoso does this by itself when
a query names no graph (other servers must be configured for it, e.g. Fuseki's
``tdb2:unionDefaultGraph true``). Two differences from the embedded store, both documented in
docs/decisions/0004-remote-store.md: Virtuoso's own system graphs (``virtrdf#``, about 2,500
triples describing its quad maps) are part of that union, so only queries that match any triple
at all (``?s ?p ?o``) see them, and :meth:`RemoteStore.named_graphs` leaves them out; and
``DEFINE input:default-graph-exclude``, Virtuoso's way to hide them, is not used because it gave
wrong answers (``COUNT(*)`` of a named graph returned 1) in Virtuoso 7.2.5.

Writes are atomic per call: :meth:`RemoteStore.replace_graphs` uploads into fresh staging graphs
first and swaps them in with one SPARQL Update request of ``MOVE`` operations, so a failed upload
leaves the previous graphs as they were.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from graph.bulk import dump_graphs, split_lines
from graph.sparql_text import query_form, substitute
from graph.store import FORMAT_BY_SUFFIX, RDF_FORMATS, QueryResult, Store, StoreError, load_quad_file
from graph.virtuoso_server import VirtuosoError, isql

#: Graphs a fresh Virtuoso database holds for itself; never part of the nenkg dataset.
VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)
#: Staging graphs of uploads in progress are named under this prefix.
STAGING_PREFIX = "urn:nenkg:staging:"
#: Triples per Graph Store Protocol request: large enough to amortise a request, small enough
#: that Virtuoso's per-request transaction stays in memory.
CHUNK_TRIPLES = 100_000
DEADLOCK_RETRIES = 8
NTRIPLES = "application/n-triples"
JSON_RESULTS = "application/sparql-results+json"


def _setting(value: Any, variable: str, default: Any = None) -> Any:
    return value if value is not None else os.environ.get(variable, default)


def _sibling(url: str, path_end: str) -> str:
    """The URL beside a Virtuoso ``/sparql`` endpoint that ends with ``path_end``."""
    parts = urlsplit(url)
    base = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{path_end}", "", ""))


def _is_virtuoso_endpoint(url: str) -> bool:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] in ("sparql", "sparql-auth")


class RemoteStore(Store):
    """A :class:`Store` on a SPARQL 1.1 server (tested against OpenLink Virtuoso 7).

    >>> RemoteStore("http://127.0.0.1:8890/sparql", user="dba", password="dba").update_endpoint
    'http://127.0.0.1:8890/sparql-auth'
    """

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None,
                 graph_store_endpoint: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float | None = None,
                 read_only: bool = False, parallel_uploads: int = 4, sql_address: str | None = None,
                 load_dir: str | Path | None = None) -> None:
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise StoreError(f"{endpoint}: a remote store needs an http(s) URL of a SPARQL endpoint")
        self.endpoint = self.location = endpoint
        user = _setting(user, "NENKG_REMOTE_USER")
        password = _setting(password, "NENKG_REMOTE_PASSWORD")
        virtuoso_like = _is_virtuoso_endpoint(endpoint)
        self.update_endpoint: str = _setting(
            update_endpoint, "NENKG_REMOTE_UPDATE_ENDPOINT",
            _sibling(endpoint, "sparql-auth") if virtuoso_like and user else endpoint)
        self.graph_store_endpoint: str = _setting(
            graph_store_endpoint, "NENKG_REMOTE_GRAPH_STORE",
            _sibling(endpoint, "sparql-graph-crud-auth" if user else "sparql-graph-crud")
            if virtuoso_like else endpoint)
        self.timeout = float(_setting(timeout, "NENKG_REMOTE_TIMEOUT", 300))
        self.read_only = read_only
        self.parallel_uploads = max(1, parallel_uploads)
        self._user, self._password = user, password or ""
        self.sql_address: str | None = _setting(sql_address, "NENKG_REMOTE_SQL")
        directory = _setting(load_dir, "NENKG_REMOTE_LOAD_DIR")
        self.load_dir = Path(directory) if directory else None
        auth = httpx.DigestAuth(user, password or "") if user else None
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        self._client = httpx.Client(timeout=self.timeout, limits=limits)
        self._auth_client = httpx.Client(timeout=self.timeout, auth=auth, limits=limits)

    # -- protocol plumbing -------------------------------------------------------------------

    def _request(self, client: httpx.Client, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise StoreError(f"{what} at {url} failed: {error.__class__.__name__}: {error}") from error
        if response.status_code == 401:
            raise StoreError(f"{what} at {url}: the server asks for credentials "
                             "(set NENKG_REMOTE_USER and NENKG_REMOTE_PASSWORD)")
        return response

    def query(self, sparql: str, *, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None) -> QueryResult:
        form = query_form(sparql)
        text = substitute(sparql, substitutions) if substitutions else sparql
        params: dict[str, str | list[str]] = {"query": text}
        if default_graph:
            params["default-graph-uri"] = list(default_graph)
        if named_graphs:
            params["named-graph-uri"] = list(named_graphs)
        accept = NTRIPLES if form in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS
        response = self._request(self._client, "POST", self.endpoint, "SPARQL query", data=params,
                                 headers={"Accept": accept})
        if response.status_code == 400:
            raise SyntaxError(f"the SPARQL server refused the query: {response.text.strip()[:500]}")
        if response.status_code != 200:
            raise StoreError(f"SPARQL query at {self.endpoint}: HTTP {response.status_code}: "
                             f"{response.text.strip()[:500]}")
        if accept == NTRIPLES:
            return _triples_result(response.content)
        return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update request."""
        self._check_writable()
        response = self._request(self._auth_client, "POST", self.update_endpoint, "SPARQL update",
                                 data={"update": sparql})
        if response.status_code == 400:
            raise SyntaxError(f"the SPARQL server refused the update: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise StoreError(f"SPARQL update at {self.update_endpoint}: HTTP {response.status_code}: "
                             f"{response.text.strip()[:500]}")

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only")

    def _upload(self, graph: str, body: bytes, *, replace: bool) -> None:
        for attempt in range(DEADLOCK_RETRIES + 1):
            response = self._request(self._auth_client, "PUT" if replace else "POST", self.graph_store_endpoint,
                                     "Graph Store upload", params={"graph": graph}, content=body,
                                     headers={"Content-Type": NTRIPLES})
            # Parallel uploads can deadlock in Virtuoso (SQL state 40001); the server rolled the
            # request back, so sending it again is safe.
            if response.status_code >= 500 and "40001" in response.text and attempt < DEADLOCK_RETRIES:
                time.sleep(0.05 * (attempt + 1) + random.random() * 0.05)
                continue
            break
        if response.status_code >= 300:
            raise StoreError(f"upload to graph <{graph}> at {self.graph_store_endpoint}: HTTP "
                             f"{response.status_code}: {response.text.strip()[:500]}")

    # -- writes ------------------------------------------------------------------------------

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        return self.replace_graphs({graph: list(triples)})

    def replace_graphs(self, graphs: Mapping[str, list[ox.Triple]]) -> int:
        """Replace the named graphs in ``graphs``: all of them or, on any error, none.

        A graph the server does not hold yet is uploaded in place (dropping it undoes a failure);
        a graph it holds is uploaded into a staging graph and moved over the old one at the end,
        all moves in one update request, so that readers never see it half written."""
        self._check_writable()
        for graph in graphs:
            ox.NamedNode(graph)  # a ValueError for a malformed IRI, before anything is sent
        existing = set(self.graph_sizes())
        run = uuid.uuid4().hex
        target = {graph: f"{STAGING_PREFIX}{run}:{i}" if graph in existing else graph
                  for i, graph in enumerate(graphs)}
        written = [target[graph] for graph, triples in graphs.items() if triples]
        try:
            with ThreadPoolExecutor(self.parallel_uploads) as pool:
                # One task per graph: its first chunk creates it (PUT), the others add to it.
                for future in [pool.submit(self._upload_graph, target[graph], triples)
                               for graph, triples in graphs.items() if triples]:
                    future.result()
            operations = [f"MOVE SILENT GRAPH <{target[graph]}> TO GRAPH <{graph}>" if triples
                          else f"DROP SILENT GRAPH <{graph}>"
                          for graph, triples in graphs.items() if target[graph] != graph or not triples]
            if operations:
                self.update(" ;\n".join(operations))
        except BaseException:
            self._drop_silently(written)
            raise
        return sum(len(triples) for triples in graphs.values())

    def _upload_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        for i, body in enumerate(_chunks(triples)):
            self._upload(graph, body, replace=i == 0)

    def _drop_silently(self, graphs: Iterable[str]) -> None:
        operations = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        if not operations:
            return
        # Staging graphs are named apart; `purge_staging` clears what a failure here leaves.
        with contextlib.suppress(StoreError, SyntaxError):
            self.update(" ;\n".join(operations))

    def purge_staging(self) -> None:
        """Drop staging graphs left by interrupted uploads."""
        self._drop_silently(g for g in self.graph_sizes(include_staging=True) if g.startswith(STAGING_PREFIX))

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> int:
        return self.replace_graph(graph, _read_triples(path, fmt))

    def load_dataset(self, path: Path, fmt: str) -> int:
        """Bulk-load a quad file (N-Quads, TriG) keeping its graph names (as the embedded store),
        through Virtuoso's bulk loader when ``sql_address`` and ``load_dir`` are set."""
        if self.sql_address and self.load_dir:
            return self._bulk_load_dataset(path, fmt)
        graphs: dict[str, list[ox.Triple]] = {}
        try:
            for quad in ox.parse(path=str(path), format=RDF_FORMATS[fmt]):
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    raise StoreError(f"{path}: a triple in the default graph; name a graph with --graph")
                graphs.setdefault(str(quad.graph_name.value), []).append(quad.triple)
        except SyntaxError as error:
            raise StoreError(f"{path}: not valid {fmt}: {error}") from error
        return self.replace_graphs(graphs)

    def _bulk_load_dataset(self, path: Path, fmt: str) -> int:
        """``load_dataset`` through Virtuoso's bulk loader, all or nothing like :meth:`replace_graphs`:
        the file is parsed here first (so a bad file is refused before the server sees it), its
        graphs are written to ``load_dir`` as N-Quads pieces under their final names, or under
        staging names for graphs the server holds, loaded by one ``rdf_loader_run`` per piece in
        parallel, and the staging graphs moved over the old ones in one update."""
        self._check_writable()
        assert self.sql_address and self.load_dir
        parsed = ox.Store()
        load_quad_file(parsed, path, fmt)
        graphs = [g for g in parsed.named_graphs() if isinstance(g, ox.NamedNode)]
        existing = set(self.graph_sizes())
        run = uuid.uuid4().hex
        target = {g.value: f"{STAGING_PREFIX}{run}:{i}" if g.value in existing else g.value
                  for i, g in enumerate(graphs)}
        buffer = io.BytesIO()
        dump_graphs(parsed, graphs, buffer, target)
        pieces, blank_lines = split_lines(buffer.getvalue(), min(self.parallel_uploads, os.cpu_count() or 1))
        files = [self.load_dir / f"nenkg-{run}-{i}.nq" for i in range(len(pieces))]
        # Blank node labels are scoped to one file: every such line in one, loaded on its own.
        blank_file = self.load_dir / f"nenkg-{run}-blank.nq"
        try:
            for file, piece in zip(files, pieces, strict=True):
                file.write_bytes(piece)
            if blank_lines:
                blank_file.write_bytes(b"\n".join(blank_lines) + b"\n")
            self._run_bulk_loader(files, blank_file if blank_lines else None, run)
            moves = [f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>"
                     for graph, staging in target.items() if staging != graph]
            if moves:
                self.update(" ;\n".join(moves))
        except BaseException:
            self._drop_silently(target.values())
            raise
        finally:
            for file in [*files, blank_file]:
                file.unlink(missing_ok=True)
        return len(parsed)

    def _run_bulk_loader(self, files: list[Path], blank_file: Path | None, run: str) -> None:
        """Load ``files`` with one Virtuoso loader each in parallel, then ``blank_file`` alone, and
        check the load list.

        Parallel loaders can deadlock (SQL state 40001); Virtuoso's loader commits as it goes, so
        a deadlocked file is partly loaded, and loading it again is harmless because a quad
        without blank nodes is stored once. A file with blank nodes would get them twice: it is
        loaded by a single loader, which meets no deadlock."""
        assert self.sql_address

        def sql(statements: str) -> str:
            try:
                return isql(self.sql_address or "", self._user or "", self._password, statements, self.timeout)
            except VirtuosoError as error:
                raise StoreError(f"Virtuoso bulk load at {self.sql_address}: {error}") from error

        mine = f"ll_file LIKE '%nenkg-{run}-%'"
        deadlocked = f"{mine} AND ll_error LIKE '40001%'"
        try:
            sql("".join(f"ld_add('{file}', 'urn:nenkg:no-default-graph');\n" for file in files))
            with ThreadPoolExecutor(len(files)) as pool:
                for future in [pool.submit(sql, "rdf_loader_run();") for _ in files]:
                    future.result()
            for _ in range(DEADLOCK_RETRIES):
                if run not in sql(f"SELECT ll_file FROM DB.DBA.LOAD_LIST WHERE {deadlocked};"):
                    break
                sql(f"UPDATE DB.DBA.LOAD_LIST SET ll_state = 0, ll_error = NULL WHERE {deadlocked};\n"
                    "rdf_loader_run();")
            if blank_file is not None:
                sql(f"ld_add('{blank_file}', 'urn:nenkg:no-default-graph');\nrdf_loader_run();")
            sql("checkpoint;")
            failed = sql(f"SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE {mine} AND ll_error IS NOT NULL;")
            if run in failed:
                raise StoreError(f"Virtuoso's bulk loader refused a file: {failed.strip()[:1000]}")
        finally:
            sql(f"DELETE FROM DB.DBA.LOAD_LIST WHERE {mine};")

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{ox.NamedNode(graph).value}>")

    # -- reads -------------------------------------------------------------------------------

    def graph_sizes(self, *, include_staging: bool = False) -> dict[str, int]:
        """The number of triples of every named graph, in one query. (``SELECT DISTINCT ?g`` over
        ``GRAPH ?g`` takes minutes on Virtuoso 7.2 at a million triples; ``GROUP BY ?g`` does not.)"""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)
        sizes = {str(row["g"].value): int(row["n"].value) for row in rows}
        return {g: size for g, size in sizes.items() if g not in VIRTUOSO_SYSTEM_GRAPHS
                and (include_staging or not g.startswith(STAGING_PREFIX))}

    def named_graphs(self) -> list[str]:
        return sorted(self.graph_sizes())

    def graph_size(self, graph: str) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                          substitutions={"g": ox.NamedNode(graph)})
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    def total_size(self) -> int:
        return sum(self.graph_sizes().values())

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """All triples of one named graph (Graph Store Protocol GET)."""
        response = self._request(self._auth_client, "GET", self.graph_store_endpoint, "Graph Store read",
                                 params={"graph": graph}, headers={"Accept": NTRIPLES})
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise StoreError(f"reading graph <{graph}> at {self.graph_store_endpoint}: HTTP "
                             f"{response.status_code}: {response.text.strip()[:300]}")
        return [quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]

    def quads(self) -> Iterator[ox.Quad]:
        for graph in self.named_graphs():
            node = ox.NamedNode(graph)
            for triple in self.graph_triples(graph):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, node)

    def dump(self, path: Path, fmt: str, graph: str | None = None) -> None:
        rdf_format = RDF_FORMATS[fmt]
        if graph is None and not rdf_format.supports_datasets:
            raise StoreError(f"{fmt} holds one graph only: choose nquads or trig for the dataset, or name a graph")
        with open(path, "wb") as output:
            if graph is None:
                ox.serialize(self.quads(), output, rdf_format)
            else:
                ox.serialize(self.graph_triples(graph), output, rdf_format)

    def close(self) -> None:
        self._client.close()
        self._auth_client.close()


def _read_triples(path: Path, fmt: str | None) -> list[ox.Triple]:
    fmt = fmt or FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt not in RDF_FORMATS:
        raise StoreError(f"{path}: unknown RDF format (use one of {', '.join(RDF_FORMATS)})")
    try:
        return [quad.triple for quad in ox.parse(path=str(path), format=RDF_FORMATS[fmt])]
    except SyntaxError as error:
        raise StoreError(f"{path}: not valid {fmt}: {error}") from error
    except OSError as error:
        raise StoreError(f"{path}: cannot read: {error}") from error


def _chunks(triples: list[ox.Triple], size: int | None = None) -> Iterator[bytes]:
    """N-Triples bodies of at most about ``size`` triples. Blank node labels are scoped to one
    request by the server, so every triple that shares a blank node goes in the same body."""
    size = size or CHUNK_TRIPLES
    plain = [t for t in triples if not _has_blank(t)]
    for start in range(0, len(plain), size):
        yield ox.serialize(plain[start:start + size], format=ox.RdfFormat.N_TRIPLES) or b""
    groups = _blank_components([t for t in triples if _has_blank(t)])
    batch: list[ox.Triple] = []
    for group in groups:
        batch.extend(group)
        if len(batch) >= size:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _blank_components(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Triples grouped by the connected components of their blank nodes (union-find)."""
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for triple in triples:
        labels = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if len(labels) == 2:
            parent[find(labels[0])] = find(labels[1])
    groups: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        label = next(t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode))
        groups.setdefault(find(label), []).append(triple)
    return list(groups.values())


def _triples_result(body: bytes) -> ox.QueryTriples:
    """CONSTRUCT/DESCRIBE results as pyoxigraph's ``QueryTriples``, like the embedded store's."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in
                      (q.triple for q in ox.parse(io.BytesIO(body), format=ox.RdfFormat.N_TRIPLES)))
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result

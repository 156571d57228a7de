"""Where the graph lives: a store interface and its embedded Oxigraph implementation on disk.

Every reader of the graph (queries, API, views) goes through :class:`Store`. The embedded store is
the default; :func:`open_store` picks a remote SPARQL server instead when given an ``http(s)://``
location (see :mod:`graph.remote`).

Queries see the union of all named graphs as their default graph, so that a plain ``SELECT``
finds facts from every document, the ontology and the inferred triples.

>>> import tempfile, pyoxigraph as ox
>>> with tempfile.TemporaryDirectory() as d:
...     store = OxigraphStore(d)
...     store.replace_graph("https://w3id.org/nenkg/id/graph/demo",
...                         [ox.Triple(ox.NamedNode("https://e.org/s"), ox.NamedNode("https://e.org/p"),
...                                    ox.Literal("o"))])
...     [str(row["o"].value) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
['o']
"""

from __future__ import annotations

import io
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: Media types of the RDF formats the store reads and writes.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig", ".rdf": "rdfxml",
    ".owl": "rdfxml", ".xml": "rdfxml", ".jsonld": "jsonld", ".json": "jsonld",
}


class StoreError(Exception):
    """A store operation failed; the message says what and where."""


class Store(ABC):
    """The graph store: named graphs of triples, SPARQL queries, bulk loading and dumps."""

    location: str

    @abstractmethod
    def query(self, sparql: str, *, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None) -> QueryResult:
        """Evaluate a SPARQL query. The default graph is the union of all graphs unless
        ``default_graph`` names graphs. ``substitutions`` binds variables (by name, no ``?``) to terms.
        Raises ``SyntaxError`` for a malformed query."""

    @abstractmethod
    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        """Replace the content of named graph ``graph`` with ``triples`` atomically; return the count."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[str, list[ox.Triple]]) -> int:
        """Replace several named graphs in one atomic step; return the number of triples written."""

    @abstractmethod
    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> int:
        """Bulk-load an RDF file into named graph ``graph`` (replacing it); return the triple count."""

    @abstractmethod
    def load_dataset(self, path: Path, fmt: str) -> int:
        """Bulk-load a quad file (N-Quads, TriG) keeping its graph names, replacing those graphs."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    @abstractmethod
    def graph_size(self, graph: str) -> int:
        """The number of triples in a named graph."""

    @abstractmethod
    def dump(self, path: Path, fmt: str, graph: str | None = None) -> None:
        """Write the dataset (or one graph) to ``path`` in ``fmt`` (a key of RDF_FORMATS)."""

    @abstractmethod
    def remove_graph(self, graph: str) -> None:
        """Drop a named graph."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def total_size(self) -> int:
        return sum(self.graph_size(g) for g in self.named_graphs())


def _substitutions(values: Mapping[str, Any] | None) -> dict[ox.Variable, Any] | None:
    return {ox.Variable(k): v for k, v in values.items()} if values else None


class OxigraphStore(Store):
    """The embedded store: a pyoxigraph ``Store`` in a directory on disk.

    ``read_only=True`` opens an existing store without write access (the server does this).
    """

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        try:
            if read_only:
                if not self.path.exists():
                    raise StoreError(f"no store at {self.path}: run `nenkg build` first")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as error:
            raise StoreError(f"cannot open the store at {self.path}: {error}") from error
        self.read_only = read_only

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for the few hot paths that need it directly."""
        return self._store

    def query(self, sparql: str, *, substitutions: Mapping[str, Any] | None = None,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None) -> QueryResult:
        kwargs: dict[str, Any] = {"substitutions": _substitutions(substitutions)}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> int:
        return self.replace_graphs({graph: list(triples)})

    def replace_graphs(self, graphs: Mapping[str, list[ox.Triple]]) -> int:
        quads: list[ox.Quad] = []
        for graph, triples in graphs.items():
            node = ox.NamedNode(graph)
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
        # One SPARQL update clears the graphs and `extend` adds the quads; we need both in one
        # transaction, which pyoxigraph gives to `extend` only, so remove first by quads.
        old = [q for graph in graphs for q in self._store.quads_for_pattern(None, None, None,
                                                                            ox.NamedNode(graph))]
        try:
            for quad in old:
                self._store.remove(quad)
            self._store.extend(quads)
        except Exception:
            # Put back what was there: the store must stay as it was.
            for graph in graphs:
                self._store.clear_graph(ox.NamedNode(graph))
            self._store.extend(old)
            raise
        self._store.flush()
        return len(quads)

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> int:
        fmt = fmt or FORMAT_BY_SUFFIX.get(path.suffix.lower())
        if fmt not in RDF_FORMATS:
            raise StoreError(f"{path}: unknown RDF format (use one of {', '.join(RDF_FORMATS)})")
        try:
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(path=str(path), format=RDF_FORMATS[fmt])]
        except SyntaxError as error:
            raise StoreError(f"{path}: not valid {fmt}: {error}") from error
        except OSError as error:
            raise StoreError(f"{path}: cannot read: {error}") from error
        return self.replace_graph(graph, triples)

    def load_dataset(self, path: Path, fmt: str) -> int:
        """Bulk-load a quad file (N-Quads, TriG) keeping its graph names; triples in its default
        graph are refused. Returns the quad count. Used by ``import`` of a full export.

        The file is parsed into a scratch in-memory store first, so bad input leaves this store as
        it was; its graphs then replace ours through Oxigraph's bulk loader, several times faster
        than building Python objects for a transaction (see benchmarks/REPORT.md)."""
        scratch = ox.Store()
        try:
            scratch.bulk_load(path=str(path), format=RDF_FORMATS[fmt])
        except SyntaxError as error:
            raise StoreError(f"{path}: not valid {fmt}: {error}") from error
        except OSError as error:
            raise StoreError(f"{path}: cannot read: {error}") from error
        if next(iter(scratch.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            raise StoreError(f"{path}: a triple in the default graph; name a graph with --graph")
        data = io.BytesIO()
        scratch.dump(data, ox.RdfFormat.N_QUADS)
        for graph in scratch.named_graphs():
            self._store.clear_graph(graph)
        self._store.bulk_load(data.getvalue(), ox.RdfFormat.N_QUADS)
        self._store.flush()
        return len(scratch)

    def named_graphs(self) -> list[str]:
        return sorted(str(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_size(self, graph: str) -> int:
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, path: Path, fmt: str, graph: str | None = None) -> None:
        rdf_format = RDF_FORMATS[fmt]
        with open(path, "wb") as output:
            if graph is None:
                if not rdf_format.supports_datasets:
                    raise StoreError(f"{fmt} holds one graph only: choose nquads or trig for the dataset, "
                                     "or name a graph")
                self._store.dump(output, rdf_format)
            else:
                self._store.dump(output, rdf_format, from_graph=ox.NamedNode(graph))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, None))

    def remove_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store


def swap_in(new_path: Path, target: Path) -> None:
    """Replace the store directory ``target`` by ``new_path`` (a completed build) atomically enough:
    the old store is renamed aside first and removed only after the new one is in place."""
    target = target.resolve()
    backup = target.with_name(target.name + ".old")
    if backup.exists():
        shutil.rmtree(backup)
    if target.exists():
        target.rename(backup)
    try:
        new_path.rename(target)
    except OSError:
        if backup.exists():
            backup.rename(target)
        raise
    if backup.exists():
        shutil.rmtree(backup)


def default_location() -> str:
    """Where the store lives when neither ``--store`` nor ``NENKG_STORE`` says: the user's data folder."""
    import platformdirs

    return str(Path(platformdirs.user_data_dir("nenkg")) / "store")


def resolve_location(location: str | None = None) -> str:
    """Argument, then the ``NENKG_STORE`` environment variable, then the default."""
    return location or os.environ.get("NENKG_STORE") or default_location()


def open_store(location: str | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``location``: a SPARQL server for an ``http(s)://`` URL (see
    :mod:`graph.remote`), else an embedded Oxigraph store in that folder."""
    resolved = resolve_location(location)
    if resolved.startswith(("http://", "https://")):
        from graph.remote import RemoteStore

        return RemoteStore(resolved, read_only=read_only)
    return OxigraphStore(resolved, read_only=read_only)


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))

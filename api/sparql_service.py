"""The query manager behind every reader of the graph in the API: guard, dataset, workers.

Routers call :meth:`SparqlService.execute` (any query, serialised in a chosen format) or
:meth:`SparqlService.select` (rows as SPARQL JSON terms). Both block; call them from a thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from api.settings import Settings
from api.sparql_guard import CheckedQuery, QueryGuard, QueryRefused
from api.sparql_worker import QueryJob, QueryOutcome, WorkerPool
from graph.store import Store
from ontology import DATA_NS, NS

#: Prefixes written in Turtle results, so that people can read them.
PREFIXES: dict[str, str] = {
    "nenkg": NS, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "oa": "http://www.w3.org/ns/oa#", "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
}
LOCAL_GRAPH_PREFIX = DATA_NS + "graph/"


class QueryFailed(Exception):
    """The engine rejected or could not evaluate the query (HTTP 400)."""


class SparqlService:
    """Checks queries, resolves their dataset against the store's graphs and runs them in workers."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.guard = QueryGuard(settings.max_depth, settings.max_operators, settings.max_query_chars)
        self.pool = WorkerPool(store.location, size=settings.workers, timeout=settings.query_timeout,
                               memory_mb=settings.worker_memory_mb)
        self._graphs: list[str] | None = None

    def graphs(self) -> list[str]:
        """The store's named graphs (read once: the server's store is read-only)."""
        if self._graphs is None:
            self._graphs = self.store.named_graphs()
        return self._graphs

    def check(self, text: str) -> CheckedQuery:
        """Apply the guard; raise QueryRefused."""
        return self.guard.check(text)

    def dataset(self, checked: CheckedQuery, default_graph_uri: list[str],
                named_graph_uri: list[str]) -> tuple[list[str] | None, list[str] | None]:
        """The dataset of a query: the protocol parameters override FROM / FROM NAMED; without
        either, the default graph is the union of all graphs and every named graph is available.
        Graphs that are not local are refused: nenkg never fetches a graph."""
        if default_graph_uri or named_graph_uri:
            default, named = default_graph_uri, named_graph_uri
        elif checked.from_graphs or checked.from_named:
            default, named = checked.from_graphs, checked.from_named
        else:
            return None, None
        known = set(self.graphs())
        for iri in (*default, *named):
            if iri not in known and not iri.startswith(LOCAL_GRAPH_PREFIX):
                raise QueryRefused(f"<{iri}> is not a graph of this store; nenkg never fetches remote "
                                   "graphs (see /sparql for the graph names)", 403)
        return default, named

    def execute(self, checked: CheckedQuery, fmt: str, *, default_graph: list[str] | None = None,
                named_graphs: list[str] | None = None,
                substitutions: Mapping[str, Any] | None = None) -> QueryOutcome:
        """Run a checked query; raise QueryFailed, QueryTimeout, WorkersBusy or WorkerFailed."""
        job = QueryJob(checked.text, fmt, self.settings.max_results, substitutions=substitutions,
                       default_graph=default_graph, named_graphs=named_graphs, prefixes=PREFIXES)
        return self._checked_outcome(self.pool.run(job))

    async def execute_async(self, checked: CheckedQuery, fmt: str, *, default_graph: list[str] | None = None,
                            named_graphs: list[str] | None = None) -> QueryOutcome:
        """:meth:`execute` for the event loop (no thread waits on the worker)."""
        job = QueryJob(checked.text, fmt, self.settings.max_results, default_graph=default_graph,
                       named_graphs=named_graphs, prefixes=PREFIXES)
        return self._checked_outcome(await self.pool.run_async(job))

    @staticmethod
    def _checked_outcome(outcome: QueryOutcome) -> QueryOutcome:
        if outcome.error == "syntax":
            raise QueryFailed(f"SPARQL syntax error: {outcome.message}")
        if outcome.error:
            raise QueryFailed(f"the query could not be evaluated: {outcome.message}")
        return outcome

    def select(self, sparql: str, substitutions: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts of SPARQL JSON terms (``{"type": ..., "value": ...}``)."""
        checked = self.check(sparql)
        outcome = self.execute(checked, "json", substitutions=substitutions)
        rows: list[dict[str, Any]] = json.loads(outcome.body)["results"]["bindings"]
        return rows

    def close(self) -> None:
        self.pool.close()

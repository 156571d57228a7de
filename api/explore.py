"""Visual network exploration: the ``/explore`` page, its JSON API and the graph analytics.

- ``GET /explore?focus=IRI&depth=N&kinds=a,b``: the page (vis-network, served from this server).
- ``GET /explore/graph.json``: a view as vis-network data (whole graph, or the ego network of
  ``focus``), ``413`` with a message when it would pass the node limit.
- ``GET /explore/neighbours?iri=``: a node and its neighbours (expanding a node on click).
- ``GET /explore/entity?iri=``: properties, external links and evidence quotes of one entity.
- ``GET /explore/search?q=``: entities by label.
- ``GET /paths?from=&to=``: shortest paths between two entities.
- ``GET /explore/rank``, ``GET /explore/components``: centrality ranking, components, communities.
- ``GET /static/vis/<file>``: the vendored vis-network and the explorer's own script and styles.

The projection is built once per store, on first use, and kept on the app (the server's store is
read-only).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.explore_page import ASSETS, SERVER_CSP, STATIC_VIS, server_page
from graph import projection, render
from graph.store import Store
from ontology import DATA_NS, NS

router = APIRouter(tags=["explore"])

MAX_DEPTH = 6


class ProjectionCache:
    """The projection of one store, built on first use (thread-safe)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._graph: nx.MultiDiGraph | None = None
        self._lock = threading.Lock()
        self._memo: dict[tuple[Any, ...], Any] = {}

    @property
    def graph(self) -> nx.MultiDiGraph:
        with self._lock:
            if self._graph is None:
                self._graph = projection.project(self.store)
            return self._graph

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key`` (rankings and communities take seconds on a big graph)."""
        if key not in self._memo:
            value = compute()
            with self._lock:
                self._memo[key] = value
        return self._memo[key]


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_projection(request: Request) -> ProjectionCache:
    """The app's projection cache, made on first use."""
    state = request.app.state
    cache = getattr(state, "explore_projection", None)
    if cache is None or cache.store is not state.store:
        cache = ProjectionCache(state.store)
        state.explore_projection = cache
    return cache


Projection = Annotated[ProjectionCache, Depends(get_projection)]
StoreDep = Annotated[Store, Depends(get_store)]


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": message, **extra}, status_code=status)


def _kinds(kinds: str | None) -> list[str]:
    return [k for k in (kinds or "").split(",") if k.strip()]


def _view(graph: nx.MultiDiGraph, view: nx.MultiDiGraph, focus: str | None) -> JSONResponse:
    try:
        # The limit is read at call time so that a deployment (or a test) can change it.
        return JSONResponse(render.vis_data(view, full=graph, focus=focus, max_nodes=render.MAX_NODES))
    except render.ViewTooLargeError as error:
        return _error(413, str(error), nodes=error.nodes, limit=error.limit)


@router.get("/explore", response_class=HTMLResponse, summary="Explore the graph as a network")
def explore_page(focus: str | None = None, depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 2,
                 kinds: str | None = None) -> HTMLResponse:
    """The explorer page. It fetches its data from ``/explore/graph.json`` with the same parameters."""
    page = server_page({"api": "/explore", "focus": focus, "depth": depth, "kinds": _kinds(kinds),
                        "legend": render.legend(), "maxNodes": render.MAX_NODES})
    return HTMLResponse(page, headers={"Content-Security-Policy": SERVER_CSP, "Cache-Control": "no-store"})


@router.get("/explore/graph.json", summary="A view of the network as vis-network data")
def graph_json(cache: Projection, focus: str | None = None,
               depth: Annotated[int, Query(ge=0, le=MAX_DEPTH)] = 2, kinds: str | None = None) -> Response:
    """The whole network (filtered by ``kinds``), or the ego network of ``focus`` to ``depth`` steps."""
    graph = cache.graph
    try:
        view = projection.ego(graph, focus, depth) if focus else graph
        view = projection.filter_kinds(view, _kinds(kinds))
    except projection.UnknownEntityError as error:
        return _error(404, str(error))
    except ValueError as error:
        return _error(400, str(error))
    return _view(graph, view, focus)


@router.get("/explore/neighbours", summary="A node with its direct neighbours")
def neighbours(cache: Projection, iri: str) -> Response:
    graph = cache.graph
    try:
        return _view(graph, projection.neighbours(graph, iri), iri)
    except projection.UnknownEntityError as error:
        return _error(404, str(error))


def entity_page(iri: str) -> str:
    """The path of the page of ``iri`` on this server (see :mod:`api.entities`).

    >>> entity_page("https://w3id.org/nenkg/id/study/nct03980925"), entity_page(NS + "Nivolumab")
    ('/id/study/nct03980925', '/ontology/Nivolumab')
    """
    if iri.startswith(DATA_NS):
        return "/id/" + iri[len(DATA_NS):]
    if iri.startswith(NS):
        return "/ontology/" + iri[len(NS):]
    return "/entity?" + urlencode({"iri": iri})


@router.get("/explore/entity", summary="Properties, links and evidence of one entity")
def entity(store: StoreDep, iri: str) -> Response:
    try:
        return JSONResponse({**projection.entity_details(store, iri), "page": entity_page(iri)})
    except projection.UnknownEntityError as error:
        return _error(404, str(error))
    except ValueError as error:  # not an IRI
        return _error(400, f"not an IRI: {iri!r} ({error})")


@router.get("/explore/search", summary="Entities whose label contains a text")
def search(cache: Projection, q: str, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Response:
    return JSONResponse({"query": q, "results": projection.search(cache.graph, q, limit=limit)})


@router.get("/paths", summary="Shortest paths between two entities")
def paths(cache: Projection, source: Annotated[str, Query(alias="from")],
          target: Annotated[str, Query(alias="to")], limit: Annotated[int, Query(ge=1, le=50)] = 5) -> Response:
    """Shortest paths (edges followed either way), each as a list of ``{iri, label, kind}``, with the
    edges along them and the nodes of all paths as vis-network data (``graph``)."""
    graph = cache.graph
    try:
        found = projection.shortest_paths(graph, source, target, limit=limit)
    except projection.UnknownEntityError as error:
        return _error(404, str(error))
    steps = [[{"iri": n, "label": graph.nodes[n]["label"], "kind": graph.nodes[n]["kind"]} for n in path]
             for path in found]
    on_paths = {n for path in found for n in path}
    return JSONResponse({
        "from": source, "to": target, "length": len(found[0]) - 1 if found else None,
        "paths": steps,
        "edges": [projection.path_edges(graph, path) for path in found],
        "graph": render.vis_data(graph.subgraph(on_paths), full=graph),
    })


@router.get("/explore/rank", summary="The most central entities")
def rank(cache: Projection, measure: str = "degree", kinds: str | None = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 20) -> Response:
    try:
        graph = cache.graph
        results = cache.memo(("rank", measure, tuple(sorted(_kinds(kinds))), limit),
                             lambda: projection.rank(graph, measure, kinds=_kinds(kinds), limit=limit))
    except ValueError as error:
        return _error(400, str(error))
    return JSONResponse({"measure": measure, "results": results})


@router.get("/explore/components", summary="Connected components and communities")
def components(cache: Projection, top: Annotated[int, Query(ge=1, le=50)] = 5) -> Response:
    graph = cache.graph
    return JSONResponse(cache.memo(("components", top), lambda: {
        "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
        "components": projection.components(graph, top=top),
        "communities": projection.communities(graph, top=top)}))


@router.get("/static/vis/{name}", include_in_schema=False)
def static_vis(name: str) -> Response:
    """The vendored vis-network files and the explorer's script and styles (an allow-list)."""
    if name not in ASSETS:
        return _error(404, f"no static file {name!r}")
    return Response((STATIC_VIS / name).read_bytes(), media_type=ASSETS[name],
                    headers={"Cache-Control": "public, max-age=3600"})

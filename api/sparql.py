"""``/sparql``: the SPARQL 1.1 Protocol for queries (GET, POST form, POST direct), read-only.

Default-graph semantics: without ``FROM`` or ``default-graph-uri`` the default graph is the UNION
of all named graphs of the store (documents, ontology, inferred triples, mappings); every named
graph is available to ``GRAPH``. ``default-graph-uri`` / ``named-graph-uri`` (or ``FROM`` /
``FROM NAMED``) name local graphs only and, as the protocol says, the parameters override the
query's own dataset clauses. The service description (a bare ``GET /sparql``) lists the graphs.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Receive, Scope, Send

from api.sparql_conneg import (
    FORMAT_ALIASES,
    GRAPH_TYPES,
    SAME_FORMAT,
    SOLUTION_TYPES,
    all_types,
    media_type,
    negotiate,
)
from api.sparql_guard import QueryRefused
from api.sparql_middleware import with_security_headers
from api.sparql_service import PREFIXES, QueryFailed, SparqlService
from api.sparql_worker import GRAPH_FORMATS, QueryTimeout, WorkerFailed, WorkersBusy

router = APIRouter(tags=["sparql"])

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
READ_ONLY = "updates are not accepted: this endpoint is read-only"


def get_sparql(request: Request) -> SparqlService:
    """The app's query manager (a dependency)."""
    service: SparqlService = request.app.state.sparql
    return service


Sparql = Annotated[SparqlService, Depends(get_sparql)]

#: The protocol's parameters, documented in the OpenAPI description (the handlers read them
#: themselves, strictly as UTF-8, and count repeated ``query`` parameters).
_DATASET_PARAMS = [
    {"name": "default-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {
        "type": "string"}}, "description": "A local graph for the default graph (overrides FROM)."},
    {"name": "named-graph-uri", "in": "query", "required": False, "schema": {"type": "array", "items": {
        "type": "string"}}, "description": "A local graph available to GRAPH (overrides FROM NAMED)."},
    {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Result format instead of the Accept header: json, xml, csv, tsv, turtle, ntriples, "
                    "jsonld, rdfxml."},
]
GET_DOC = {"parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                           "description": "A SPARQL 1.1 query; without it, the service description."},
                          *_DATASET_PARAMS]}
POST_DOC = {"parameters": _DATASET_PARAMS, "requestBody": {"required": True, "content": {
    FORM_TYPE: {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}}}, "required": ["query"]}},
    QUERY_TYPE: {"schema": {"type": "string"}}}}}


class ProtocolError(Exception):
    """A request that breaks the protocol; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def error(message: str, status: int = 400, headers: dict[str, str] | None = None) -> PlainTextResponse:
    """A plain-text error: never HTML, so a query echoed in a message cannot become markup."""
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


@router.head("/sparql", include_in_schema=False)
@router.get("/sparql", summary="SPARQL query by GET, or the service description without a query",
            responses={200: {"content": {t: {} for types in (*SOLUTION_TYPES.values(), *GRAPH_TYPES.values())
                                         for t in types}}},
            openapi_extra=GET_DOC)
async def sparql_get(request: Request) -> Response:
    # The service is read from the app state rather than through a dependency: this is the hot
    # path, and FastAPI's dependency solving costs more than the rest of the route.
    service = get_sparql(request)
    try:
        params = query_parameters(request)
    except UnicodeDecodeError:
        return error("the query string is not valid UTF-8 (only UTF-8 is accepted)")
    if not any(name in ("query", "update") for name, _ in params):
        return await run_in_threadpool(_service_description, request, service)
    return await _answer(request.headers.get("accept"), service, params, None)


@router.post("/sparql", summary="SPARQL query by POST (form or application/sparql-query)",
             openapi_extra=POST_DOC)
async def sparql_post(request: Request) -> Response:
    body = await request.body()
    return await _post(request, get_sparql(request), body)


async def _post(request: Request, service: SparqlService, body: bytes) -> Response:
    content_type = request.headers.get("content-type", "")
    media, *params = (p.strip() for p in content_type.split(";"))
    media = media.lower()
    try:
        url_params = query_parameters(request)
        _check_charset(params)
        if media == FORM_TYPE:
            form = parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
            return await _answer(request.headers.get("accept"), service, url_params + form, None)
        if media == QUERY_TYPE:
            return await _answer(request.headers.get("accept"), service, url_params, body.decode("utf-8"))
        if media == UPDATE_TYPE:
            return error(READ_ONLY, 403)
    except UnicodeDecodeError:
        return error("the request is not valid UTF-8 (only UTF-8 is accepted)")
    except ProtocolError as problem:
        return error(str(problem), problem.status)
    if not media:
        return error(f"a POST needs a Content-Type: {FORM_TYPE} or {QUERY_TYPE}")
    return error(f"unsupported Content-Type {media!r}: use {FORM_TYPE} or {QUERY_TYPE}", 415)


def query_parameters(request: Request) -> list[tuple[str, str]]:
    """The URL's parameters, decoded as UTF-8 strictly (Starlette would replace bad bytes silently);
    raises UnicodeDecodeError."""
    raw = request.scope.get("query_string", b"").decode("utf-8")
    return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")


def _check_charset(params: list[str]) -> None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise ProtocolError(f"charset {value.strip()!r} is not accepted: send UTF-8", 415)


#: Query texts longer than this are checked by the guard in a thread, not in the event loop.
LONG_QUERY = 4_000


async def _answer(accept: str | None, service: SparqlService, params: list[tuple[str, str]],
                  direct: str | None) -> Response:
    """Run the query found in ``params`` (or the direct body) and negotiate its format.

    Runs in the event loop: the checks are cheap (a long query text is checked in a thread) and
    the loop itself waits for the worker's answer (:meth:`SparqlService.execute_async`)."""
    queries = [v for k, v in params if k == "query"]
    if any(k == "update" for k, _ in params):
        return error(READ_ONLY, 403)
    if direct is not None:
        queries.append(direct)
    if len(queries) != 1:
        return error(f"exactly one query is needed, got {len(queries)}")
    default_graphs = [v for k, v in params if k == "default-graph-uri"]
    named_graphs = [v for k, v in params if k == "named-graph-uri"]
    requested = next((v for k, v in params if k in ("format", "output")), None)
    try:
        text = queries[0]
        checked = (service.check(text) if len(text) <= LONG_QUERY
                   else await run_in_threadpool(service.check, text))
        offers = SOLUTION_TYPES if checked.form in ("SELECT", "ASK") else GRAPH_TYPES
        fmt = choose_format(requested, accept, offers)
        if fmt is None:
            return error(f"none of the accepted media types can be produced; offered: {all_types(offers)}",
                         406)
        if default_graphs or named_graphs or checked.from_graphs or checked.from_named:
            # Checking the graphs may ask a remote store for its graph names: not in the loop.
            default, named = await run_in_threadpool(service.dataset, checked, default_graphs, named_graphs)
        else:
            default, named = None, None  # the union default graph, every named graph
        outcome = await service.execute_async(checked, fmt, default_graph=default, named_graphs=named)
    except (QueryRefused, ProtocolError) as refused:
        return error(str(refused), refused.status)
    except QueryFailed as failed:
        return error(str(failed))
    except QueryTimeout as timeout:
        return error(str(timeout), 503, {"Retry-After": "5"})
    except WorkersBusy as busy:
        return error(str(busy), 503, {"Retry-After": "5"})
    except WorkerFailed as failed:
        return error(str(failed))
    headers = {"Vary": "Accept", "X-Result-Count": str(outcome.count)}
    if outcome.truncated:
        cap = service.settings.max_results
        headers["X-Result-Truncated"] = "true"
        headers["X-Result-Cap"] = str(cap)
        headers["Warning"] = f'199 nenkg "result truncated at {cap} rows: add LIMIT and OFFSET to page"'
    return Response(outcome.body, media_type=media_type(fmt, offers), headers=headers)


class SparqlGetFastPath:
    """ASGI middleware answering ``GET /sparql?query=...`` itself, without the framework's
    routing, dependency solving and middleware wrappers: for a point lookup they cost more than
    the query (see benchmarks/REPORT.md). The answer is the route's own (:func:`_answer`) with the
    headers the middleware would add: the security headers and CORS's ``Vary: Origin``.

    Everything else goes to the app unchanged: other paths and methods, the service description,
    a query string that is not UTF-8, a request with a body (BodyLimit judges it) or with an
    ``Origin`` (CORS answers it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        accept = None
        for name, value in scope["headers"]:
            if name in _NOT_FAST:
                await self.app(scope, receive, send)
                return
            if name == b"accept" and accept is None:
                accept = value.decode("latin-1")
        try:
            params = parse_qsl(scope["query_string"].decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                               errors="strict")
        except UnicodeDecodeError:
            await self.app(scope, receive, send)
            return
        if not any(name in ("query", "update") for name, _ in params):
            await self.app(scope, receive, send)
            return
        response = await _answer(accept, scope["app"].state.sparql, params, None)
        headers = MutableHeaders(raw=list(response.raw_headers))
        headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])  # as CORSMiddleware does
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": with_security_headers(headers.raw)})
        await send({"type": "http.response.body", "body": response.body})


#: Request headers that send a GET /sparql through the whole app (see SparqlGetFastPath).
_NOT_FAST = frozenset({b"origin", b"content-length", b"transfer-encoding"})


def choose_format(requested: str | None, accept: str | None, offers: dict[str, list[str]]) -> str | None:
    """The format named by a ``format``/``output`` parameter (a short name such as ``csv`` or
    ``rdf+xml``, or a media type), else the one negotiated from ``accept``. Clients such as
    SPARQLWrapper send both; a parameter we do not know falls back to the Accept header."""
    if requested:
        name = FORMAT_ALIASES.get(requested.strip().lower())
        if name not in offers:
            name = SAME_FORMAT.get(name or "")
        if name in offers:
            return name
        if "/" in requested:
            by_type = negotiate(requested, offers)
            if by_type:
                return by_type
    return negotiate(accept, offers)


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint, as triples."""
    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    rdf_type = iri(PREFIXES["rdf"] + "type")
    service, dataset, default = iri(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, rdf_type, iri(SD + "Service")),
        ox.Triple(service, iri(SD + "endpoint"), service),
        ox.Triple(service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        ox.Triple(service, iri(PREFIXES["rdfs"] + "comment"), ox.Literal(
            "Read-only. The default graph is the union of all named graphs. SERVICE, LOAD and remote "
            "FROM graphs are refused: the endpoint never fetches remote data. Queries have a time "
            "limit and a result cap (see the X-Result-Truncated header).")),
        ox.Triple(service, iri(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, iri(SD + "Dataset")),
        ox.Triple(dataset, iri(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, iri(SD + "Graph")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, iri(SD + "resultFormat"), iri(FORMATS + name)))
    for number, graph in enumerate(graphs):
        node = ox.BlankNode(f"g{number}")
        triples += [ox.Triple(dataset, iri(SD + "namedGraph"), node),
                    ox.Triple(node, rdf_type, iri(SD + "NamedGraph")),
                    ox.Triple(node, iri(SD + "name"), iri(graph))]
    return triples


def _service_description(request: Request, service: SparqlService) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPH_TYPES)
    if fmt is None:
        return error(f"the service description is offered as {all_types(GRAPH_TYPES)}", 406)
    endpoint = str(request.url.replace(query=""))
    triples = service_description(endpoint, service.graphs())
    prefixes: dict[str, Any] | None = {"sd": SD, "formats": FORMATS, **PREFIXES} if fmt == "turtle" else None
    body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
    return Response(body, media_type=media_type(fmt, GRAPH_TYPES), headers={"Vary": "Accept"})

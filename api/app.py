"""The FastAPI application, built by :func:`create_app` (no module-level state).

>>> import tempfile
>>> from graph.store import OxigraphStore
>>> folder = tempfile.mkdtemp()
>>> app = create_app(Settings.resolve(store=folder), OxigraphStore(folder))
>>> sorted(method for method in app.openapi()["paths"]["/sparql"])
['get', 'post']
>>> app.state.sparql.close()
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException

from api import entities, explore, exports, named_queries, query_page, sparql
from api.settings import Settings
from api.sparql_guard import QueryRefused
from api.sparql_middleware import BodyLimit, SecurityHeaders
from api.sparql_service import QueryFailed, SparqlService
from api.sparql_store import open_read_only
from api.sparql_worker import QueryTimeout, WorkerFailed, WorkersBusy
from graph.store import Store
from queries import load_queries


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app. ``settings`` default to :meth:`Settings.resolve` (environment, then defaults);
    ``store`` defaults to the store at ``settings.store`` opened read-only."""
    settings = settings or Settings.resolve()
    store = store or open_read_only(settings.store)
    service = SparqlService(store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.pool.start()  # spawn the query workers now rather than on the first request
        yield
        service.close()

    app = FastAPI(title="nenkg", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="What the literature reports on high-grade neuroendocrine neoplasms, "
                              "every fact tied to its quote: SPARQL endpoint, named queries, entities.")
    app.state.settings = settings
    app.state.store = store
    app.state.sparql = service
    app.state.queries = load_queries()
    _add_error_handlers(app)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Accept", "Content-Type"], expose_headers=["X-Result-Truncated",
                                                                                  "X-Result-Count"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(sparql.SparqlGetFastPath)  # outermost: the hot GET /sparql skips the stack

    # Routers: one module each. Add new ones here.
    app.include_router(sparql.router)
    app.include_router(named_queries.router)
    app.include_router(exports.router)
    app.include_router(query_page.router)
    app.include_router(explore.router)
    app.include_router(entities.router)  # last: its /id/{kind}/{slug} paths are the broadest
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Errors as plain text, never an HTML page echoing the request."""

    async def http_error(request: Request, exc: Exception) -> PlainTextResponse:
        assert isinstance(exc, HTTPException)
        return PlainTextResponse(f"{exc.detail}\n", status_code=exc.status_code, headers=exc.headers)

    async def invalid(request: Request, exc: Exception) -> PlainTextResponse:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return PlainTextResponse(f"invalid request: {problems}\n", status_code=400)

    async def unexpected(request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse("internal error\n", status_code=500)

    async def query_problem(request: Request, exc: Exception) -> PlainTextResponse:
        # Raised by any router that runs a query: the same answers as /sparql gives.
        status = {QueryTimeout: 503, WorkersBusy: 503}.get(type(exc), getattr(exc, "status", 400))
        headers = {"Retry-After": "5"} if status == 503 else None
        return PlainTextResponse(f"{exc}\n", status_code=status, headers=headers)

    for problem in (QueryRefused, QueryFailed, QueryTimeout, WorkersBusy, WorkerFailed):
        app.add_exception_handler(problem, query_problem)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)

"""``/queries``: the named queries of ``queries/*.rq``, listed and run with typed parameters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.sparql import ProtocolError, Sparql, choose_format, error
from api.sparql_conneg import GRAPH_TYPES, SOLUTION_TYPES, all_types, media_type
from api.sparql_guard import QueryRefused
from api.sparql_service import QueryFailed, SparqlService
from api.sparql_worker import QueryTimeout, WorkerFailed, WorkersBusy
from queries import NamedQuery, ParameterError, bind_parameters

router = APIRouter(tags=["named queries"])


def _queries(request: Request) -> dict[str, NamedQuery]:
    queries: dict[str, NamedQuery] = request.app.state.queries
    return queries


def describe(query: NamedQuery, base: str) -> dict[str, Any]:
    """A named query as JSON: what it answers, its parameters, where to run it."""
    return {"name": query.name, "title": query.title, "description": query.description,
            "url": f"{base}queries/{query.name}", "sparql": query.sparql,
            "params": [{"name": p.name, "type": p.type, "default": p.default, "required": p.required,
                        "description": p.description}
                       for p in query.params]}


@router.get("/queries", summary="The named queries with their parameters")
def list_queries(request: Request) -> list[dict[str, Any]]:
    return [describe(q, str(request.base_url)) for q in _queries(request).values()]


@router.get("/queries/{name}", summary="Run a named query; parameters as query-string values",
            responses={200: {"content": {t: {} for types in (*SOLUTION_TYPES.values(), *GRAPH_TYPES.values())
                                         for t in types}}})
async def run_query(name: str, request: Request, service: Sparql) -> Response:
    query = _queries(request).get(name)
    if query is None:
        return error(f"no named query {name!r}; see /queries", 404)
    params = {k: v for k, v in request.query_params.multi_items() if k != "format"}
    return await run_in_threadpool(_run, request, service, query, params)


def _run(request: Request, service: SparqlService, query: NamedQuery, params: dict[str, str]) -> Response:
    try:
        substitutions = bind_parameters(query, params)
        checked = service.check(query.sparql)
        offers = SOLUTION_TYPES if checked.form in ("SELECT", "ASK") else GRAPH_TYPES
        fmt = choose_format(request.query_params.get("format"), request.headers.get("accept"), offers)
        if fmt is None:
            return error(f"none of the accepted media types can be produced; offered: {all_types(offers)}",
                         406)
        outcome = service.execute(checked, fmt, substitutions=substitutions)
    except (ParameterError, QueryFailed) as problem:
        return error(str(problem))
    except (QueryRefused, ProtocolError) as refused:
        return error(str(refused), refused.status)
    except (QueryTimeout, WorkersBusy) as busy:
        return error(str(busy), 503, {"Retry-After": "5"})
    except WorkerFailed as failed:
        return error(str(failed))
    headers = {"Vary": "Accept", "X-Result-Count": str(outcome.count)}
    if outcome.truncated:
        headers["X-Result-Truncated"] = "true"
    return Response(outcome.body, media_type=media_type(fmt, offers), headers=headers)

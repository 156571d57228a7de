"""Entity pages: every data IRI dereferences (HTML for people, RDF for machines); label search.

``https://w3id.org/nenkg/id/<kind>/<slug>`` is served at ``/id/<kind>/<slug>``, ontology terms
``...ontology#Name`` at ``/ontology/Name``, and any IRI of the graph at ``/entity?iri=...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.sparql import ProtocolError, Sparql, choose_format, error
from api.sparql_conneg import GRAPH_TYPES, all_types, media_type, negotiate
from api.sparql_guard import CheckedQuery
from api.sparql_service import PREFIXES, SparqlService
from ontology import DATA_NS, NS

router = APIRouter(tags=["entities"])
TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_TYPES: dict[str, list[str]] = {"html": ["text/html", "application/xhtml+xml"], **GRAPH_TYPES}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PREFIX = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX nenkg: <https://w3id.org/nenkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
TYPES = PREFIX + """SELECT ?entity ?type (SAMPLE(?l) AS ?label) WHERE {
  ?entity a ?type OPTIONAL { ?type rdfs:label ?l } } GROUP BY ?entity ?type ORDER BY ?type"""
OUTGOING = PREFIX + """SELECT ?entity ?p (SAMPLE(?pl) AS ?plabel) ?o (SAMPLE(?ol) AS ?olabel) WHERE {
  ?entity ?p ?o FILTER(?p != rdf:type)
  OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol } }
GROUP BY ?entity ?p ?o ORDER BY ?p ?o LIMIT 500""".replace("rdf:type", f"<{RDF_TYPE}>")
INCOMING = PREFIX + """SELECT ?entity ?s (SAMPLE(?sl) AS ?slabel) ?p (SAMPLE(?pl) AS ?plabel) WHERE {
  ?s ?p ?entity OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?p rdfs:label ?pl } }
GROUP BY ?entity ?s ?p ORDER BY ?p ?s LIMIT 500"""
EVIDENCE = PREFIX + """SELECT ?entity ?evidence ?exact ?start ?end ?document ?documentLabel ?section ?table
  ?confidence WHERE {
  ?entity nenkg:hasEvidence ?evidence .
  ?evidence oa:hasSource ?document ; oa:hasSelector ?quote .
  ?quote oa:exact ?exact .
  OPTIONAL { ?evidence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
  OPTIONAL { ?document rdfs:label ?documentLabel }
  OPTIONAL { ?evidence nenkg:sectionTitle ?section }
  OPTIONAL { ?evidence nenkg:tableLabel ?table }
  OPTIONAL { ?evidence nenkg:confidence ?confidence }
} ORDER BY ?document ?start LIMIT 200"""
DESCRIBE = "CONSTRUCT { ?entity ?p ?o } WHERE { ?entity ?p ?o }"
SEARCH = PREFIX + """SELECT ?q ?entity (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?t); separator=" ")
  AS ?types) WHERE {
  { ?entity rdfs:label ?l } UNION { ?entity skos:altLabel ?l } UNION { ?entity skos:prefLabel ?l }
  FILTER(CONTAINS(LCASE(STR(?l)), LCASE(STR(?q))))
  OPTIONAL { ?entity a ?t }
} GROUP BY ?q ?entity ORDER BY STRLEN(STR(SAMPLE(?l))) ?entity LIMIT 50"""
LINK_PREDICATES = {"http://www.w3.org/2000/01/rdf-schema#seeAlso", "http://www.w3.org/2004/02/skos/core#exactMatch",
                   "http://www.w3.org/2004/02/skos/core#closeMatch", "http://www.w3.org/2002/07/owl#sameAs"}


def local_path(iri: str) -> str | None:
    """The path of this server that shows ``iri``, for IRIs of nenkg; ``None`` for others."""
    if iri.startswith(DATA_NS):
        return "/id/" + iri[len(DATA_NS):]
    if iri.startswith(NS):
        return "/ontology/" + iri[len(NS):]
    return None


def compact(iri: str) -> str:
    """``rdfs:label`` for an IRI in a known namespace, the IRI itself otherwise."""
    for prefix, namespace in (*PREFIXES.items(), ("id", DATA_NS)):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["href"] = lambda iri: local_path(iri) or f"/entity?iri={quote(iri, safe='')}"
    env.filters["compact"] = compact
    return env


@router.head("/id/{path:path}", include_in_schema=False)
@router.get("/id/{path:path}", summary="A data node of the graph (HTML, Turtle, JSON-LD, N-Triples ...)",
            responses={200: {"content": {t: {} for types in PAGE_TYPES.values() for t in types}}})
async def data_node(path: str, request: Request, service: Sparql) -> Response:
    return await run_in_threadpool(_page, request, service, DATA_NS + path)


@router.get("/ontology/{name}", summary="An ontology term (class, property or vocabulary individual)")
async def ontology_term(name: str, request: Request, service: Sparql) -> Response:
    return await run_in_threadpool(_page, request, service, NS + name)


@router.get("/entity", summary="Any IRI of the graph")
async def any_entity(request: Request, service: Sparql, iri: str = Query(..., max_length=2000)) -> Response:
    return await run_in_threadpool(_page, request, service, iri)


SEARCH_TYPES = {"json": ["application/json"], "html": ["text/html"]}


@router.get("/search", summary="Label search: entities whose label contains q (case-insensitive); JSON, or "
                               "HTML for a browser")
async def search(request: Request, service: Sparql, q: str = Query(..., min_length=1, max_length=200)) -> Response:
    rows = await run_in_threadpool(service.select, SEARCH, {"q": ox.Literal(q)})
    results = [{"iri": r["entity"]["value"], "label": r.get("label", {}).get("value", ""),
                "types": r.get("types", {}).get("value", "").split(),
                "url": local_path(r["entity"]["value"])} for r in rows]
    if negotiate(request.headers.get("accept"), SEARCH_TYPES) == "html":
        return HTMLResponse(_environment().get_template("search.html").render(q=q, results=results),
                            headers={"Vary": "Accept"})
    return JSONResponse(results, headers={"Vary": "Accept"})


def _page(request: Request, service: SparqlService, iri: str) -> Response:
    try:
        entity = ox.NamedNode(iri)
    except ValueError:
        return error(f"not a valid IRI: {iri!r}")
    try:
        fmt = choose_format(request.query_params.get("format"), request.headers.get("accept"), PAGE_TYPES)
    except ProtocolError as problem:
        return error(str(problem), problem.status)
    if fmt is None:
        return error(f"offered: {all_types(PAGE_TYPES)}", 406)
    bind = {"entity": entity}
    if fmt != "html":
        outcome = service.execute(CheckedQuery(DESCRIBE, "CONSTRUCT"), fmt, substitutions=bind)
        if not outcome.count:
            return error(f"<{iri}> is not in the graph", 404)
        return Response(outcome.body, media_type=media_type(fmt, GRAPH_TYPES), headers={"Vary": "Accept"})
    context = _context(service, iri, bind)
    if not (context["types"] or context["properties"] or context["incoming"]):
        return error(f"<{iri}> is not in the graph", 404)
    html = _environment().get_template("entity.html").render(**context)
    return HTMLResponse(html, headers={"Vary": "Accept"})


def _value(row: dict[str, Any], name: str) -> str | None:
    term = row.get(name)
    return term["value"] if term else None


def _context(service: SparqlService, iri: str, bind: dict[str, ox.NamedNode]) -> dict[str, Any]:
    types = [{"iri": _value(r, "type"), "label": _value(r, "label")} for r in service.select(TYPES, bind)]
    properties, links = [], []
    label = None
    for row in service.select(OUTGOING, bind):
        predicate, obj = row["p"], row["o"]
        if predicate["value"] == RDFS_LABEL and label is None:
            label = obj["value"]
        if predicate["value"] in LINK_PREDICATES and obj["type"] == "uri":
            links.append(obj["value"])
        properties.append({"predicate": predicate["value"], "plabel": _value(row, "plabel"),
                           "value": obj["value"], "kind": obj["type"], "datatype": obj.get("datatype"),
                           "olabel": _value(row, "olabel")})
    incoming = [{"subject": _value(r, "s"), "slabel": _value(r, "slabel"), "predicate": _value(r, "p"),
                 "plabel": _value(r, "plabel")} for r in service.select(INCOMING, bind)]
    evidence = [{name: _value(r, name) for name in ("evidence", "exact", "start", "end", "document",
                                                   "documentLabel", "section", "table", "confidence")}
                for r in service.select(EVIDENCE, bind)]
    return {"iri": iri, "label": label or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1], "types": types,
            "properties": properties, "incoming": incoming, "evidence": evidence, "links": sorted(set(links)),
            "formats": [(name, fmt, GRAPH_TYPES[fmt][0]) for name, fmt in
                        (("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "ntriples"), ("RDF/XML", "rdfxml"))]}

"""``/export``: full dumps of the graph as attachments with RDF media types."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.sparql import error
from api.sparql_conneg import GRAPH_TYPES, negotiate
from api.sparql_service import PREFIXES
from graph.store import RDF_FORMATS, Store

router = APIRouter(tags=["export"])
SUFFIX = {"trig": "trig", "nquads": "nq", "turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}
#: Dataset formats first: they keep the named graphs (one per document).
EXPORT_TYPES = {name: GRAPH_TYPES[name] for name in ("trig", "nquads", "turtle", "ntriples", "jsonld", "rdfxml")}


def export_bytes(store: Store, fmt: str) -> bytes:
    """The whole store in ``fmt``: with its named graphs for TriG and N-Quads, else the union of
    the graphs (each distinct triple once)."""
    with tempfile.TemporaryDirectory(prefix="nenkg-export-") as folder:
        path = Path(folder) / "dump.nq"
        store.dump(path, "nquads")
        if fmt == "nquads":
            return path.read_bytes()
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    if RDF_FORMATS[fmt].supports_datasets:
        return ox.serialize(quads, format=RDF_FORMATS[fmt], prefixes=PREFIXES) or b""
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    prefixes = PREFIXES if fmt == "turtle" else None
    return ox.serialize(triples, format=RDF_FORMATS[fmt], prefixes=prefixes) or b""


@router.get("/export", summary="The whole graph as a file (TriG and N-Quads keep the named graphs)",
            responses={200: {"content": {t[0]: {} for t in EXPORT_TYPES.values()}}})
async def export(request: Request, format: str | None = Query(None, description=", ".join(SUFFIX))) -> Response:
    fmt = format.lower() if format else negotiate(request.headers.get("accept"), EXPORT_TYPES)
    if fmt not in EXPORT_TYPES:
        return error(f"unknown export format {format!r}: use one of {', '.join(SUFFIX)}",
                     400 if format else 406)
    body = await run_in_threadpool(export_bytes, request.app.state.store, fmt)
    return Response(body, media_type=EXPORT_TYPES[fmt][0], headers={
        "Content-Disposition": f'attachment; filename="nenkg.{SUFFIX[fmt]}"'})

"""``/export``: full dumps as attachments, on a real server over the NICE-NEC excerpt."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

QUADS = 162  # tests/api/sparql_excerpt.trig


@pytest.mark.parametrize(("fmt", "media", "rdf_format"), [
    ("trig", "application/trig", ox.RdfFormat.TRIG), ("nquads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("turtle", "text/turtle", ox.RdfFormat.TURTLE), ("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD), ("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_export_formats(server: str, fmt: str, media: str, rdf_format: ox.RdfFormat) -> None:
    response = httpx.get(f"{server}/export", params={"format": fmt}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"].startswith("attachment; filename=\"nenkg.")
    parsed = list(ox.parse(response.content, format=rdf_format))
    if rdf_format.supports_datasets and fmt != "jsonld":
        assert len(parsed) == QUADS
        assert len({q.graph_name for q in parsed}) == 2
    else:
        assert 0 < len(parsed) <= QUADS


def test_export_errors(server: str) -> None:
    assert httpx.get(f"{server}/export", params={"format": "docx"}).status_code == 400
    response = httpx.get(f"{server}/export", headers={"Accept": "application/n-quads"}, timeout=30)
    assert response.headers["content-type"].startswith("application/n-quads")

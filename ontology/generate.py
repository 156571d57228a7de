"""Write the published ontology files from the owlready2 source.

Run ``python -m ontology.generate`` after changing :mod:`ontology.source`, :mod:`ontology.schema`
or :mod:`ontology.vocabulary`; a test fails when the committed files drift from the source.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import rdflib

from ontology import ONTOLOGY_IRI, RDFXML_PATH, TURTLE_PATH, VERSION_IRI
from ontology.source import build_ontology

PREFIXES = {
    "nenkg": "https://w3id.org/nenkg/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def ontology_graph() -> rdflib.Graph:
    """Return the ontology as an rdflib graph, built fresh from the source."""
    world, onto = build_ontology()
    buffer = io.BytesIO()
    onto.save(file=buffer, format="rdfxml")
    graph = rdflib.Graph()
    graph.parse(data=buffer.getvalue(), format="xml")
    # owlready2 has no setter for owl:versionIRI (an ontology property, not an annotation).
    graph.add((rdflib.URIRef(ONTOLOGY_IRI), rdflib.OWL.versionIRI, rdflib.URIRef(VERSION_IRI)))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    world.close()
    return graph


def write(turtle_path: Path = TURTLE_PATH, rdfxml_path: Path = RDFXML_PATH) -> rdflib.Graph:
    """Write the Turtle and RDF/XML files and return the graph written."""
    graph = ontology_graph()
    turtle_path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    rdfxml_path.write_text(graph.serialize(format="xml"), encoding="utf-8")
    return graph


if __name__ == "__main__":
    written = write()
    print(f"wrote {len(written)} triples to {TURTLE_PATH.name} and {RDFXML_PATH.name}", file=sys.stderr)

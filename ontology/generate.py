"""Write the published ontology files from the owlready2 source.

Run ``python -m ontology.generate`` after changing :mod:`ontology.source`, :mod:`ontology.schema`
or :mod:`ontology.vocabulary`; a test fails when the committed files drift from the source.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

from ontology import ONTOLOGY_IRI, RDFXML_PATH, TURTLE_PATH, VERSION_IRI
from ontology.source import build_ontology

PREFIXES = {
    "nenkg": "https://w3id.org/nenkg/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
}


def ontology_graph() -> rdflib.Graph:
    """Return the ontology as an rdflib graph, built fresh from the source."""
    world, onto = build_ontology()
    buffer = io.BytesIO()
    onto.save(file=buffer, format="rdfxml")
    graph = rdflib.Graph()
    graph.parse(data=buffer.getvalue(), format="xml")
    # RDF 1.1: "x"^^xsd:string is "x"; write the plain form so every serialisation round-trips alike.
    for s, p, o in list(graph):
        if isinstance(o, rdflib.Literal) and o.datatype == rdflib.XSD.string:
            graph.remove((s, p, o))
            graph.add((s, p, rdflib.Literal(str(o))))
    # owlready2 has no setter for owl:versionIRI (an ontology property, not an annotation).
    graph.add((rdflib.URIRef(ONTOLOGY_IRI), rdflib.OWL.versionIRI, rdflib.URIRef(VERSION_IRI)))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    world.close()
    return graph


def _term(node: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.BNode):
        return ox.BlankNode(str(node))
    assert isinstance(node, rdflib.Literal)
    if node.language:
        return ox.Literal(str(node), language=node.language)
    datatype = node.datatype or rdflib.XSD.string
    return ox.Literal(str(node), datatype=ox.NamedNode(str(datatype)))


def _stable_rdfxml(graph: rdflib.Graph) -> bytes:
    """RDF/XML with canonical blank node labels and triples in sorted order: same source, same bytes
    (rdflib's own writer orders subjects by hash, which changes from run to run)."""
    triples = [ox.Triple(_term(s), _term(p), _term(o))  # type: ignore[arg-type]
               for s, p, o in sorted(to_canonical_graph(graph))]
    output = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes={**PREFIXES, "rdfs": str(rdflib.RDFS),
                                                                          "xsd": str(rdflib.XSD)})
    assert output is not None
    return output


def write(turtle_path: Path = TURTLE_PATH, rdfxml_path: Path = RDFXML_PATH) -> rdflib.Graph:
    """Write the Turtle and RDF/XML files and return the graph written."""
    graph = ontology_graph()
    turtle = graph.serialize(format="turtle")
    turtle_path.write_text(turtle, encoding="utf-8")
    rdfxml_path.write_bytes(_stable_rdfxml(graph))
    return graph


if __name__ == "__main__":
    written = write()
    print(f"wrote {len(written)} triples to {TURTLE_PATH.name} and {RDFXML_PATH.name}", file=sys.stderr)

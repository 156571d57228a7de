"""The nenkg OWL ontology: namespaces and the paths of the published files.

The single source of the ontology is :mod:`ontology.source` (owlready2); ``nenkg.ttl`` and
``nenkg.owl`` beside this file are generated from it by ``python -m ontology.generate``.
"""

from __future__ import annotations

from pathlib import Path

ONTOLOGY_IRI = "https://w3id.org/nenkg/ontology"
#: Namespace of ontology terms (classes, properties, vocabulary individuals).
NS = ONTOLOGY_IRI + "#"
#: Namespace of data nodes: ``DATA_NS + "<kind>/<slug>"``.
DATA_NS = "https://w3id.org/nenkg/id/"
VERSION = "0.1.0"
VERSION_IRI = f"{ONTOLOGY_IRI}/{VERSION}"

#: Named graphs that are not documents.
ONTOLOGY_GRAPH = DATA_NS + "graph/ontology"
INFERRED_GRAPH = DATA_NS + "graph/inferred"
MAPPINGS_GRAPH = DATA_NS + "graph/mappings"

HERE = Path(__file__).resolve().parent
TURTLE_PATH = HERE / "nenkg.ttl"
RDFXML_PATH = HERE / "nenkg.owl"
SHAPES_PATH = HERE / "shapes.ttl"
MAPPINGS_PATH = HERE / "mappings.sssom.tsv"


def term(name: str) -> str:
    """Return the IRI of the ontology term ``name``.

    >>> term("Study")
    'https://w3id.org/nenkg/ontology#Study'
    """
    return NS + name

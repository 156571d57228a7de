"""SHACL validation of the store against ``ontology/shapes.ttl``.

The union of the store's graphs is validated with pyshacl, with the ontology as ``ont_graph`` so
that ``sh:targetClass`` reaches subclasses (an ``InterventionalStudy`` is a ``Study``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import SH

from graph.store import Store
from ontology import SHAPES_PATH, TURTLE_PATH


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node, the path, the message and the shape that was not met."""

    focus: str
    path: str | None
    message: str
    severity: str
    shape: str | None


@dataclass
class ValidationReport:
    """Whether the store conforms, each violation (sh:Violation), each warning (sh:Warning or
    sh:Info, which do not break conformance), and pyshacl's text report."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    text: str = ""
    warnings: list[Violation] = field(default_factory=list)


def store_graph(store: Store) -> rdflib.Graph:
    """All triples of the store (every named graph) as one rdflib graph."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dump.nq"
        store.dump(path, "nquads")
        dataset = rdflib.Dataset()
        dataset.parse(path, format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def validate_graph(data: rdflib.Graph, shapes_path: Path = SHAPES_PATH,
                   ontology_path: Path = TURTLE_PATH) -> ValidationReport:
    """Validate an rdflib graph against the shapes, with the ontology mixed in."""
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    ontology = rdflib.Graph().parse(ontology_path, format="turtle")
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                               inference="none", advanced=True, allow_warnings=True)
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        def one(pred: rdflib.URIRef, result: rdflib.term.Node = result) -> str | None:
            value = results.value(result, pred)
            return None if value is None else str(value)
        violations.append(Violation(
            focus=one(SH.focusNode) or "", path=one(SH.resultPath),
            message=one(SH.resultMessage) or "", severity=(one(SH.resultSeverity) or "").rsplit("#", 1)[-1],
            shape=one(SH.sourceShape)))
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(bool(conforms), [v for v in violations if v.severity == "Violation"], str(text),
                            [v for v in violations if v.severity != "Violation"])


def shacl_report(store: Store) -> ValidationReport:
    """Validate the union of the store's graphs against ``ontology/shapes.ttl``."""
    return validate_graph(store_graph(store))

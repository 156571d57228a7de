"""SHACL: a bare study fails with named messages; evidence with its selectors passes its shape."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.store import OxigraphStore
from graph.validate import shacl_report
from ontology import DATA_NS, NS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_bare_study_and_outcome_are_reported(tmp_path: Path) -> None:
    study, outcome = DATA_NS + "study/nice-nec", DATA_NS + "outcome/os"
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(DATA_NS + "graph/document/test", [
        ox.Triple(ox.NamedNode(study), ox.NamedNode(RDF_TYPE), ox.NamedNode(NS + "InterventionalStudy")),
        ox.Triple(ox.NamedNode(outcome), ox.NamedNode(RDF_TYPE), ox.NamedNode(NS + "Outcome")),
        ox.Triple(ox.NamedNode(outcome), ox.NamedNode(NS + "value"), ox.Literal("13.9")),  # a string, not decimal
    ])
    report = shacl_report(store)
    assert not report.conforms
    messages = {(v.focus, v.message) for v in report.violations}
    assert (study, "a study needs an rdfs:label") in messages
    assert (outcome, "an outcome needs nenkg:ofStudy") in messages
    assert any(v.focus == outcome and v.path == NS + "value" for v in report.violations)
    assert "Constraint Violation" in report.text

"""SHACL: a bare study fails with named messages; evidence with its selectors passes its shape."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.store import OxigraphStore
from graph.validate import shacl_report
from ontology import DATA_NS, NS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def test_bare_study_and_outcome_are_reported(tmp_path: Path) -> None:
    study, outcome = DATA_NS + "study/nice-nec", DATA_NS + "outcome/os"
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(DATA_NS + "graph/document/test", [
        ox.Triple(ox.NamedNode(study), ox.NamedNode(RDF_TYPE), ox.NamedNode(NS + "InterventionalStudy")),
        ox.Triple(ox.NamedNode(outcome), ox.NamedNode(RDF_TYPE), ox.NamedNode(NS + "Outcome")),
        ox.Triple(ox.NamedNode(outcome), ox.NamedNode(NS + "value"), ox.Literal("13.9")),  # a string, not decimal
        ox.Triple(ox.NamedNode(DATA_NS + "population/nice-nec-arm"), ox.NamedNode(RDF_TYPE), ox.NamedNode(NS + "StudyArm")),
        ox.Triple(ox.NamedNode(DATA_NS + "population/nice-nec-arm"), ox.NamedNode(RDFS_LABEL), ox.Literal("NICE-NEC")),
    ])
    report = shacl_report(store)
    assert not report.conforms
    messages = {(v.focus, v.message) for v in report.violations}
    assert (study, "a study needs an rdfs:label") in messages
    assert (outcome, "an outcome needs nenkg:ofStudy") in messages
    assert any(v.focus == outcome and v.path == NS + "value" for v in report.violations)
    assert "Constraint Violation" in report.text
    assert all(v.severity == "Violation" for v in report.violations)
    # a population without evidence is a warning, which does not count as a violation
    arm = DATA_NS + "population/nice-nec-arm"
    assert (arm, "a population should have at least one evidence node") in {(w.focus, w.message) for w in report.warnings}
    assert arm not in {v.focus for v in report.violations}

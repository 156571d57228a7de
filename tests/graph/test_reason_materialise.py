"""HermiT materialisation on a small store built from a real corpus claim (NICE-NEC's regimen)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.reason import check_consistency, infer_types, materialise
from graph.store import OxigraphStore
from ontology import DATA_NS, INFERRED_GRAPH, NS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def _t(s: str, p: str, o: str | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o if isinstance(o, ox.Literal) else ox.NamedNode(o))


@pytest.mark.slow
def test_nice_nec_regimen_is_classified(tmp_path: Path) -> None:
    # "nivolumab and carboplatin-etoposide in 37 patients" (NICE-NEC, corpus/000)
    reg, arm, study, hr = (DATA_NS + k for k in ("regimen/nice", "population/nice", "study/nice", "effect/nice"))
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(DATA_NS + "graph/document/test", [
        _t(reg, RDF_TYPE, NS + "Regimen"), _t(reg, NS + "hasAgent", NS + "Nivolumab"),
        _t(reg, NS + "hasAgent", NS + "Carboplatin"), _t(reg, NS + "hasAgent", NS + "Etoposide"),
        _t(arm, RDF_TYPE, NS + "StudyArm"), _t(arm, NS + "receivesRegimen", reg),
        _t(arm, NS + "hasNeoplasmType", NS + "NeuroendocrineCarcinoma"), _t(arm, NS + "hasPrimarySite", NS + "Pancreas"),
        _t(study, RDF_TYPE, NS + "InterventionalStudy"), _t(study, NS + "hasArm", arm),
        _t(hr, RDF_TYPE, NS + "HazardRatio"), _t(hr, NS + "pValue", ox.Literal("0.20", datatype=DECIMAL)),
    ])
    pairs = set(infer_types(store))
    assert (reg, NS + "ChemoImmunotherapyRegimen") in pairs
    assert (reg, NS + "PlatinumEtoposideRegimen") in pairs
    assert (arm, NS + "GEPNECPopulation") in pairs
    assert (study, NS + "ImmunotherapyStudy") in pairs
    assert (hr, NS + "StatisticallySignificantEffect") not in pairs  # p = 0.20
    assert (reg, NS + "Regimen") not in pairs  # asserted types are not repeated
    count = materialise(store)
    assert count == len(pairs) == store.graph_size(INFERRED_GRAPH)
    # a second run over the store (which now holds the inferred graph) gives the same graph
    assert materialise(store) == count
    rows = store.query(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{reg}> a <{NS}ChemoImmunotherapyRegimen> }} }}")
    assert bool(rows)
    check_consistency(store)

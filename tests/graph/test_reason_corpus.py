"""HermiT's inferred types on the real corpus graph (the session's corpus build, with reasoning)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import OxigraphStore
from ontology import INFERRED_GRAPH, NS

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.mark.slow
def test_nice_nec_regimen_and_populations_are_classified(corpus_store_path: Path) -> None:
    store = OxigraphStore(corpus_store_path, read_only=True)
    try:
        # NICE-NEC (corpus/000): "nivolumab and carboplatin-etoposide"
        query = f"""PREFIX n: <{NS}>
        SELECT ?class WHERE {{ ?r n:hasAgent n:Nivolumab, n:Carboplatin, n:Etoposide .
                               GRAPH <{INFERRED_GRAPH}> {{ ?r a ?class }} }}"""
        classes = {row["class"].value[len(NS):] for row in store.query(query)}  # type: ignore[union-attr]
        assert {"ChemoImmunotherapyRegimen", "PlatinumEtoposideRegimen", "ImmunotherapyRegimen"} <= classes
        # every defined class that the papers can populate has members
        counts = {row["c"].value[len(NS):]: int(row["n"].value) for row in store.query(  # type: ignore[union-attr]
            f"SELECT ?c (COUNT(?x) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?x a ?c }} }} GROUP BY ?c")}
        for defined in ("HighGradeNENPopulation", "GEPNECPopulation", "ExtrapulmonaryNECPopulation",
                        "DualCheckpointBlockadeRegimen", "ImmunotherapyStudy", "SurvivalOutcome"):
            assert counts.get(defined, 0) > 0, (defined, counts)
        # inferred types are new: none of them is asserted in a document graph
        duplicated = store.query(f"""ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?x a ?c }}
            GRAPH ?g {{ ?x a ?c }} FILTER(?g != <{INFERRED_GRAPH}>) }}""")
        assert not bool(duplicated)
    finally:
        store.close()

"""The benchmark's generator makes graphs of the real shape, and the runner writes a report.

Speed is not asserted here (that is the benchmark's job): only that every engine answered and the
report carries the figures and the targets.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate import Generator, generate, parse_size
from benchmarks.run import main
from ontology import INFERRED_GRAPH, NS, ONTOLOGY_GRAPH

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_sizes_parse() -> None:
    assert [parse_size(s) for s in ("10k", "1M", "2500", "0.5M")] == [10_000, 1_000_000, 2_500, 500_000]


def test_generated_graph_has_the_real_shape_and_is_deterministic() -> None:
    quads = list(generate(12_000, seed=3))
    again = list(generate(12_000, seed=3))
    assert 12_000 <= len(quads) < 14_000 and len(again) == len(quads)
    # The same data nodes and values every time (the ontology's blank nodes get fresh labels).
    assert [q for q in quads if q.graph_name != ox.NamedNode(ONTOLOGY_GRAPH)] == \
           [q for q in again if q.graph_name != ox.NamedNode(ONTOLOGY_GRAPH)]
    graphs = Counter(str(q.graph_name.value) for q in quads)  # type: ignore[union-attr]
    assert graphs[ONTOLOGY_GRAPH] > 4_000 and graphs[INFERRED_GRAPH] > 0
    assert sum(1 for g in graphs if "/graph/document/" in g) >= 5
    store = ox.Store()
    store.extend(quads)
    query = f"""PREFIX nenkg: <{NS}> PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT ?study ?arm ?agentClass ?value ?lower ?quote WHERE {{
      ?study a nenkg:Study ; nenkg:hasArm ?arm ; nenkg:registryId ?id .
      ?arm nenkg:receivesRegimen/nenkg:hasAgent ?agent . ?agent a ?agentClass .
      ?o nenkg:ofStudy ?study ; nenkg:aboutPopulation ?arm ; nenkg:hasEndpoint nenkg:OverallSurvival ;
         nenkg:value ?value ; nenkg:ciLower ?lower ; nenkg:hasEvidence/oa:hasSelector/oa:exact ?quote .
    }}"""
    rows = list(store.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]
    assert rows, "studies must join to arms, regimens, agents, outcomes with CIs and quotes"
    # Data nodes are typed by the ontology's classes and their superclasses are inferred.
    assert store.query(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a <{NS}Study> }} }}")
    assert len(Generator(seed=1).agents) > 20


@pytest.mark.slow
def test_runner_writes_a_report_with_every_engine(tmp_path: Path) -> None:
    output = tmp_path / "REPORT.md"
    main(["--sizes", "6k", "--quick", "--no-virtuoso", "--no-build", "--seconds", "1", "--rdflib-budget", "15",
          "--data", str(tmp_path / "data"), "--output", str(output)])
    text = output.read_text()
    for expected in ("## 6k", "Bulk load", "pyoxigraph", "nenkg HTTP", "Oxigraph server", "rdflib",
                     "requests/s", "## Targets at 6k"):
        assert expected in text
    # Every engine of ours answered every query and request (rdflib's own engine fails on some).
    [result] = json.loads(output.with_suffix(".json").read_text())
    assert set(result["errors"].values()) == {0} and set(result["throughput"]) == {"nenkg HTTP", "Oxigraph server"}
    for by_engine in result["latency"].values():
        assert all(isinstance(by_engine[e], float) for e in ("pyoxigraph", "nenkg", "nenkg HTTP", "Oxigraph server"))

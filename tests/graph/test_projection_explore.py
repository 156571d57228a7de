"""The networkx projection on a real excerpt of the NICE-NEC paper (shaped as the build writes it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graph import projection
from graph.store import OxigraphStore
from ontology import NS, ONTOLOGY_GRAPH, TURTLE_PATH

EXCERPT = Path(__file__).resolve().parents[1] / "browser" / "nice_nec_excerpt.trig"
CORPUS_TEXT = Path(__file__).resolve().parents[2] / "corpus" / "000_d94e49e236f24c41.txt"
D = "https://w3id.org/nenkg/id/"
STUDY, ARM, REGIMEN = D + "study/nct03980925", D + "population/nice-nec-overall", D + "regimen/nice-nec-induction"
OS = D + "outcome/nice-nec-os"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    s = OxigraphStore(tmp_path_factory.mktemp("proj") / "store")
    s.load_file(TURTLE_PATH, ONTOLOGY_GRAPH)
    s.load_dataset(EXCERPT, "trig")
    yield s
    s.close()


@pytest.fixture(scope="module")
def graph(store: OxigraphStore) -> nx.MultiDiGraph:
    return projection.project(store)


def test_nodes_are_entities_with_their_most_specific_kind(graph: nx.MultiDiGraph) -> None:
    kinds = dict(graph.nodes(data="kind"))
    assert kinds[STUDY] == "study"
    assert kinds[ARM] == "arm"  # a StudyArm is also a StudyPopulation: the specific kind wins
    assert kinds[REGIMEN] == "regimen"
    assert kinds[OS] == "outcome"
    assert kinds[NS + "Nivolumab"] == "agent"  # typed PD1Inhibitor, an Agent through the ontology
    assert kinds[NS + "OverallSurvival"] == "endpoint"
    assert kinds[NS + "Pancreas"] == "site"


def test_plumbing_stays_out_of_the_network(graph: nx.MultiDiGraph) -> None:
    for node in graph:
        assert "/evidence/" not in node and "/document/" not in node and "/component/" not in node
    # Statistics and units are attributes, summarised in titles, not nodes.
    assert NS + "Median" not in graph and NS + "Month" not in graph
    properties = {key for _, _, key in graph.edges(keys=True)}
    assert NS + "hasEvidence" not in properties
    assert {NS + "hasArm", NS + "receivesRegimen", NS + "hasAgent", NS + "ofStudy"} <= properties


def test_measurement_titles_summarise_value_ci_unit_population(graph: nx.MultiDiGraph) -> None:
    title = graph.nodes[OS]["title"]
    assert "median overall survival: 13.9 month (95% CI 8.3\u2013NR)" in title
    assert "population: NICE-NEC" in title
    pfs = graph.nodes[D + "outcome/nice-nec-pfs"]["title"]
    assert "5.7 month (95% CI 5.1\u20139)" in pfs


def test_ego_network_grows_with_depth(graph: nx.MultiDiGraph) -> None:
    one = projection.ego(graph, NS + "Nivolumab", 1)
    assert set(one) == {NS + "Nivolumab", REGIMEN}
    three = projection.ego(graph, NS + "Nivolumab", 3)
    assert {STUDY, OS} <= set(three)
    with pytest.raises(projection.UnknownEntityError):
        projection.ego(graph, D + "study/nope", 1)


def test_shortest_path_from_drug_to_outcome(graph: nx.MultiDiGraph) -> None:
    paths = projection.shortest_paths(graph, NS + "Nivolumab", OS)
    assert paths == [[NS + "Nivolumab", REGIMEN, ARM, OS]]
    edges = projection.path_edges(graph, paths[0])
    assert [e["label"] for e in edges] == ["hasAgent", "receivesRegimen", "aboutPopulation"]
    assert edges[0]["from"] == REGIMEN  # direction as stored


def test_rank_components_communities_search(graph: nx.MultiDiGraph) -> None:
    top = projection.rank(graph, "degree", limit=2)
    assert top[0]["iri"] == ARM
    assert top[0]["score"] == nx.Graph(graph.to_undirected()).degree(ARM) == 9
    assert [r["kind"] for r in projection.rank(graph, "pagerank", kinds=["study"])] == ["study"]
    with pytest.raises(ValueError, match="unknown measure"):
        projection.rank(graph, "closeness-ish")
    comps = projection.components(graph)
    assert comps[0]["size"] == graph.number_of_nodes()  # the excerpt is one connected piece
    assert sum(c["size"] for c in projection.communities(graph)) == graph.number_of_nodes()
    assert projection.search(graph, "NIVOLUMAB")[0]["iri"] == NS + "Nivolumab"  # exact label first


def test_entity_details_carry_the_quote_at_its_offsets(store: OxigraphStore) -> None:
    details = projection.entity_details(store, OS)
    text = CORPUS_TEXT.read_text(encoding="utf-8")
    [evidence] = details["evidence"]
    assert text[evidence["start"]:evidence["end"]] == evidence["quote"] == \
        "median OS 13.9 months (95%CI: 8.3\u2013Not reached)"
    values = {p["property"]: p["value"] for p in details["properties"]}
    assert values["hasEndpoint"] == "overall survival" and values["value"] == "13.9"
    study = projection.entity_details(store, STUDY)
    assert {"property": "seeAlso", "href": "https://clinicaltrials.gov/study/NCT03980925"} in study["links"]
    with pytest.raises(projection.UnknownEntityError):
        projection.entity_details(store, D + "study/not-there")


def test_filter_kinds_rejects_unknown_kinds(graph: nx.MultiDiGraph) -> None:
    assert {k for _, k in projection.filter_kinds(graph, ["agent"]).nodes(data="kind")} == {"agent"}
    with pytest.raises(ValueError, match="unknown kinds"):
        projection.filter_kinds(graph, ["drugs"])

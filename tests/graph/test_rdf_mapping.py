"""Facts -> RDF on a real excerpt of the NICE-NEC abstract: typed values, evidence selectors,
merging of the same claim across documents, and conflicts between different values."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.conflicts import write_conflicts
from graph.rdf import facts_to_graphs, literal
from graph.store import OxigraphStore
from loaders.document import Document
from loaders.facts import Evidence, Outcome, Publication, Study, study_key
from ontology import NS, term

ROOT = Path(__file__).resolve().parents[2]
ABSTRACT = (ROOT / "corpus" / "000_d94e49e236f24c41.txt").read_text(encoding="utf-8")
NICE = study_key(registry_id="NCT03980925")
PREFIXES = f"PREFIX nenkg: <{NS}> PREFIX oa: <http://www.w3.org/ns/oa#> "


def document(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, path=f"corpus/{doc_id}.txt", text=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest())


def evidence(doc: Document, quote: str) -> Evidence:
    start = doc.text.index(quote)
    return Evidence(doc.id, start, start + len(quote), quote, "test-extractor", "1", 0.9, section="Abstract")


def median_os(doc: Document, quote: str, value: float, lower: float) -> Outcome:
    return Outcome(study=NICE, population="overall", endpoint=term("OverallSurvival"), statistic=term("Median"),
                   value=value, unit=term("Month"), ci_level=0.95, ci_lower=lower, ci_upper_not_reached=True,
                   evidence=(evidence(doc, quote),))


@pytest.fixture()
def paper() -> Document:
    return document("nice", ABSTRACT)


def load(tmp_path: Path, documents: list[Document], facts: list) -> OxigraphStore:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graphs(facts_to_graphs({d.id: d for d in documents}, facts))
    return store


def test_an_outcome_becomes_a_typed_node_with_its_quote_at_its_offsets(tmp_path: Path, paper: Document) -> None:
    quote = "median OS 13.9 months (95%CI: 8.3–Not reached)"
    facts = [Study(ref=NICE, name="NICE-NEC", registry_ids=("NCT03980925",), document="nice",
                   evidence=(evidence(paper, "NICE-NEC (NCT03980925)"),)),
             Publication(document="nice", title="NICE-NEC", doi="10.1038/s41467-024-50969-8"),
             median_os(paper, quote, 13.9, 8.3)]
    store = load(tmp_path, [paper], facts)
    rows = list(store.query(PREFIXES + """
        SELECT ?value ?lower ?nr ?exact ?start ?end ?study WHERE {
          ?o a nenkg:Outcome ; nenkg:value ?value ; nenkg:ciLower ?lower ; nenkg:ciUpperNotReached ?nr ;
             nenkg:ofStudy ?study ; nenkg:hasEvidence ?ev .
          ?ev oa:hasSelector [ oa:exact ?exact ], [ oa:start ?start ; oa:end ?end ] . }"""))
    assert len(rows) == 1
    row = rows[0]
    assert row["value"] == literal(13.9) and row["lower"] == literal(8.3) and row["nr"] == literal(True)
    assert row["exact"].value == quote
    assert ABSTRACT[int(row["start"].value):int(row["end"].value)] == quote
    assert row["study"].value == "https://w3id.org/nenkg/id/study/nct03980925"
    see_also = list(store.query("SELECT ?x WHERE { <https://w3id.org/nenkg/id/study/nct03980925> "
                                "<http://www.w3.org/2000/01/rdf-schema#seeAlso> ?x }"))
    assert [r["x"].value for r in see_also] == ["https://clinicaltrials.gov/study/NCT03980925"]


def test_the_same_claim_from_two_documents_is_one_node_with_two_pieces_of_evidence(tmp_path: Path) -> None:
    first = document("first", "Median OS was 13.9 months (95% CI 8.3-NR) in NICE-NEC.")
    second = document("second", "In NICE-NEC the median OS was 13.9 months (95% CI 8.3-NR).")
    facts = [median_os(first, first.text, 13.9, 8.3), median_os(second, second.text, 13.9, 8.3)]
    store = load(tmp_path, [first, second], facts)
    rows = list(store.query(PREFIXES + "SELECT ?o (COUNT(DISTINCT ?ev) AS ?n) WHERE { ?o a nenkg:Outcome ; "
                                       "nenkg:hasEvidence ?ev } GROUP BY ?o"))
    assert [int(r["n"].value) for r in rows] == [2]
    graphs = list(store.query(PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?o a nenkg:Outcome } }"))
    assert len(graphs) == 2  # the claim is in both documents' graphs
    assert write_conflicts(store) == 0


def test_different_values_for_one_claim_are_kept_and_linked_as_a_conflict(tmp_path: Path) -> None:
    first = document("first", "Median OS was 13.9 months (95% CI 8.3-NR).")
    second = document("second", "Median OS was 14.1 months (95% CI 8.3-NR).")
    store = load(tmp_path, [first, second],
                 [median_os(first, first.text, 13.9, 8.3), median_os(second, second.text, 14.1, 8.3)])
    assert write_conflicts(store) == 1
    rows = list(store.query(PREFIXES + "SELECT DISTINCT ?value WHERE { ?c a nenkg:Conflict ; nenkg:conflictMember ?m . "
                                       "?m nenkg:value ?value } ORDER BY ?value"))
    assert [r["value"] for r in rows] == [literal(13.9), literal(14.1)]


def test_studies_named_by_acronym_and_registry_id_merge(tmp_path: Path, paper: Document) -> None:
    by_name = study_key(name="NICE-NEC")
    facts = [Study(ref=NICE, name="NICE-NEC", registry_ids=("NCT03980925",), document="nice",
                   evidence=(evidence(paper, "NICE-NEC (NCT03980925)"),)),
             Outcome(study=by_name, population="overall", endpoint=term("ObjectiveResponseRate"),
                     statistic=term("Proportion"), value=56.8, unit=term("Percent"),
                     evidence=(evidence(paper, "The ORR was 56.8%"),))]
    store = load(tmp_path, [paper], facts)
    rows = list(store.query(PREFIXES + "SELECT ?s WHERE { ?o a nenkg:Outcome ; nenkg:ofStudy ?s }"))
    assert [r["s"] for r in rows] == [ox.NamedNode("https://w3id.org/nenkg/id/study/nct03980925")]


def test_names_that_differ_only_in_separators_are_one_study(tmp_path: Path) -> None:
    first = document("first", "The NIPi-NEC trial tested nivolumab and ipilimumab.")
    second = document("second", "In NIPINEC, the ORR was 7.2%.")
    facts = [Study(ref=study_key(name="NIPi-NEC"), name="NIPi-NEC", role="cited",
                   evidence=(evidence(first, "NIPi-NEC trial"),)),
             Study(ref=study_key(name="NIPINEC"), name="NIPINEC", role="cited",
                   evidence=(evidence(second, "NIPINEC"),)),
             Outcome(study=study_key(name="NIPINEC"), population="overall",
                     endpoint=term("ObjectiveResponseRate"), statistic=term("Proportion"), value=7.2,
                     unit=term("Percent"), evidence=(evidence(second, "the ORR was 7.2%"),))]
    store = load(tmp_path, [first, second], facts)
    studies = {r["s"] for r in store.query(PREFIXES + "SELECT DISTINCT ?s WHERE { ?s a nenkg:Study }")}
    assert len(studies) == 1
    names = {r["n"].value for r in store.query(PREFIXES + "SELECT DISTINCT ?n WHERE { ?s nenkg:studyName ?n }")}
    assert names == {"NIPi-NEC", "NIPINEC"}

"""The pipeline entry and the paper's own study, on the real papers of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.document import Document
from loaders.extract import (
    EXTRACTORS,
    ExtractionError,
    Extractor,
    assert_valid_evidence,
    build_context,
    extract_facts,
    merge,
)
from loaders.facts import Evidence, Fact, Outcome, Publication, Study
from loaders.readers import read_document
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {p.name[:3]: read_document(p) for p in sorted(CORPUS.glob("*.txt"))}


def _one(facts: list[Fact], kind: type) -> object:
    """The one fact of ``kind`` that the running-text extractors made (not the cited-trial ones)."""
    found = [f for f in facts if isinstance(f, kind) and getattr(f, "role", "primary") == "primary"
             and f.evidence and f.evidence[0].extractor == "study"]
    assert len(found) == 1, found
    return found[0]


def test_nice_nec_study(docs: dict[str, Document]) -> None:
    facts = extract_facts(docs["000"])
    study = _one(facts, Study)
    assert isinstance(study, Study)
    assert study.ref == "reg:nct03980925"
    assert study.name == "NICE-NEC"
    assert "GETNE-T1913" in study.aliases
    assert study.registry_ids[:2] == ("NCT03980925", "2019-001546-18")
    assert term("SingleArm") in study.designs and term("Multicentre") in study.designs
    assert study.phase == term("Phase2")
    assert study.line == term("FirstLine")
    assert study.centres == 12
    assert study.enrolment_planned == 38
    assert study.countries == ("Spain",)
    assert (study.start_date, study.end_date) == ("2019", "2021")
    assert study.sponsor and study.sponsor.startswith("Grupo Español")
    assert study.role == "primary" and study.document == docs["000"].id
    pub = _one(facts, Publication)
    assert isinstance(pub, Publication) and pub.doi == "10.1038/s41467-024-50969-8"


def test_taipei_cohort_has_no_name_and_is_keyed_by_document(docs: dict[str, Document]) -> None:
    study = _one(extract_facts(docs["002"]), Study)
    assert isinstance(study, Study)
    assert study.ref == "doc:" + docs["002"].id and study.name is None
    assert term("Retrospective") in study.designs
    assert study.enrolment_actual == 56
    assert (study.start_date, study.end_date) == ("January 2016", "June 2023")
    assert study.countries == ("Taiwan",)


def test_nordic_nec_2_is_not_the_nordic_nec_study_it_cites(docs: dict[str, Document]) -> None:
    context = build_context(docs["004"])
    assert context.study == "name:nordic-nec-2"
    assert "nordic-nec" in context.info.scope.other_names
    study = _one(extract_facts(docs["004"]), Study)
    assert isinstance(study, Study)
    assert term("Prospective") in study.designs and study.centres == 9
    assert term("NETG3") in study.neoplasm_types and term("NeuroendocrineCarcinoma") in study.neoplasm_types


def test_a_review_has_no_own_study(docs: dict[str, Document]) -> None:
    facts = extract_facts(docs["003"])
    assert not [f for f in facts if isinstance(f, Study) and f.role == "primary"]
    assert build_context(docs["003"]).study is None


def test_every_quote_is_the_text_at_its_offsets(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        for fact in extract_facts(doc):
            assert fact.evidence, fact
            for ev in fact.evidence:
                assert doc.text[ev.start:ev.end] == ev.quote
                assert ev.section not in {"References", "Acknowledgements"} or isinstance(fact, Study)


def test_a_wrong_quote_is_refused(docs: dict[str, Document]) -> None:
    doc = docs["000"]
    bad = Publication(document=doc.id, evidence=(Evidence(doc.id, 0, 5, "wrong", "x", "1", 1.0),))
    with pytest.raises(ExtractionError, match="000_d94e49e236f24c41"):
        assert_valid_evidence(bad, doc)


def test_same_claim_merges_into_one_fact_with_both_evidence() -> None:
    ev1 = Evidence("d", 0, 1, "a", "x", "1", 0.9)
    ev2 = Evidence("d", 5, 6, "b", "x", "1", 0.9)
    a = Outcome(study="s", population="overall", endpoint=term("OverallSurvival"), statistic=term("Median"),
                value=13.9, evidence=(ev1,))
    b = Outcome(study="s", population="overall", endpoint=term("OverallSurvival"), statistic=term("Median"),
                value=13.9, evidence=(ev2,))
    (merged,) = merge([a, b])
    assert merged.evidence == (ev1, ev2)


def test_extractors_follow_the_protocol() -> None:
    assert EXTRACTORS and all(isinstance(e, Extractor) for e in EXTRACTORS)
    assert [e.name for e in EXTRACTORS][0] == "study"

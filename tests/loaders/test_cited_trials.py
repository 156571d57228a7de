"""The cited-trial extractor on real paragraphs of the corpus."""

from __future__ import annotations

from pathlib import Path

from loaders.extractors import cited_trials
from loaders.extractors.review_results import parse
from loaders.facts import Outcome, Study
from loaders.readers import read_text
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def paragraph(document: str, start: str) -> str:
    text = (CORPUS / f"{document}.txt").read_text(encoding="utf-8")
    a = text.index(start)
    return text[a:text.index("\n\n", a)]


def test_caspian_and_impower133_with_arm_labels() -> None:
    text = paragraph("002_34b4878d2beb713d", "Contrasting the limited efficacy")
    facts = list(cited_trials.extract(read_text("002-discussion", text), None))
    studies = {f.ref for f in facts if isinstance(f, Study)}
    assert studies == {"name:caspian", "name:impower133"}
    assert all(f.role == "cited" for f in facts if isinstance(f, Study))
    outcomes = {(f.study, f.population, local(f.endpoint), f.value) for f in facts if isinstance(f, Outcome)}
    assert outcomes == {
        ("name:caspian", "durvalumab plus platinum-etoposide", "OverallSurvival", 13.0),
        ("name:caspian", "control", "OverallSurvival", 10.3),
        ("name:impower133", "atezolizumab", "OverallSurvival", 12.3),
        ("name:impower133", "placebo", "OverallSurvival", 10.3),
        ("name:impower133", "atezolizumab", "ProgressionFreeSurvival", 5.2),
        ("name:impower133", "placebo", "ProgressionFreeSurvival", 4.3),
    }
    for fact in facts:
        for ev in fact.evidence:
            assert text[ev.start:ev.end] == ev.quote


def test_results_in_following_sentences_and_aliases() -> None:
    text = paragraph("000_d94e49e236f24c41", "therapy, reported an ORR of 9.1%")
    facts = list(cited_trials.extract(read_text("000-discussion", text), None))
    nipinec = next(f for f in facts if isinstance(f, Study) and f.name == "NIPINEC")
    assert nipinec.aliases == ("GCO-001",) and term("Randomised") in nipinec.designs
    outcomes = {(f.population, local(f.endpoint), f.value) for f in facts
                if isinstance(f, Outcome) and f.study == "name:nipinec"}
    assert outcomes == {("lung NECs", "ObjectiveResponseRate", 18.2), ("GEP NECs", "ObjectiveResponseRate", 11.6),
                        ("overall", "ProgressionFreeSurvival", 1.9), ("overall", "OverallSurvival", 5.8)}
    # a sentence about the paper's own study ("Consistent with our study ...") gives the DUNE trial nothing
    assert not [f for f in facts if isinstance(f, Outcome) and f.study == "name:dune"]


def test_a_citation_mark_of_another_source_stops_the_attribution() -> None:
    text = paragraph("003_702b57e71bc14018", "In addition to the potential role in the 1L setting")
    facts = list(cited_trials.extract(read_text("003-seneca", text), None))
    seneca = next(f for f in facts if isinstance(f, Study) and f.name == "SENECA")
    assert seneca.registry_ids == ("NCT03387592",) and seneca.ref == "reg:nct03387592"
    # "Temozolomide monotherapy ... achieved a RR of 15.4%.²⁵" is another source than SENECA's ⁴⁰
    assert not [f for f in facts if isinstance(f, Outcome)]


def test_generic_names_and_own_study_are_not_cited_trials() -> None:
    text = ("The DUNE trial enrolled 123 patients. The WHO 2019 classification study group met at the ESMO meeting. "
            "GEP-NEC trials are rare.")
    facts = list(cited_trials.extract(read_text("made-up", text), None))
    assert [f.ref for f in facts if isinstance(f, Study)] == ["name:dune"]
    assert next(f for f in facts if isinstance(f, Study)).enrolment_actual == 123


def test_results_grammar() -> None:
    found = parse("Median PFS and OS were 2.0 and 9.5 months, respectively")
    assert [(local_name(r.endpoint), r.value, r.unit) for r in found] == [
        ("ProgressionFreeSurvival", 2.0, "Month"), ("OverallSurvival", 9.5, "Month")]
    rate = parse("a 9-month OS rate of 36.1%")[0]
    assert (rate.statistic, rate.value, rate.timepoint, rate.timepoint_unit) == ("Rate", 36.1, 9.0, "Month")
    assert parse("Median OS was shorter by 1.9 months in the combination arm") == []


def local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def local_name(name: str) -> str:
    return name

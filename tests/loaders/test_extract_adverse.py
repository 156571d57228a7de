"""Adverse events by CTCAE grade from running text."""

from __future__ import annotations

from pathlib import Path

from loaders.extract import extract_facts
from loaders.facts import AdverseEvent
from loaders.readers import read_document
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _events(name: str) -> list[AdverseEvent]:
    doc = read_document(next(CORPUS.glob(name + "_*.txt")))
    return [f for f in extract_facts(doc) if isinstance(f, AdverseEvent) and f.evidence[0].extractor == "adverse"]


def test_grade_3_or_higher_list_in_nice_nec() -> None:
    got = {(e.term, e.grade, e.percent) for e in _events("000")}
    assert (term("Neutropenia"), ">=3", 39.5) in got
    assert (term("FebrileNeutropenia"), ">=3", 10.5) in got
    anyae = [e for e in _events("000") if e.count == 23]
    assert anyae and anyae[0].percent == 60.5 and anyae[0].grade == ">=3"


def test_grade_carried_through_the_paragraph_and_left_percentages() -> None:
    got = {(e.term, e.grade, e.percent) for e in _events("002")}
    assert (term("Leukopenia"), ">=3", 21.4) in got  # grade from the sentence before
    assert (term("Hyponatraemia"), ">=3", 7.1) in got  # "7.1% experiencing both hypokalemia and hyponatremia"
    assert (term("Hypokalaemia"), ">=3", 7.1) in got
    assert (term("CreatinineIncreased"), ">=3", 3.6) in got

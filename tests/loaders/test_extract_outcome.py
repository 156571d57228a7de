"""Outcomes of the papers' own studies, read from their sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.document import Document
from loaders.extract import extract_facts
from loaders.extractors.common import Clean, numbers_in_quote
from loaders.facts import Outcome
from loaders.readers import read_document, read_text
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
OS, PFS, ORR, DCR = (term(n) for n in ("OverallSurvival", "ProgressionFreeSurvival", "ObjectiveResponseRate",
                                       "DiseaseControlRate"))
MEDIAN, RATE, PROPORTION, MONTH = term("Median"), term("Rate"), term("Proportion"), term("Month")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[Outcome]]:
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        doc = read_document(path)
        out[path.name[:3]] = [f for f in extract_facts(doc) if isinstance(f, Outcome)
                              and any(e.extractor == "outcome" for e in f.evidence)]
    return out


def _find(facts: list[Outcome], **want: object) -> Outcome:
    found = [f for f in facts if all(getattr(f, k) == v for k, v in want.items())]
    assert found, f"no outcome with {want}"
    return found[0]


def test_nice_nec_abstract_survival_with_not_reached(outcomes: dict[str, list[Outcome]]) -> None:
    o = _find(outcomes["000"], endpoint=OS, statistic=MEDIAN, population="overall", value=13.9)
    assert (o.ci_level, o.ci_lower, o.ci_upper, o.ci_upper_not_reached) == (0.95, 8.3, None, True)
    assert o.unit == MONTH and o.study == "reg:nct03980925"
    assert len(o.evidence) >= 2  # abstract and results say the same
    rate = _find(outcomes["000"], endpoint=OS, statistic=RATE, timepoint=12.0)
    assert (rate.value, rate.ci_lower, rate.ci_upper, rate.timepoint_unit) == (54.1, 40.2, 72.8, MONTH)


def test_rates_at_listed_time_points_respectively(outcomes: dict[str, list[Outcome]]) -> None:
    got = {(o.timepoint, o.value) for o in outcomes["000"] if o.endpoint == OS and o.statistic == RATE
           and o.timepoint_unit == MONTH}
    assert {(6.0, 78.4), (12.0, 54.1), (24.0, 37.6)} <= got
    pfs = {(o.timepoint, o.value) for o in outcomes["000"] if o.endpoint == PFS and o.statistic == RATE}
    assert {(6.0, 43.2), (12.0, 21.6)} <= pfs


def test_subgroups_compared_in_one_parenthesis(outcomes: dict[str, list[Outcome]]) -> None:
    assert _find(outcomes["000"], endpoint=OS, population="NET G3", value=23.3).statistic == MEDIAN
    assert _find(outcomes["000"], endpoint=OS, population="NEC", value=13.9)
    assert _find(outcomes["000"], endpoint=OS, population="Ki-67 ≤55%", value=17.6)
    assert _find(outcomes["000"], endpoint=OS, population="Ki-67 >55%", value=11.7)


def test_best_response_counts(outcomes: dict[str, list[Outcome]]) -> None:
    pr = _find(outcomes["000"], endpoint=term("PartialResponse"), value=56.8)
    assert pr.count == 21 and pr.statistic == PROPORTION
    assert _find(outcomes["000"], endpoint=term("ProgressiveDisease"), value=7.9).count == 3
    assert _find(outcomes["000"], endpoint=term("DurationOfResponse")).range_upper == 27.7


def test_taipei_arms(outcomes: dict[str, list[Outcome]]) -> None:
    facts = outcomes["002"]
    assert _find(facts, endpoint=PFS, population="atezolizumab + EP", value=4.5).range_upper == 15.1
    assert _find(facts, endpoint=OS, population="EP alone", value=11.9).range_upper == 45.2
    assert _find(facts, endpoint=ORR, population="atezolizumab + EP", value=57.1)
    assert _find(facts, endpoint=ORR, population="EP alone", value=23.8)
    assert _find(facts, endpoint=DCR, population="EP alone", value=52.4)
    # the NICE-NEC results that 002 cites are not 002's own
    assert not [o for o in facts if o.value == 56.8]


def test_nordic_nec_2_respectively_and_compared(outcomes: dict[str, list[Outcome]]) -> None:
    facts = outcomes["004"]
    assert _find(facts, endpoint=PFS, population="NET G3", value=7.4, ci_lower=5.5).ci_upper == 9.2
    assert _find(facts, endpoint=OS, population="NEC", value=7.4, ci_lower=6.3).ci_upper == 8.4
    assert _find(facts, endpoint=PFS, population="NEC", value=3.4)
    assert _find(facts, endpoint=DCR, population="NET G3", value=76.0)
    five = _find(facts, endpoint=OS, statistic=RATE, population="NET G3", timepoint=5.0)
    assert five.value == 10.0 and five.timepoint_unit == term("Year")
    assert _find(facts, endpoint=OS, population="NET G3, PS 2", value=5.4)
    # subgroups by primary site, by best response and by line of treatment
    assert _find(facts, endpoint=PFS, population="NEC, colorectal", value=2.4)
    assert _find(facts, endpoint=OS, population="NEC, unknown primary", value=5.8)
    assert _find(facts, endpoint=OS, population="NEC, CR", value=20.6)
    assert _find(facts, endpoint=PFS, population="NET G3, second-line PRRT", value=17.3)
    # "OS ... was 1.9 m for NEC": patients not treated, not the NEC cohort
    untreated = _find(facts, value=1.9)
    assert untreated.population != "NEC" and "not receiving" in untreated.population


def test_cited_trials_are_not_the_own_study(outcomes: dict[str, list[Outcome]]) -> None:
    # DUNE (ORR 9.1%), NIPINEC (ORR 18.2% in lung NECs), NORDIC NEC (ORR 31%) are cited in 000's discussion
    assert not [o for o in outcomes["000"] if o.value in {9.1, 18.2, 11.6, 31.0}]
    # IMpower133 and TOPIC-NEC in 002's discussion
    assert not [o for o in outcomes["002"] if o.value in {12.3, 10.3, 12.5, 54.5}]


def test_review_has_no_running_text_outcomes(outcomes: dict[str, list[Outcome]]) -> None:
    assert outcomes["003"] == []


def test_every_number_is_in_its_quote(outcomes: dict[str, list[Outcome]]) -> None:
    for facts in outcomes.values():
        for o in facts:
            mine = [ev for ev in o.evidence if ev.extractor == "outcome"]
            pieces = {(ev.start, ev.end): ev.quote for ev in mine}
            # a sentence cut by a table is quoted piece by piece: its numbers are in its pieces
            quote = " ".join(pieces.values()) if len(mine) <= 2 else None
            for ev in mine:
                text = quote if quote is not None else ev.quote
                assert numbers_in_quote([o.value, o.ci_lower, o.ci_upper, o.range_lower, o.range_upper, o.count,
                                         o.timepoint], text), (o, ev.quote)


def test_excerpt_through_read_text() -> None:
    text = ("# Nivolumab plus platinum-doublet chemotherapy: the NICE-NEC trial\n\n## Results\n\nAmong the 37 patients evaluable for efficacy, ORR was 56.8% and disease control rate "
            "(DCR) 83.8% (Fig. 2A).\n")
    doc: Document = read_text("excerpt_000", text)
    facts = [f for f in extract_facts(doc) if isinstance(f, Outcome) and f.evidence[0].extractor == "outcome"]
    assert {(f.endpoint, f.value) for f in facts} == {(ORR, 56.8), (DCR, 83.8)}
    for f in facts:
        ev = f.evidence[0]
        assert doc.text[ev.start:ev.end] == ev.quote and "83.8%" in Clean.of(ev.quote, 0, len(ev.quote)).text

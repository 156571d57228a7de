"""The table extractor on real table excerpts of the corpus (characteristics, outcomes, Cox models, AEs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.document import Document
from loaders.extractors import tables
from loaders.facts import AdverseEvent, Characteristic, EffectEstimate, Outcome
from loaders.readers import read_text
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def excerpt(document: str, start: str, end: str) -> Document:
    """A document made of the corpus text from ``start`` up to ``end`` (exclusive), as printed."""
    text = (CORPUS / f"{document}.txt").read_text(encoding="utf-8")
    a = text.index(start)
    return read_text(f"{document}-excerpt", text[a:text.index(end, a)])


@pytest.fixture(scope="module")
def cox_table() -> list:
    doc = excerpt("004_a5a6c1408807182b", "**Table 3.** Final multivariate model", "benefit using platinum/etoposide vs")
    return list(tables.extract(doc, None))


def test_cox_table_reads_every_group_of_columns_with_reference_levels(cox_table: list) -> None:
    effects = [f for f in cox_table if isinstance(f, EffectEstimate)]
    assert len(effects) == 20
    ps2_net_os = [f for f in effects if f.factor == "PS" and f.compared == "2" and f.population == "NET G3"
                  and f.endpoint == term("OverallSurvival")]
    assert len(ps2_net_os) == 1
    hr = ps2_net_os[0]
    assert (hr.value, hr.ci_lower, hr.ci_upper, hr.reference) == (2.97, 1.54, 5.72, "0")
    assert hr.model == term("Multivariable") and hr.measure == "HazardRatio"
    alp = next(f for f in effects if f.factor == "ALP > UNL" and f.population == "NET G3")
    assert (alp.value, alp.p_value, alp.p_value_text) == (2.74, 0.001, "<0.001")
    assert alp.factor_term == term("ALP")


def test_cox_evidence_runs_from_estimate_to_p_value(cox_table: list) -> None:
    age = next(f for f in cox_table if isinstance(f, EffectEstimate) and f.factor == "Age" and f.population == "NEC")
    ev = age.evidence[0]
    assert ev.quote == "1.01\t1.00, 1.02\t0.015"
    assert ev.table == "Table 3" and ev.row == 0 and ev.column == 1


def test_baseline_table_with_a_category_column_and_a_shifted_row() -> None:
    doc = excerpt("000_d94e49e236f24c41", "Table 1 | Baseline characteristics", "CGA Chromogranin A, ECOG PS")
    facts = [f for f in tables.extract(doc, None) if isinstance(f, Characteristic)]
    male_nets = next(f for f in facts if f.characteristic == "Gender" and f.category == "Male"
                     and f.population == "G3 NETs")
    assert (male_nets.count, male_nets.percent) == (9, 75.0)
    age = next(f for f in facts if f.characteristic == "Age" and f.population == "NECs")
    assert (age.statistic, age.value, age.range_lower, age.range_upper) == (term("Median"), 61.0, 28.0, 84.0)
    # the row "\tMetastatic sites number, n (%)\t1\t10 (27.0)\t5 (41.7)" is printed one cell to the right
    shifted = [f for f in facts if f.characteristic == "Metastatic sites number" and f.category == "1"]
    assert {(f.population, f.count) for f in shifted} == {("G3 NENs", 10), ("G3 NETs", 5)}
    assert all(f.evidence[0].confidence < 0.9 for f in shifted)
    assert not [f for f in facts if f.characteristic == "Differentiation" and f.population != "G3 NENs"]


def test_outcome_table_ranges_rates_and_response_counts() -> None:
    doc = excerpt("004_a5a6c1408807182b", "**Table 2.** First-line chemotherapy", "comparing NEC patients with Ki-67")
    facts = list(tables.extract(doc, None))
    outcomes = [f for f in facts if isinstance(f, Outcome)]
    pfs = next(f for f in outcomes if f.endpoint == term("ProgressionFreeSurvival") and f.population == "NEC")
    assert (pfs.value, pfs.ci_lower, pfs.ci_upper, pfs.unit) == (3.4, 2.8, 3.9, term("Month"))
    rate = next(f for f in outcomes if f.statistic == term("Rate") and f.population == "NET G3" and f.timepoint == 5)
    assert (rate.value, rate.timepoint_unit) == (10.0, term("Year"))
    assert rate.evidence[0].quote == "5-year OS\t2%\t10%"
    ps3 = [f for f in outcomes if f.population == "NEC PS 3"]
    assert [(f.value, f.ci_lower, f.ci_upper) for f in ps3] == [(1.2, 0.8, 1.6)]
    pr = next(f for f in outcomes if f.endpoint == term("PartialResponse") and f.population == "NET G3")
    assert (pr.count, pr.value) == (28, 26.0)
    treatments = {(f.category, f.population): f.count for f in facts if isinstance(f, Characteristic)}
    assert treatments[("Carboplatin/etoposide", "NEC")] == 292


def test_adverse_event_table_grade_bands() -> None:
    doc = excerpt("002_34b4878d2beb713d", "**Table 3.** Grades 3-5 adverse events.", "ipilimumab combination, although")
    events = [f for f in tables.extract(doc, None) if isinstance(f, AdverseEvent)]
    grade4 = next(f for f in events if f.grade == "4" and f.population == "EP alone")
    assert (grade4.count, grade4.percent, grade4.term) == (1, 2.4, term("AnyAdverseEvent"))
    leuko = next(f for f in events if f.term == term("Leukopenia") and f.population == "All")
    assert (leuko.grade, leuko.count, leuko.percent) == (">=3", 12, 21.4)
    assert not [f for f in events if f.population.lower().startswith("p")]  # the P column is no population


def test_read_cell_grammar() -> None:
    assert tables.read_cell("25 (67.6)") == tables.Value(count=25, percent=67.6)
    assert tables.read_cell("62.2 ± 13.9") == tables.Value(value=62.2, statistic="Mean")
    assert tables.read_cell("–") is None
    value = tables.read_cell("3.4 m (2.8–3.9 m)")
    assert value is not None and (value.value, value.lower, value.upper, value.unit) == (3.4, 2.8, 3.9, "Month")


@pytest.mark.parametrize("document", ["000_d94e49e236f24c41", "002_34b4878d2beb713d", "003_702b57e71bc14018",
                                      "004_a5a6c1408807182b"])
def test_extractors_take_any_cut_of_a_paper(document: str) -> None:
    """Tables and paragraphs cut anywhere (a row, a caption, a results cell) give facts or nothing, never an error,
    and every quote stays the text of the excerpt."""
    from loaders.extractors import cited_trials, review_tables

    text = (CORPUS / f"{document}.txt").read_text(encoding="utf-8")
    step = max(1, len(text) // 12)
    for start in range(0, len(text) - 200, step):
        for length in (700, 3000):
            doc = read_text(f"{document}-{start}", text[start:start + length])
            for module in (tables, review_tables, cited_trials):
                for fact in module.extract(doc, None):
                    for ev in fact.evidence:
                        assert doc.text[ev.start:ev.end] == ev.quote

"""Population characteristics and biomarker prevalences read from running text."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.extract import extract_facts
from loaders.facts import Characteristic
from loaders.readers import read_document
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def chars() -> dict[str, list[Characteristic]]:
    out = {}
    for name in ("000", "002", "004"):
        doc = read_document(next(CORPUS.glob(name + "_*.txt")))
        out[name] = [f for f in extract_facts(doc) if isinstance(f, Characteristic)
                     and f.evidence[0].extractor == "characteristic"]
    return out


def _find(facts: list[Characteristic], **want: object) -> Characteristic:
    found = [f for f in facts if all(getattr(f, k) == v for k, v in want.items())]
    assert found, f"no characteristic with {want}"
    return found[0]


def test_sites_and_counts_in_parentheses(chars: dict[str, list[Characteristic]]) -> None:
    pancreas = _find(chars["000"], term=term("Pancreas"), count=15)
    assert (pancreas.percent, pancreas.population, pancreas.characteristic) == (40.5, "overall", "pancreas")
    ki = _find(chars["000"], term=term("Ki67"), count=25)
    assert ki.percent == 67.6 and "55%" in (ki.category or "")
    msi = _find(chars["000"], term=term("MSI"), denominator=14)
    assert msi.count == 1


def test_prevalence_per_subgroup(chars: dict[str, list[Characteristic]]) -> None:
    assert _find(chars["004"], term=term("Ki67"), population="NEC", percent=12.0)
    assert _find(chars["004"], term=term("Ki67"), population="NET G3", percent=84.0)
    assert _find(chars["004"], term=term("Pancreas"), population="NET G3", percent=46.0)


def test_gene_alterations_and_both_arms(chars: dict[str, list[Characteristic]]) -> None:
    assert _find(chars["002"], term=term("GeneTP53"), percent=90.0).population == "overall"
    assert _find(chars["002"], characteristic="FBXW7", percent=30.0)
    for arm in ("atezolizumab + EP", "EP alone"):
        assert _find(chars["002"], term=term("Male"), population=arm, percent=64.3)


def test_results_are_not_characteristics(chars: dict[str, list[Characteristic]]) -> None:
    # "ORR was 56.8%" and "95% CI" are not characteristics of the population
    assert not [c for c in chars["000"] if c.percent in {56.8, 95.0} and c.count is None]


def test_medians_per_subgroup_and_median_age() -> None:
    from loaders.readers import read_text

    facts = [f for f in extract_facts(read_document(next(CORPUS.glob("004_*.txt"))))
             if isinstance(f, Characteristic) and f.evidence[0].extractor == "characteristic"]
    ki = {(f.population, f.value) for f in facts if f.term == term("Ki67") and f.statistic == term("Median")}
    assert {("NEC", 90.0), ("NET G3", 30.0)} <= ki
    text = ("# A phase 2 trial in neuroendocrine carcinoma\n\n## Results\n\n"
            "Forty patients were enrolled; the median age was 63 years (range 41–79).\n")
    (age,) = [f for f in extract_facts(read_text("synthetic_age", text)) if isinstance(f, Characteristic)]
    assert (age.term, age.value, age.range_lower, age.range_upper, age.unit) == (term("Age"), 63.0, 41.0, 79.0,
                                                                                  term("Year"))

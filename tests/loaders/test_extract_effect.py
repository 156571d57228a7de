"""Hazard ratios stated in the running text of the papers' own studies."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.extract import extract_facts
from loaders.facts import EffectEstimate
from loaders.readers import read_document
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
OS, PFS = term("OverallSurvival"), term("ProgressionFreeSurvival")


@pytest.fixture(scope="module")
def effects() -> dict[str, list[EffectEstimate]]:
    out = {}
    for name in ("000", "002"):
        doc = read_document(next(CORPUS.glob(name + "_*.txt")))
        out[name] = [f for f in extract_facts(doc) if isinstance(f, EffectEstimate)
                     and f.evidence[0].extractor == "effect"]
    return out


def _hr(facts: list[EffectEstimate], value: float) -> EffectEstimate:
    found = [f for f in facts if f.value == value]
    assert len(found) == 1, found
    return found[0]


def test_univariable_hazard_ratios_cut_by_a_table(effects: dict[str, list[EffectEstimate]]) -> None:
    # "... (NLR) greater than 3 (HR 2.58, 95%" [Table 1] "CI, 1.39-4.72, P = .002) were associated with poorer OS"
    nlr = _hr(effects["002"], 2.58)
    assert (nlr.factor_term, nlr.compared, nlr.endpoint, nlr.model) == (term("NLR"), "greater than 3", OS,
                                                                       term("Univariable"))
    assert (nlr.ci_lower, nlr.ci_upper, nlr.p_value) == (1.39, 4.72, 0.002)
    assert len(nlr.evidence) == 2  # both pieces of the sentence are quoted
    ldh = _hr(effects["002"], 2.39)
    assert ldh.factor_term == term("LDH") and ldh.compared == "above the upper limit of normal"


def test_multivariable_and_arm_comparison(effects: dict[str, list[EffectEstimate]]) -> None:
    atezo = _hr(effects["002"], 1.55)
    assert (atezo.compared, atezo.reference, atezo.model) == ("atezolizumab + EP", "EP alone", term("Multivariable"))
    assert _hr(effects["002"], 1.42).endpoint == PFS
    km = _hr(effects["002"], 1.13)
    assert (km.endpoint, km.p_value, km.p_value_text) == (OS, 0.72, ".72")


def test_subgroup_comparisons_in_nice_nec(effects: dict[str, list[EffectEstimate]]) -> None:
    nets = _hr(effects["000"], 1.37)
    assert nets.reference == "NEC" and (nets.ci_lower, nets.ci_upper) == (0.5, 3.5)
    cga = _hr(effects["000"], 0.26)
    assert (cga.factor_term, cga.endpoint, cga.model) == (term("ChromograninA"), PFS, term("Multivariable"))
    site = _hr(effects["000"], 0.34)
    assert site.compared == "non-colorectal" and site.endpoint == OS

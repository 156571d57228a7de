"""Arms and regimens of the papers' own studies."""

from __future__ import annotations

from pathlib import Path

from loaders.extract import extract_facts
from loaders.facts import Arm
from loaders.readers import read_document
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _arms(name: str) -> dict[str, Arm]:
    doc = read_document(next(CORPUS.glob(name + "_*.txt")))
    return {f.label: f for f in extract_facts(doc) if isinstance(f, Arm) and f.evidence[0].extractor == "regimen"}


def test_nice_nec_induction_then_maintenance() -> None:
    arm = _arms("000")["overall"]
    induction, maintenance = arm.regimens
    assert induction.phase == term("Induction") and maintenance.phase == term("Maintenance")
    assert (induction.cycle_length_days, induction.max_cycles) == (21, 6)
    comps = {c.agent: c for c in induction.components}
    nivo, carbo, eto = comps[term("Nivolumab")], comps[term("Carboplatin")], comps[term("Etoposide")]
    assert (nivo.dose, nivo.dose_unit, nivo.route, nivo.days) == (360.0, "mg", term("Intravenous"), "1")
    assert (carbo.dose, carbo.dose_unit) == (5.0, "AUC")
    assert (eto.dose, eto.dose_unit, eto.days) == (100.0, "mg/m2", "1-3")
    (maint,) = maintenance.components
    assert (maint.agent, maint.dose, maintenance.cycle_length_days) == (term("Nivolumab"), 480.0, 28)
    assert arm.n == 37 and len(arm.evidence) >= 2


def test_taipei_arms_share_the_chemotherapy_backbone() -> None:
    arms = _arms("002")
    assert set(arms) == {"atezolizumab + EP", "EP alone"}
    assert (arms["atezolizumab + EP"].n, arms["EP alone"].n) == (14, 42)
    atezo = {c.agent: c for c in arms["atezolizumab + EP"].regimens[0].components}
    control = {c.agent for c in arms["EP alone"].regimens[0].components}
    assert atezo[term("Atezolizumab")].dose == 1200.0 and term("Atezolizumab") not in control
    assert {term("Etoposide"), term("Cisplatin"), term("Carboplatin")} <= control
    assert arms["EP alone"].regimens[0].cycle_length_days == 21


def test_nordic_cohorts_by_neoplasm_type() -> None:
    arms = _arms("004")
    assert (arms["NEC"].n, arms["NET G3"].n) == (427, 117)
    assert arms["NET G3"].neoplasm_types == (term("NETG3"),)

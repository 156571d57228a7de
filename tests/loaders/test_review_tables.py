"""The review-table extractor on Table 1 of the review (003), read from the corpus as printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.extractors import review_tables
from loaders.facts import Arm, Outcome, Study
from loaders.readers import read_text
from ontology import term

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def facts() -> list:
    text = (CORPUS / "003_702b57e71bc14018.txt").read_text(encoding="utf-8")
    start = text.index("Table 1. Selected studies investigating chemotherapeutic")
    end = text.index("combination over another, and large-scale")
    return list(review_tables.extract(read_text("003-table-1", text[start:end]), None))


def test_every_row_is_a_reviewed_study_keyed_by_its_registry_id(facts: list) -> None:
    studies = {f.ref: f for f in facts if isinstance(f, Study)}
    assert len(studies) == 14  # both printed parts of Table 1
    topic = studies["reg:umin000014795"]
    assert (topic.name, topic.role, topic.enrolment_actual, topic.enrolment_planned) == ("TOPIC-NEC", "reviewed", 170,
                                                                                         None)
    assert topic.status == term("Completed") and topic.line == term("FirstLine")
    assert term("Randomised") in topic.designs and topic.countries == ("Japan",)
    folfirinec = studies["reg:nct04325425"]
    assert folfirinec.enrolment_planned == 218  # recruiting: the enrolment is an estimate
    assert folfirinec.primary_sites == (term("UnknownPrimary"),) and folfirinec.neoplasm_types == (term("GEPNEC"),)
    assert studies["reg:nct03837977"].countries == ("United Kingdom",)


def test_versus_compounds_are_two_arms_with_agents(facts: list) -> None:
    arms = [f for f in facts if isinstance(f, Arm) and f.study == "reg:umin000014795"]
    assert [a.label for a in arms] == ["Etoposide + cisplatin", "irinotecan + cisplatin"]
    assert [c.agent for c in arms[1].regimens[0].components] == [term("Irinotecan"), term("Cisplatin")]
    folfiri = next(f for f in facts if isinstance(f, Arm) and f.label == "FOLFIRI")
    assert {c.agent for c in folfiri.regimens[0].components} == {term("FolinicAcid"), term("Fluorouracil"),
                                                                 term("Irinotecan")}


def test_results_cell_outcomes_with_arm_labels_and_cell_evidence(facts: list) -> None:
    outcomes = [f for f in facts if isinstance(f, Outcome)]
    ip_os = next(f for f in outcomes if f.study == "reg:umin000014795" and f.population == "irinotecan + cisplatin"
                 and f.endpoint == term("OverallSurvival"))
    assert (ip_os.value, ip_os.unit, ip_os.statistic) == (10.9, term("Month"), term("Median"))
    assert ip_os.evidence[0].quote == "OS = 12.5 months (EP) <i>versus</i> 10.9 months (IP)"
    assert ip_os.evidence[0].table == "Table 1" and ip_os.evidence[0].column == 9
    # "(IP)" is the arm whose agents it names; "6 mo PFS rate: 31% versus 14.8%": values in the order of the arms
    rates = {f.population: f.value for f in outcomes if f.study == "reg:nct03837977" and f.timepoint == 6}
    assert rates == {"Liposomal irinotecan + 5-FU/folinic acid": 31.0, "docetaxel": 14.8}
    nec = [f for f in outcomes if f.study == "reg:nct03079440"]
    assert {f.population for f in nec} == {"NEC"} and len(nec) == 4  # "n = 7 (NEC) ORR: 14.3%, ..."


def test_registry_ids_and_name_aliases() -> None:
    assert review_tables.registry_ids("NCT03980925, EudraCT 2019-001546-18") == ("NCT03980925", "2019-001546-18")
    assert review_tables.name_aliases("GCO-001 NIPINEC") == ("GCO-001", "NIPINEC")
    assert review_tables.name_aliases("TAS-102 NEC") == ()

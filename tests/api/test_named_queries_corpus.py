"""Every named query on the corpus graph built from the four papers, through a real server: each test
checks values printed in the papers (quoted in the comments), not only that the query runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from queries import load_queries

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
NICE_NEC_TEXT = "000_d94e49e236f24c41.txt"


@pytest.fixture(scope="module")
def client(corpus_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def rows(client: httpx.Client, name: str, **params: str) -> list[dict[str, Any]]:
    """The rows of a named query as plain values (numbers as text, as printed by the engine)."""
    response = client.get(f"/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def has(found: list[dict[str, Any]], **expected: str) -> bool:
    return any(all(row.get(k) == v for k, v in expected.items()) for row in found)


def test_every_named_query_is_tested_here() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(load_queries()) <= tested


def test_outcomes_of_study(client: httpx.Client) -> None:
    # NICE-NEC abstract: "median OS 13.9 months (95%CI: 8.3–Not reached)"; "The ORR was 56.8%".
    found = rows(client, "outcomes_of_study", study="NICE-NEC")
    assert has(found, endpointLabel="overall survival", statisticLabel="median", value="13.9",
               ciLower="8.3", ciUpperNotReached="true", populationLabel="all patients")
    assert has(found, endpointLabel="objective response rate", value="56.8")
    assert has(found, endpointLabel="progression-free survival", statisticLabel="median", value="5.7")
    # the same study by its registry identifier
    assert has(rows(client, "outcomes_of_study", study="NCT03980925"), value="13.9", ciLower="8.3")


def test_outcomes_by_regimen_class(client: httpx.Client) -> None:
    # Review, Table 1, PRODIGE 41-BEVANEC (FOLFIRI + bevacizumab): "median PFS = 3.7 months ...
    # median OS = 7.0 months ... ORR: 25.5%". Bevacizumab is an angiogenesis inhibitor, so the
    # reasoner classifies the regimen as a TargetedTherapyRegimen.
    found = rows(client, "outcomes_by_regimen_class", regimenClass="TargetedTherapyRegimen")
    assert has(found, studyLabel="PRODIGE 41-BEVANEC", endpointLabel="overall survival", value="7",
               regimenLabel="FOLFIRI + bevacizumab")
    assert has(found, studyLabel="PRODIGE 41-BEVANEC", endpointLabel="progression-free survival", value="3.7")
    assert has(found, studyLabel="PRODIGE 41-BEVANEC", endpointLabel="objective response rate", value="25.5")
    assert any("OS = 7.0 months" in row["quotes"] for row in found)
    only_os = rows(client, "outcomes_by_regimen_class", regimenClass="TargetedTherapyRegimen",
                   endpoint="OverallSurvival")
    assert only_os and {row["endpointLabel"] for row in only_os} == {"overall survival"}
    # Not a platinum regimen: the class restricts the answer.
    assert not has(rows(client, "outcomes_by_regimen_class", regimenClass="PlatinumBasedRegimen"),
                   studyLabel="PRODIGE 41-BEVANEC")


def test_median_survival_by_regimen_class(client: httpx.Client) -> None:
    # PRODIGE 41-BEVANEC is a 2nd-line trial (review Table 1): median OS 7.0 months.
    found = rows(client, "median_survival_by_regimen_class", regimenClass="TargetedTherapyRegimen",
                 line="SecondLine")
    assert has(found, studyLabel="PRODIGE 41-BEVANEC", median="7")
    assert not has(rows(client, "median_survival_by_regimen_class", regimenClass="TargetedTherapyRegimen",
                        line="FirstLine"), studyLabel="PRODIGE 41-BEVANEC")


def test_prognostic_hazard_ratios(client: httpx.Client) -> None:
    # NORDIC NEC 2, Table 3 (NEC, multivariable): "Ki-67 ≥ 55% 1.44 1.05, 1.98 0.02".
    found = rows(client, "prognostic_hazard_ratios", factor="Ki-67")
    assert has(found, studyLabel="NORDIC NEC 2", populationLabel="NEC", hr="1.44", ciLower="1.05",
               ciUpper="1.98", pValue="0.02", modelLabel="multivariable")
    assert all("ki-67" in row["factorLabel"].lower() for row in found)
    # The Taipei cohort: "NLR greater than 3 ... (HR 2.24 ...)" for OS.
    assert has(rows(client, "prognostic_hazard_ratios", factor="NLR"), hr="2.24", ciLower="1.14", ciUpper="4.4")


def test_significant_prognostic_factors(client: httpx.Client) -> None:
    # NORDIC NEC 2 NET G3: "ALP > UNL 2.74 1.70, 4.43 <0.001"; NEC: "Female sex 0.79 0.65, 0.98 0.027".
    strict = rows(client, "significant_prognostic_factors", alpha="0.01")
    assert has(strict, factor="ALP > UNL", value="2.74", ciLower="1.7", ciUpper="4.43")
    assert not has(strict, factor="Female sex")
    assert has(rows(client, "significant_prognostic_factors"), factor="Female sex", value="0.79", pValue="0.027")


def test_trials(client: httpx.Client) -> None:
    # Review Table 1: "FOLFIRINEC  Randomised phase II  GEP-NEC, UNK  1st Line  NCT04325425  Recruiting  218  France".
    found = rows(client, "trials", status="Recruiting", country="France")
    assert has(found, studyLabel="FOLFIRINEC", registryIds="NCT04325425", plannedEnrolment="218",
               lineName="first line", phase="phase 2")
    assert all("France" in row["countries"] for row in found)
    assert not has(rows(client, "trials", status="Completed"), studyLabel="FOLFIRINEC")
    assert has(rows(client, "trials", line="FirstLine"), studyLabel="FOLFIRINEC")


def test_regimens_with_agent_class(client: httpx.Client) -> None:
    # NIPINEC: nivolumab + ipilimumab; AVENEC: avelumab (a PD-L1, not a PD-1, inhibitor).
    pd1 = rows(client, "regimens_with_agent_class", agentClass="PD1Inhibitor")
    assert has(pd1, regimenLabel="Nivolumab + ipilimumab")
    assert not any(row["regimenLabel"] == "Avelumab" for row in pd1)
    any_checkpoint = rows(client, "regimens_with_agent_class")  # ImmuneCheckpointInhibitor, a superclass
    assert has(any_checkpoint, regimenLabel="Avelumab") and has(any_checkpoint, regimenLabel="Nivolumab + ipilimumab")


def test_biomarker_prevalence(client: httpx.Client) -> None:
    # NICE-NEC Table 1: "Ki 67 ... >55% 25 (67.6)" of the 37 patients.
    found = rows(client, "biomarker_prevalence", biomarker="Ki67")
    assert has(found, studyLabel="NICE-NEC", category=">55%", count="25", percent="67.6")
    assert {row["markerLabel"] for row in found} == {"Ki-67 index"}


def test_severe_adverse_events_by_regimen(client: httpx.Client) -> None:
    # Taipei cohort, Table 3, grade >= 3: "Anemia 9 (16.1) 3 (21.4) 6 (14.3)".
    found = rows(client, "severe_adverse_events_by_regimen")
    assert has(found, eventLabel="anaemia", populationLabel="all patients", count="9", percent="16.1")
    assert has(found, eventLabel="anaemia", populationLabel="atezolizumab + EP", count="3", percent="21.4")
    assert has(found, eventLabel="anaemia", populationLabel="EP alone", count="6", percent="14.3")


def test_conflicting_values(client: httpx.Client) -> None:
    found = rows(client, "conflicting_values")
    members: dict[str, set[str]] = {}
    for row in found:
        members.setdefault(row["conflict"], set()).add(row.get("value", ""))
    assert members and all(len(values) >= 2 for values in members.values())  # different values side by side
    assert all(row["quotes"] and row["documents"].endswith(".txt") for row in found)


def test_evidence_for_fact(client: httpx.Client) -> None:
    os_rows = [row for row in rows(client, "outcomes_of_study", study="NICE-NEC")
               if row.get("ciLower") == "8.3" and row["value"] == "13.9"]
    assert os_rows
    evidence = rows(client, "evidence_for_fact", fact=os_rows[0]["outcome"])
    assert evidence
    text = (CORPUS / NICE_NEC_TEXT).read_text(encoding="utf-8")
    for row in evidence:
        assert row["fileName"] == NICE_NEC_TEXT
        assert "13.9" in row["quote"]
        # The quote is the exact text of the paper at its offsets.
        assert text[int(row["start"]):int(row["end"])] == row["quote"]


def test_publications_citing_trial(client: httpx.Client) -> None:
    # NICE-NEC is reported by Riesco-Martinez 2024 and cited by the Taipei paper ("the NICE-NEC Phase II trial").
    found = rows(client, "publications_citing_trial", trial="NCT03980925")
    assert has(found, role="reports results", doi="10.1038/s41467-024-50969-8")
    assert any(row["role"] == "cites" and row["publicationTitle"].startswith("Efficacy of atezolizumab")
               for row in found)
    by_name = rows(client, "publications_citing_trial", trial="nice-nec")
    assert [{**row, "trial": ""} for row in by_name] == [{**row, "trial": ""} for row in found]


def test_response_rates(client: httpx.Client) -> None:
    found = rows(client, "response_rates", endpoint="ObjectiveResponseRate")
    assert has(found, studyLabel="NICE-NEC", populationLabel="all patients", value="56.8")
    assert has(found, studyLabel="PRODIGE 41-BEVANEC", value="25.5")
    assert {row["endpointLabel"] for row in found} == {"objective response rate"}


def test_landmark_survival_rates(client: httpx.Client) -> None:
    # NICE-NEC: 12-month OS rate 54.1% (95% CI 40.2–72.8); DUNE: "9-month OS rate of 36.1%".
    found = rows(client, "landmark_survival_rates")
    assert has(found, studyLabel="NICE-NEC", timepoint="12", rate="54.1", ciLower="40.2", ciUpper="72.8")
    assert has(found, studyLabel="DUNE", timepoint="9", rate="36.1")


def test_median_survival_above(client: httpx.Client) -> None:
    # NICE-NEC NET G3 subgroup: median OS 23.3 months; the whole NICE-NEC cohort (13.9) is below 15.
    found = rows(client, "median_survival_above", minMonths="15")
    assert has(found, studyLabel="NICE-NEC", populationLabel="NET G3", median="23.3")
    assert not has(found, studyLabel="NICE-NEC", populationLabel="all patients", median="13.9")
    assert all(float(row["median"]) > 15 or row.get("valueNotReached") == "true" for row in found)
    assert has(rows(client, "median_survival_above"), median="13.9", populationLabel="all patients")


def test_populations_by_neoplasm_type(client: httpx.Client) -> None:
    found = rows(client, "populations_by_neoplasm_type", neoplasmType="NETG3")
    assert has(found, studyLabel="NORDIC NEC 2", populationLabel="NET G3")
    wider = rows(client, "populations_by_neoplasm_type")  # HighGradeNeoplasmType includes NET G3 and NEC
    assert len(wider) > len(found) and has(wider, studyLabel="NORDIC NEC 2", populationLabel="NEC")


def test_regimen_components(client: httpx.Client) -> None:
    found = rows(client, "regimen_components", agent="Etoposide")
    regimens = {row["regimenLabel"] for row in found}
    assert "Etoposide + cisplatin" in regimens  # TOPIC-NEC's EP arm
    assert has(found, regimenLabel="Etoposide + cisplatin", agentLabel="cisplatin")
    assert all(label != "irinotecan + cisplatin" for label in regimens)


def test_checkpoint_inhibitor_trials(client: httpx.Client) -> None:
    # Review Table 4: NCT02834013 (DART, nivolumab + ipilimumab) recruiting.
    found = rows(client, "checkpoint_inhibitor_trials", status="Recruiting")
    assert has(found, registryIds="NCT02834013", statusName="recruiting")
    assert all(row["statusName"] == "recruiting" for row in found)
    pdl1 = rows(client, "checkpoint_inhibitor_trials", agentClass="PDL1Inhibitor")
    assert any("avelumab" in row["agents"] for row in pdl1)
    assert all("nivolumab" not in row["agents"] for row in pdl1)


def test_study_arms(client: httpx.Client) -> None:
    # TOPIC-NEC (JCOG1213) compares etoposide + cisplatin with irinotecan + cisplatin.
    found = rows(client, "study_arms", study="TOPIC-NEC")
    assert {row["armLabel"] for row in found} == {"Etoposide + cisplatin", "irinotecan + cisplatin"}
    # NICE-NEC abstract: "nivolumab ..., carboplatin ... and etoposide ... for up to six cycles, followed
    # by nivolumab 480 mg every 4 weeks": the maintenance shows although the arm's other regimen has none.
    nice = rows(client, "study_arms", study="NCT03980925")
    assert any("nivolumab" in row.get("followedBy", "") and "carboplatin" in row.get("regimens", "")
               for row in nice)


def test_publications(client: httpx.Client) -> None:
    found = rows(client, "publications")
    assert {row.get("doi") for row in found} >= {"10.1038/s41467-024-50969-8", "10.1177/17588359231156870",
                                                  "10.1038/s41416-025-03054-w"}
    assert {row["fileName"] for row in found} == {p.name for p in CORPUS.glob("*.txt")}
    assert all(int(row["evidenceCount"]) > 0 for row in found)


def test_class_counts(client: httpx.Client) -> None:
    counts = {row["class"].rsplit("#", 1)[1]: int(row["nodes"]) for row in rows(client, "class_counts")}
    assert counts["Publication"] == 4
    assert counts["Study"] > 50  # the review lists about 40 trials, the papers cite more
    assert counts["Outcome"] > 100 and counts["HazardRatio"] > 10


def test_agents_and_mappings(client: httpx.Client) -> None:
    found = rows(client, "agents_and_mappings", agentClass="PlatinumCompound")
    cisplatin = next(row for row in found if row["agentLabel"] == "cisplatin")
    assert "http://purl.obolibrary.org/obo/CHEBI_27899" in cisplatin["mappings"].split()
    assert "http://purl.obolibrary.org/obo/NCIT_C376" in cisplatin["mappings"].split()
    assert int(cisplatin["regimens"]) > 0
    assert {row["agentLabel"] for row in found} >= {"cisplatin", "carboplatin"}
    assert "etoposide" not in {row["agentLabel"] for row in found}


def test_evidence_by_section(client: httpx.Client) -> None:
    found = rows(client, "evidence_by_section")
    files = {row["fileName"] for row in found}
    assert files == {p.name for p in CORPUS.glob("*.txt")}
    assert has(found, fileName=NICE_NEC_TEXT, place="Table 1")
    confident = rows(client, "evidence_by_section", minConfidence="0.99")
    assert sum(int(r["spans"]) for r in confident) < sum(int(r["spans"]) for r in found)

"""``/queries`` on a real server over the NICE-NEC excerpt."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture()
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


def test_list(client: httpx.Client) -> None:
    queries = client.get("/queries").json()
    assert len(queries) >= 20
    by_name = {q["name"]: q for q in queries}
    study = by_name["outcomes_of_study"]
    assert study["params"] == [{"name": "study", "type": "string", "default": "NICE-NEC", "required": False,
                                "description": "study name or registry identifier"}]
    assert study["url"].endswith("/queries/outcomes_of_study") and "SELECT" in study["sparql"]


def test_run_with_defaults_and_parameters(client: httpx.Client) -> None:
    rows = client.get("/queries/outcomes_of_study").json()["results"]["bindings"]
    os_rows = [r for r in rows if r.get("endpointLabel", {}).get("value") == "overall survival"]
    assert [(r["value"]["value"], r["ciLower"]["value"], r["ciUpperNotReached"]["value"]) for r in os_rows] == [
        ("13.9", "8.3", "true")]
    assert os_rows[0]["quotes"]["value"] == "median OS 13.9 months (95%CI: 8.3–Not reached)"
    by_id = client.get("/queries/outcomes_of_study", params={"study": "nct03980925"}).json()
    assert len(by_id["results"]["bindings"]) == len(rows) == 3
    other = client.get("/queries/outcomes_of_study", params={"study": "CASPIAN"}).json()
    assert other["results"]["bindings"] == []


def test_term_parameter_through_the_class_hierarchy(client: httpx.Client) -> None:
    def regimens(agent_class: str) -> set[str]:
        body = client.get("/queries/regimens_with_agent_class", params={"agentClass": agent_class}).json()
        return {r["agents"]["value"] for r in body["results"]["bindings"]}

    assert regimens("PD1Inhibitor") == {"nivolumab"}
    assert regimens("ImmuneCheckpointInhibitor") == {"nivolumab"}  # PD1Inhibitor subClassOf ICI
    assert regimens("PlatinumCompound") == {"carboplatin"}
    assert regimens("CTLA4Inhibitor") == set()


def test_formats_and_errors(client: httpx.Client) -> None:
    response = client.get("/queries/outcomes_of_study", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert {row["value"] for row in csv.DictReader(io.StringIO(response.text))} == {"13.9", "5.7", "56.8"}
    response = client.get("/queries/outcomes_of_study", headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    assert client.get("/queries/nothing").status_code == 404
    bad = client.get("/queries/significant_prognostic_factors", params={"alpha": "0.05) || true || (1"})
    assert bad.status_code == 400 and "alpha" in bad.text
    assert client.get("/queries/outcomes_of_study", params={"nope": "1"}).status_code == 400
    missing = client.get("/queries/evidence_for_fact")
    assert missing.status_code == 400 and "needs the parameter 'fact'" in missing.text


def test_evidence_for_fact(client: httpx.Client) -> None:
    body = client.get("/queries/evidence_for_fact",
                      params={"fact": "id:outcome/nice-nec-os"}).json()["results"]["bindings"]
    assert [(r["quote"]["value"], r["start"]["value"], r["end"]["value"], r["fileName"]["value"]) for r in body] == [
        ("median OS 13.9 months (95%CI: 8.3–Not reached)", "1620", "1666", "000_d94e49e236f24c41.txt")]

"""The exploration API and page through the app, on a store holding the NICE-NEC excerpt."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import explore
from api.app import create_app
from api.explore_page import SERVER_CSP, json_for_script, standalone_page
from api.settings import Settings
from graph.store import OxigraphStore, Store
from ontology import NS, ONTOLOGY_GRAPH, TURTLE_PATH

EXCERPT = Path(__file__).resolve().parents[1] / "browser" / "nice_nec_excerpt.trig"
D = "https://w3id.org/nenkg/id/"
NIVOLUMAB, OS = NS + "Nivolumab", D + "outcome/nice-nec-os"


def make_app(store: Store) -> FastAPI:
    """The full application (the explorer is one of its routers) over ``store``."""
    return create_app(Settings.resolve(store=store.location), store)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = OxigraphStore(tmp_path_factory.mktemp("api") / "store")
    store.load_file(TURTLE_PATH, ONTOLOGY_GRAPH)
    store.load_dataset(EXCERPT, "trig")
    with TestClient(make_app(store)) as c:
        yield c
    store.close()


def test_page_is_offline_and_has_a_policy(client: TestClient) -> None:
    response = client.get("/explore", params={"focus": NIVOLUMAB, "depth": 3})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == SERVER_CSP
    page = response.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vis/vis-network.min.js" in sources
    assert all(s.startswith("/") for s in sources), sources  # nothing from another origin
    for path in sources:
        if path.startswith("/static/"):
            assert client.get(path).status_code == 200
    assert "https://w3id.org/nenkg/ontology#Nivolumab" in page  # the focus, as JSON data


def test_focus_is_data_not_markup(client: TestClient) -> None:
    page = client.get("/explore", params={"focus": "</script><script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in page
    assert "\\u003c/script\\u003e" in page


def test_graph_json_ego_network_and_errors(client: TestClient) -> None:
    data = client.get("/explore/graph.json", params={"focus": NIVOLUMAB, "depth": 3}).json()
    ids = {n["id"] for n in data["nodes"]}
    assert {NIVOLUMAB, D + "study/nct03980925", OS} <= ids
    assert data["focus"] == NIVOLUMAB
    only = client.get("/explore/graph.json", params={"kinds": "agent,study"}).json()
    assert {n["kind"] for n in only["nodes"]} == {"agent", "study"}
    assert client.get("/explore/graph.json", params={"focus": D + "study/none"}).status_code == 404
    bad = client.get("/explore/graph.json", params={"kinds": "drugs"})
    assert bad.status_code == 400 and "unknown kinds" in bad.json()["detail"]


def test_too_large_views_get_a_message(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explore.render, "MAX_NODES", 5)
    response = client.get("/explore/graph.json")
    assert response.status_code == 413
    body = response.json()
    assert body["limit"] == 5 and body["nodes"] > 5 and "choose a focus entity" in body["detail"]


def test_neighbours_entity_search(client: TestClient) -> None:
    near = client.get("/explore/neighbours", params={"iri": NIVOLUMAB}).json()
    assert {n["id"] for n in near["nodes"]} == {NIVOLUMAB, D + "regimen/nice-nec-induction"}
    details = client.get("/explore/entity", params={"iri": OS}).json()
    assert details["evidence"][0]["quote"] == "median OS 13.9 months (95%CI: 8.3\u2013Not reached)"
    page = client.get(details["page"], headers={"Accept": "text/html"})  # the side panel's link
    assert page.status_code == 200 and "13.9" in page.text
    drug = client.get("/explore/entity", params={"iri": NIVOLUMAB}).json()
    assert drug["page"] == "/ontology/Nivolumab"
    assert client.get(drug["page"], headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/explore/entity", params={"iri": D + "outcome/none"}).status_code == 404
    assert client.get("/explore/entity", params={"iri": "not an iri"}).status_code == 400
    hits = client.get("/explore/search", params={"q": "nivolumab"}).json()["results"]
    assert hits[0] == {"iri": NIVOLUMAB, "label": "nivolumab", "kind": "agent"}


def test_paths_rank_components(client: TestClient) -> None:
    body = client.get("/paths", params={"from": NIVOLUMAB, "to": OS}).json()
    assert body["length"] == 3
    assert [s["label"] for s in body["paths"][0]][0] == "nivolumab"
    assert {n["id"] for n in body["graph"]["nodes"]} == {s["iri"] for s in body["paths"][0]}
    assert client.get("/paths", params={"from": NIVOLUMAB, "to": D + "x/y"}).status_code == 404
    ranked = client.get("/explore/rank", params={"measure": "betweenness", "limit": 3}).json()["results"]
    assert len(ranked) == 3 and ranked[0]["score"] >= ranked[1]["score"]
    assert client.get("/explore/rank", params={"measure": "magic"}).status_code == 400
    comps = client.get("/explore/components").json()
    assert comps["components"][0]["size"] == comps["nodes"]
    assert client.get("/static/vis/../app.py").status_code == 404


def test_standalone_page_policy_allows_exactly_its_inline_code() -> None:
    page, csp = standalone_page({"nodes": [], "edges": [], "options": {}, "legend": []}, {}, title="<x>")
    assert "<title>&lt;x&gt;</title>" in page
    assert "http://" not in csp and "https://" not in csp and "'unsafe-inline'" not in csp
    assert csp.count("'sha256-") == 4
    assert json_for_script("</script>") == '"\\u003c/script\\u003e"'


@pytest.fixture(scope="module")
def corpus_client(corpus_store_path: Path) -> Iterator[TestClient]:
    store = OxigraphStore(corpus_store_path, read_only=True)
    with TestClient(make_app(store)) as c:
        yield c
    store.close()


def test_corpus_paths_from_a_drug_to_a_biomarker(corpus_client: TestClient) -> None:
    body = corpus_client.get("/paths", params={"from": NIVOLUMAB, "to": NS + "Ki67"}).json()
    assert body["paths"], "nivolumab and Ki-67 are not connected in the corpus graph"
    for path in body["paths"]:
        assert path[0]["label"] == "nivolumab" and path[-1]["iri"] == NS + "Ki67"
        # Through what NICE-NEC reported about Ki-67: a hazard ratio or a characteristic.
        assert path[-2]["kind"] in {"effect", "characteristic"}
    assert len(body["edges"][0]) == body["length"]


def test_corpus_ranking_and_communities(corpus_client: TestClient) -> None:
    top = corpus_client.get("/explore/rank", params={"limit": 5}).json()["results"]
    assert "NICE-NEC" in [r["label"] for r in top]
    body = corpus_client.get("/explore/components").json()
    assert body["nodes"] > 500 and len(body["communities"]) > 1
    assert body["components"][0]["size"] > body["nodes"] // 2
    whole = corpus_client.get("/explore/graph.json")
    if body["nodes"] <= explore.render.MAX_NODES:
        assert whole.status_code == 200 and len(whole.json()["nodes"]) == body["nodes"]
    else:
        assert whole.status_code == 413 and whole.json()["nodes"] == body["nodes"]

"""Entity pages and label search on a real server over the NICE-NEC excerpt."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

OS = "https://w3id.org/nenkg/id/outcome/nice-nec-os"


@pytest.fixture()
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


def test_html_page_for_people(client: httpx.Client) -> None:
    response = client.get("/id/outcome/nice-nec-os", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>NICE-NEC median overall survival</h1>" in page
    assert ">outcome</a>" in page or "/ontology/Outcome" in page  # its type, linked
    assert "median OS 13.9 months (95%CI: 8.3–Not reached)" in page  # the evidence quote
    assert "characters 1620–1666" in page and "000_d94e49e236f24c41" in page
    assert 'href="/id/study/nct03980925"' in page  # a linked entity, served here
    assert "13.9" in page and "8.3" in page


def test_labels_are_escaped(client: httpx.Client) -> None:
    page = client.get("/id/population/nice-nec-overall", headers={"Accept": "text/html"}).text
    assert "&lt;b&gt;arm&lt;/b&gt;" in page and "<b>arm</b>" not in page


def test_external_links(client: httpx.Client) -> None:
    page = client.get("/id/study/nct03980925", headers={"Accept": "text/html"}).text
    assert 'href="https://clinicaltrials.gov/study/NCT03980925"' in page


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_rdf_for_machines(client: httpx.Client, accept: str, fmt: ox.RdfFormat) -> None:
    response = client.get("/id/outcome/nice-nec-os", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    triples = list(ox.parse(response.content, format=fmt))
    assert {t.subject for t in triples} == {ox.NamedNode(OS)}
    values = {t.object.value for t in triples if t.predicate.value.endswith("#value")}
    assert values == {"13.9"}


def test_format_parameter_and_406(client: httpx.Client) -> None:
    response = client.get("/id/outcome/nice-nec-os", params={"format": "turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert client.get("/id/outcome/nice-nec-os", headers={"Accept": "image/png"}).status_code == 406


def test_ontology_terms_and_any_iri(client: httpx.Client) -> None:
    page = client.get("/ontology/Nivolumab", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "PD-1 inhibitor" in page.text
    response = client.get("/entity", params={"iri": OS}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and OS in response.text


def test_unknown_entities_are_404(client: httpx.Client) -> None:
    assert client.get("/id/outcome/none").status_code == 404
    assert client.get("/id/outcome/none", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/entity", params={"iri": "not an iri"}).status_code == 400


def test_search(client: httpx.Client) -> None:
    results = client.get("/search", params={"q": "NIVOLUMAB"}).json()
    iris = [r["iri"] for r in results]
    assert iris[0] == "https://w3id.org/nenkg/ontology#Nivolumab"  # the shortest label first
    assert "https://w3id.org/nenkg/id/component/nice-nec-nivolumab" in iris
    assert results[0]["url"] == "/ontology/Nivolumab"
    assert client.get("/search", params={"q": '") } DROP ALL'}).json() == []
    page = client.get("/search", params={"q": "<b>nivolumab"}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "&lt;b&gt;nivolumab" in page.text
    page = client.get("/search", params={"q": "nivolumab"}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert 'href="/ontology/Nivolumab"' in page.text

"""The SPARQL 1.1 Protocol on a real server: the W3C protocol tests for queries, content negotiation,
and real clients (SPARQLWrapper, rdflib's SPARQLStore)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

NENKG = "https://w3id.org/nenkg/ontology#"
DOCUMENT_GRAPH = "https://w3id.org/nenkg/id/graph/document/000_d94e49e236f24c41"
ONTOLOGY_GRAPH = "https://w3id.org/nenkg/id/graph/ontology"
OS_QUERY = f"""PREFIX nenkg: <{NENKG}>
SELECT ?value ?lower WHERE {{ ?o nenkg:hasEndpoint nenkg:OverallSurvival ; nenkg:value ?value ;
  nenkg:ciLower ?lower }}"""
ASK = f"ASK {{ ?s <{NENKG}studyName> \"NICE-NEC\" }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{NENKG}studyName> ?n }} WHERE {{ ?s <{NENKG}studyName> ?n }}"
DESCRIBE = "DESCRIBE <https://w3id.org/nenkg/id/outcome/nice-nec-os>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"


@pytest.fixture()
def client(server: str) -> httpx.Client:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(SRJ)
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def count(response: httpx.Response) -> int:
    return int(bindings(response)[0]["n"])


# --- the three ways of sending a query ----------------------------------------------------

def test_query_get(client: httpx.Client) -> None:
    rows = bindings(client.get("/sparql", params={"query": OS_QUERY}))
    assert rows == [{"value": "13.9", "lower": "8.3"}]


def test_query_post_form(client: httpx.Client) -> None:
    rows = bindings(client.post("/sparql", data={"query": OS_QUERY}))
    assert rows == [{"value": "13.9", "lower": "8.3"}]


def test_query_post_direct(client: httpx.Client) -> None:
    response = client.post("/sparql", content=OS_QUERY.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert bindings(response) == [{"value": "13.9", "lower": "8.3"}]


def test_query_post_direct_with_utf8_charset(client: httpx.Client) -> None:
    query = 'SELECT ?x WHERE { BIND("naïve – ünicode" AS ?x) }'
    response = client.post("/sparql", content=query.encode(),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert bindings(response) == [{"x": "naïve – ünicode"}]


# --- dataset --------------------------------------------------------------------------------

def test_default_graph_is_the_union_of_all_graphs(client: httpx.Client) -> None:
    union = count(client.get("/sparql", params={"query": COUNT}))
    document = count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": DOCUMENT_GRAPH}))
    ontology = count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": ONTOLOGY_GRAPH}))
    assert document > 0 and ontology > 0
    assert union == document + ontology


def test_dataset_default_graphs_get_and_post(client: httpx.Client) -> None:
    both = [("query", COUNT), ("default-graph-uri", DOCUMENT_GRAPH), ("default-graph-uri", ONTOLOGY_GRAPH)]
    by_get = count(client.get("/sparql", params=both))
    by_post = count(client.post("/sparql", data=dict(both[:2]) | {}, params=[both[2]]))
    union = count(client.get("/sparql", params={"query": COUNT}))
    assert by_get == union
    assert by_post == union


def test_dataset_named_graphs(client: httpx.Client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = bindings(client.get("/sparql", params={"query": query, "named-graph-uri": ONTOLOGY_GRAPH}))
    assert rows == [{"g": ONTOLOGY_GRAPH}]
    rows = bindings(client.post("/sparql", data={"query": query, "named-graph-uri": DOCUMENT_GRAPH}))
    assert rows == [{"g": DOCUMENT_GRAPH}]


def test_dataset_full_and_protocol_overrides_from(client: httpx.Client) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    from_clause = count(client.get("/sparql", params={"query": query}))
    overridden = count(client.get("/sparql", params={"query": query, "default-graph-uri": DOCUMENT_GRAPH}))
    document = count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": DOCUMENT_GRAPH}))
    assert from_clause < document
    assert overridden == document
    full = "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
    rows = bindings(client.get("/sparql", params={"query": full, "default-graph-uri": ONTOLOGY_GRAPH,
                                                  "named-graph-uri": DOCUMENT_GRAPH}))
    assert {r.get("g") for r in rows} == {None, DOCUMENT_GRAPH}


def test_from_named_without_from_has_an_empty_default_graph(client: httpx.Client) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(client.get("/sparql", params={"query": query})) == 0


# --- content negotiation --------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "expected"), [
    (SRJ, SRJ), (SRX, SRX), ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", SRJ), ("application/xml", SRX), ("*/*", SRJ), ("", SRJ),
    ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", SRX),
    ("text/*;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0, */*;q=0.1", SRX),
])
def test_select_negotiation(client: httpx.Client, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": OS_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


def test_select_results_in_every_format(client: httpx.Client) -> None:
    def get(accept: str) -> str:
        return client.get("/sparql", params={"query": OS_QUERY}, headers={"Accept": accept}).text

    rows = list(csv.DictReader(io.StringIO(get("text/csv"))))
    assert rows == [{"value": "13.9", "lower": "8.3"}]
    tsv = get("text/tab-separated-values").splitlines()
    assert tsv[0].split("\t") == ["?value", "?lower"]
    assert tsv[1].split("\t")[0] in ("13.9", '"13.9"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    root = ET.fromstring(get(SRX))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literal = root.find("r:results/r:result/r:binding[@name='value']/r:literal", ns)
    assert literal is not None and literal.text == "13.9"
    assert literal.get("datatype") == "http://www.w3.org/2001/XMLSchema#decimal"


def test_ask_results(client: httpx.Client) -> None:
    assert client.get("/sparql", params={"query": ASK}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": ASK}, headers={"Accept": SRX})
    assert xml.headers["content-type"].startswith(SRX) and "<boolean>true</boolean>" in xml.text


@pytest.mark.parametrize(("accept", "expected", "fmt"), [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/rdf+xml;q=0.5, application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_construct_and_describe_negotiation(client: httpx.Client, accept: str, expected: str,
                                            fmt: ox.RdfFormat) -> None:
    for query, size in ((CONSTRUCT, 1), (DESCRIBE, 12)):
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == expected
        triples = list(ox.parse(response.content, format=fmt))
        assert len(triples) >= size
    names = {str(t.object.value) for t in ox.parse(
        client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept}).content, format=fmt)}
    assert names == {"NICE-NEC"}


def test_406_when_nothing_fits(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": OS_QUERY}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406


def test_format_parameter(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": OS_QUERY, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": "xml"})
    assert response.headers["content-type"].startswith("application/rdf+xml")
    # An unknown value falls back to the Accept header, as clients send both.
    response = client.get("/sparql", params={"query": OS_QUERY, "format": "nonsense"},
                          headers={"Accept": "text/tab-separated-values"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_service_description(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert names == {DOCUMENT_GRAPH, ONTOLOGY_GRAPH}
    assert client.get("/sparql", headers={"Accept": "application/ld+json"}).headers[
        "content-type"].startswith("application/ld+json")


# --- bad requests (W3C protocol tests bad_*) -----------------------------------------------

def test_head(client: httpx.Client) -> None:
    response = client.head("/sparql", params={"query": OS_QUERY}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content == b""
    assert client.head("/id/outcome/nice-nec-os").status_code == 200


def test_bad_query_method(client: httpx.Client) -> None:
    assert client.put("/sparql", content=OS_QUERY).status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_bad_multiple_queries(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", ASK), ("query", ASK)])
    assert response.status_code == 400
    response = client.post("/sparql", params={"query": ASK}, content=ASK.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400


def test_bad_query_wrong_media_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=ASK.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_type(client: httpx.Client) -> None:
    assert client.post("/sparql", content=f"query={ASK}".encode()).status_code == 400
    assert client.post("/sparql", content=ASK.encode()).status_code == 400


def test_bad_query_non_utf8(client: httpx.Client) -> None:
    response = client.post("/sparql", content=ASK.encode("utf-16"),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert 400 <= response.status_code < 500
    latin = 'SELECT ?x WHERE { BIND("café" AS ?x) }'.encode("latin-1")
    response = client.post("/sparql", content=latin, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "UTF-8" in response.text
    response = client.post("/sparql", content=b"query=SELECT%20%E9",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


def test_bad_query_syntax(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "syntax" in response.text.lower()


def test_missing_query_in_a_post_form(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"default-graph-uri": DOCUMENT_GRAPH})
    assert response.status_code == 400


# --- real clients ---------------------------------------------------------------------------

def wrapper(server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{server}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_format(server: str, method: str) -> None:
    result = wrapper(server, OS_QUERY, JSON, method).query().convert()
    assert isinstance(result, dict)
    assert result["results"]["bindings"][0]["value"]["value"] == "13.9"
    document = wrapper(server, OS_QUERY, XML, method).query().convert()
    assert document.getElementsByTagName("literal")[0].firstChild.data == "13.9"
    table = wrapper(server, OS_QUERY, CSV, method).query().convert()
    assert table.decode().splitlines()[1] == "13.9,8.3"
    tsv = wrapper(server, OS_QUERY, TSV, method).query().convert()
    assert tsv.decode().splitlines()[0] == "?value\t?lower"
    assert wrapper(server, ASK, JSON, method).query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(server: str, fmt: str) -> None:
    result = wrapper(server, CONSTRUCT, fmt).query().convert()
    if isinstance(result, bytes):
        parse_as = {TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt]
        result = rdflib.Graph().parse(data=result.decode(), format=parse_as)
    assert {str(o) for o in result.objects()} == {"NICE-NEC"}


def test_sparqlwrapper_describe(server: str) -> None:
    graph = wrapper(server, DESCRIBE, RDFXML).query().convert()
    assert rdflib.Literal("13.9", datatype=rdflib.XSD.decimal) in set(graph.objects())


def test_rdflib_sparqlstore(server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="json"))
    rows = list(graph.query(OS_QUERY))
    assert [(str(r[0]), str(r[1])) for r in rows] == [("13.9", "8.3")]
    assert bool(graph.query(ASK).askAnswer) is True
    xml_graph = rdflib.Graph(store=SPARQLStore(f"{server}/sparql", method="POST_FORM"))
    assert [str(r[0]) for r in xml_graph.query(OS_QUERY)] == ["13.9"]


def test_result_json_is_complete_and_typed(client: httpx.Client) -> None:
    body = client.get("/sparql", params={"query": "SELECT ?l WHERE { BIND(STRLANG('x', 'en') AS ?l) }"}).json()
    assert body["results"]["bindings"] == [{"l": {"type": "literal", "value": "x", "xml:lang": "en"}}]
    assert json.loads(client.get("/sparql", params={"query": "SELECT ?x WHERE {}"}).text)["head"] == {"vars": ["x"]}

"""Fuzzing the HTTP surface of a real server with hypothesis: no request gets a 5xx or an HTML error
page, and the server keeps answering. Bounded in examples; 127.0.0.1 only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FRAGMENTS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "(", ")", "?s ?p ?o", ".",
             "FILTER", "OPTIONAL", "UNION", "GRAPH", "SERVICE", "SILENT", "FROM", "NAMED", "LOAD", "INSERT",
             "DATA", "PREFIX ex: <http://e.org/>", "BASE <http://e.org/>", "<http://127.0.0.1:9/>", "ex:a",
             '"x"@en', "'''", '"', "\\u0053", "LIMIT 3", "GROUP BY ?s", "COUNT(*)", "REGEX(?o, \"a*\")", "#",
             "\n", "VALUES ?s { <x> }", "BIND(1 AS ?x)", "!", "^", "|", "/", "+", "$x", "_:b", "[]", "<<", ">>"]
PATHS = ["/sparql", "/queries", "/queries/outcomes_of_study", "/queries/evidence_for_fact", "/queries/trials",
         "/queries/significant_prognostic_factors", "/id/outcome/nice-nec-os", "/id/study/x", "/ontology/Nivolumab",
         "/entity", "/search", "/export", "/query", "/", "/static/yasgui/yasgui.min.css", "/docs",
         "/openapi.json", "/static/yasgui/../../app.py", "/id/%2e%2e/%2e%2e/etc/passwd"]
PARAMS = ["query", "update", "default-graph-uri", "named-graph-uri", "format", "output", "q", "iri", "study",
          "alpha", "fact", "agentClass", "status", "country", "minMonths"]
ACCEPTS = ["*/*", "text/html", "application/sparql-results+json", "text/csv;q=0.5, */*;q=0.1", "image/png",
           "text/turtle;q=abc", ";;;,,,", "application/ld+json, text/*;q=0"]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
                 "text/plain", "multipart/form-data; boundary=x", "application/sparql-query; charset=latin-1", ""]

sparqlish = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join)
values = st.one_of(sparqlish, st.text(max_size=40), st.sampled_from(["NICE-NEC", "0.05", "Nivolumab", "id:x"]))


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]),
       path=st.one_of(st.sampled_from(PATHS), st.text(alphabet="/abcdef%.?=&", max_size=20).map(lambda p: "/" + p)),
       params=st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=4),
       accept=st.one_of(st.sampled_from(ACCEPTS), st.text(st.characters(min_codepoint=32, max_codepoint=126),
                                                          max_size=20)),
       content_type=st.sampled_from(CONTENT_TYPES),
       body=st.one_of(sparqlish.map(str.encode), st.binary(max_size=200)))
def test_no_request_gets_a_server_error(client: httpx.Client, method: str, path: str,
                                        params: list[tuple[str, str]], accept: str, content_type: str,
                                        body: bytes) -> None:
    headers = {"Accept": accept.strip() or "*/*"}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        response = client.request(method, path, params=params, headers=headers,
                                  content=body if method in ("POST", "PUT", "PATCH") else None)
    except (httpx.InvalidURL, httpx.LocalProtocolError):
        return  # the client refuses to send it
    assert response.status_code < 500, (method, path, params, response.text[:300])
    if response.status_code >= 400:
        assert not response.headers.get("content-type", "").startswith("text/html")


def test_still_answering_after_the_fuzz(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.json()["boolean"] is True

"""Variable substitution by query rewriting (for SPARQL servers) gives pyoxigraph's answers.

Each rewritten query runs on the embedded engine WITHOUT substitutions and is compared with the
original query run WITH pyoxigraph's own substitutions, on a real excerpt of the NICE-NEC graph.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.sparql_text import query_form, substitute, tokenize

EXCERPT = Path(__file__).resolve().parents[1] / "browser" / "nice_nec_excerpt.trig"
NENKG = "https://w3id.org/nenkg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIX = f"PREFIX nenkg: <{NENKG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
STUDY = ox.NamedNode("https://w3id.org/nenkg/id/study/nct03980925")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(EXCERPT), format=ox.RdfFormat.TRIG)
    assert len(store) > 50
    return store


def rows(result: ox.QuerySolutions) -> list[tuple[str, ...]]:
    variables = [v.value for v in result.variables]
    return sorted(tuple(str(row[v]) if row[v] is not None else "-" for v in variables) for row in result)


def assert_same(store: ox.Store, query: str, values: dict[str, ox.NamedNode | ox.Literal]) -> list:
    native = store.query(PREFIX + query, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): v for k, v in values.items()})
    rewritten = store.query(substitute(PREFIX + query, values), use_default_graph_as_union=True)
    if isinstance(native, ox.QueryBoolean):
        assert bool(native) == bool(rewritten)
        return [bool(native)]
    expected = rows(native)  # type: ignore[arg-type]
    assert rows(rewritten) == expected  # type: ignore[arg-type]
    return expected


def decimal(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))


@pytest.mark.parametrize("query, values", [
    ("SELECT ?study ?o ?value WHERE { ?o nenkg:ofStudy ?study ; nenkg:value ?value }", {"study": STUDY}),
    ("SELECT ?o ?value ?min WHERE { ?o nenkg:value ?value FILTER(?value > ?min) }", {"min": decimal("10")}),
    ("SELECT ?o ?lower ?min WHERE { ?o a nenkg:Outcome OPTIONAL { ?o nenkg:ciLower ?lower FILTER(?lower > ?min) } }",
     {"min": decimal("6")}),
    ("SELECT ?o ?min WHERE { { ?o nenkg:value ?v FILTER(?v > ?min) } UNION { ?o nenkg:ciLower ?v FILTER(?v < ?min) } }",
     {"min": decimal("6")}),
    ("SELECT ?study ?n WHERE { { SELECT ?study (COUNT(?o) AS ?n) WHERE { ?o nenkg:ofStudy ?study } GROUP BY ?study } }",
     {"study": STUDY}),
    ("SELECT ?endpoint (COUNT(*) AS ?n) WHERE { ?o nenkg:hasEndpoint ?endpoint } GROUP BY ?endpoint ORDER BY ?endpoint",
     {"endpoint": ox.NamedNode(NENKG + "OverallSurvival")}),
    ("SELECT ?o ?b ?study WHERE { ?o nenkg:ofStudy ?study BIND(BOUND(?study) AS ?b) }", {"study": STUDY}),
    ("SELECT * WHERE { ?study rdfs:label ?label }", {"study": STUDY}),
    ("ASK { ?study nenkg:registryId ?id }", {"id": ox.Literal("NCT03980925")}),
    ("SELECT ?o ?label ?text WHERE { ?o rdfs:label ?label FILTER(CONTAINS(?label, ?text)) }",
     {"text": ox.Literal("overall survival")}),
    ("SELECT ?o ?e WHERE { ?o nenkg:ofStudy ?study FILTER NOT EXISTS { ?o nenkg:hasEndpoint ?e } }",
     {"e": ox.NamedNode(NENKG + "OverallSurvival")}),
])
def test_rewriting_gives_the_answers_of_pyoxigraph_substitution(store, query, values) -> None:
    found = assert_same(store, query, values)
    assert found, "the case must have answers, or it proves nothing"


def test_a_subquery_projecting_the_variable_and_a_where_that_is_a_subquery(store) -> None:
    query = "SELECT ?study ?o WHERE { SELECT ?study ?o WHERE { ?o nenkg:ofStudy ?study } }"
    assert len(assert_same(store, query, {"study": STUDY})) == 3


def test_strings_comments_and_iris_that_look_like_variables_stay_as_written(store) -> None:
    query = ('SELECT ?o ?s ?study WHERE { # ?study in a comment\n ?o nenkg:ofStudy ?study ; rdfs:label ?s '
             'FILTER(?s != "?study" && ?s != \'\'\'{ ?study }\'\'\') }')
    rewritten = substitute(query, {"study": STUDY})
    assert "# ?study in a comment" in rewritten and '"?study"' in rewritten and "'''{ ?study }'''" in rewritten
    assert len(assert_same(store, query, {"study": STUDY})) == 3


@given(st.text(min_size=0, max_size=40))
@settings(max_examples=60, deadline=None)
def test_any_string_value_stays_one_literal(text: str) -> None:
    """No value can break out of its literal: quotes, braces and newlines are escaped."""
    store = ox.Store()
    store.add(ox.Quad(STUDY, ox.NamedNode(NENKG + "studyName"), ox.Literal(text)))
    query = "SELECT ?s ?name WHERE { ?s nenkg:studyName ?name }"
    assert assert_same(store, query, {"name": ox.Literal(text)}) == [(str(STUDY), str(ox.Literal(text)))]


def test_numbers_compare_by_value_after_rewriting(store) -> None:
    query = "SELECT ?o ?min WHERE { ?o nenkg:value ?v FILTER(?v >= ?min) }"
    found = assert_same(store, query, {"min": decimal(str(Decimal("13.9")))})
    assert [row[0] for row in found] == ["<https://w3id.org/nenkg/id/outcome/nice-nec-orr>",
                                         "<https://w3id.org/nenkg/id/outcome/nice-nec-os>"]


@pytest.mark.parametrize("query, message", [
    ("SELECT ?x WHERE { BIND(1 AS ?x) }", "AS"),
    ("SELECT (1 AS ?x) WHERE { }", "AS"),
    ("SELECT ?x WHERE { VALUES ?x { 1 } }", "VALUES"),
    ("CONSTRUCT WHERE { ?x ?p ?o }", "CONSTRUCT"),
])
def test_what_cannot_be_rewritten_is_refused(query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        substitute(query, {"x": ox.Literal("1")})


def test_blank_nodes_cannot_be_sent_to_a_server() -> None:
    with pytest.raises(ValueError, match="blank nodes"):
        substitute("SELECT ?x WHERE { ?x ?p ?o }", {"x": ox.BlankNode()})  # type: ignore[dict-item]


def test_construct_template_keeps_the_bound_variable(store) -> None:
    query = PREFIX + "CONSTRUCT { ?study nenkg:hasOutcome ?o } WHERE { ?o nenkg:ofStudy ?study }"
    triples = list(store.query(substitute(query, {"study": STUDY}), use_default_graph_as_union=True))
    assert len(triples) == 3 and {t.subject for t in triples} == {STUDY}


def test_query_form_and_tokens() -> None:
    assert query_form("PREFIX s: <https://e.org/select#> # SELECT\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("describe <https://e.org/x>") == "DESCRIBE"
    with pytest.raises(SyntaxError):
        query_form("INSERT DATA { <https://e.org/s> <https://e.org/p> 1 }")
    assert [t.kind for t in tokenize('?x "a?b" <https://e.org/?q> # c')] == [
        "var", "ws", "string", "ws", "iri", "ws", "comment"]

"""The named-query header format and typed, substitution-only parameter binding."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ontology import NS
from queries import (
    PARAM_TYPES,
    NamedQuery,
    Parameter,
    ParameterError,
    QueryFileError,
    bind_parameters,
    load_queries,
    parse_query,
)

HEADER = """# title: Outcomes of a study
# description: First line
# description: and the second.
# param: study string default=NICE-NEC "study name"
# param: alpha decimal default=0.05
# param: fact iri required "the fact"
# an ordinary comment
PREFIX nenkg: <https://w3id.org/nenkg/ontology#>
SELECT ?study ?alpha ?fact WHERE { ?fact nenkg:studyName ?study }
"""


def test_header_is_parsed() -> None:
    query = parse_query("demo", HEADER)
    assert query.title == "Outcomes of a study"
    assert query.description == "First line and the second."
    assert [(p.name, p.type, p.default, p.required) for p in query.params] == [
        ("study", "string", "NICE-NEC", False), ("alpha", "decimal", "0.05", False), ("fact", "iri", None, True)]
    assert query.params[0].description == "study name"


@pytest.mark.parametrize(("text", "problem"), [
    ("SELECT * {}", "no '# title:' line"),
    ("# title: x\n# param: a nonsense\nSELECT * {}", "TYPE in"),
    ("# title: x\n# param: a integer default=abc\nSELECT * {}", "bad default"),
    ("# title: x\n# param: a string\n# param: a string\nSELECT * {}", "declared twice"),
])
def test_malformed_headers_name_the_file_and_line(text: str, problem: str) -> None:
    with pytest.raises(QueryFileError, match=problem) as error:
        parse_query("bad", text, "queries/bad.rq")
    assert "queries/bad.rq" in str(error.value)


def test_binding_types() -> None:
    query = parse_query("demo", HEADER)
    bound = bind_parameters(query, {"fact": "id:outcome/x", "alpha": "0.01"})
    assert bound["fact"] == ox.NamedNode("https://w3id.org/nenkg/id/outcome/x")
    assert bound["alpha"] == ox.Literal("0.01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    assert bound["study"] == ox.Literal("NICE-NEC")
    term = Parameter("agent", "term")
    assert term.to_term("Nivolumab") == ox.NamedNode(NS + "Nivolumab")
    assert term.to_term("nenkg:Nivolumab") == ox.NamedNode(NS + "Nivolumab")
    assert Parameter("flag", "boolean").to_term("TRUE") == ox.Literal(True)
    assert Parameter("n", "integer").to_term("-12").value == "-12"


@pytest.mark.parametrize(("param", "value"), [
    (Parameter("n", "integer"), "1.5"), (Parameter("n", "integer"), "1; DROP ALL"),
    (Parameter("x", "decimal"), "NaN"), (Parameter("x", "decimal"), "twelve"),
    (Parameter("b", "boolean"), "yes"), (Parameter("t", "term"), "Nivolumab> . ?s ?p ?o"),
    (Parameter("t", "term"), "https://evil.example/x"), (Parameter("i", "iri"), "not an iri"),
    (Parameter("i", "iri"), "http://e.org/a> } ; DROP ALL ; <x"), (Parameter("i", "iri"), "relative/path"),
])
def test_invalid_values_are_refused(param: Parameter, value: str) -> None:
    with pytest.raises(ParameterError, match=param.name):
        param.to_term(value)


@pytest.mark.parametrize(("value", "name"), [
    ("Ki67", "Ki67"), ("nenkg:Ki67", "Ki67"), ("Ki-67", "Ki67"), ("ki-67", "Ki67"), ("PD-L1", "PDL1"),
    ("cisplatin", "Cisplatin"), ("first line", "FirstLine"), ("PlatinumEtoposideRegimen", "PlatinumEtoposideRegimen"),
])
def test_a_term_is_found_by_its_name_label_or_synonym(value: str, name: str) -> None:
    assert Parameter("t", "term").to_term(value) == ox.NamedNode(NS + name)


def test_an_unknown_term_is_refused_with_the_closest_names() -> None:
    with pytest.raises(ParameterError, match=r"'Kii67' is not a term of the ontology; did you mean Ki67\?"):
        Parameter("biomarker", "term").to_term("Kii67")
    with pytest.raises(ParameterError, match="'zzz' is not a term of the ontology"):
        Parameter("biomarker", "term").to_term("zzz")


def test_unknown_and_missing_parameters() -> None:
    query = parse_query("demo", HEADER)
    with pytest.raises(ParameterError, match="no parameter 'nope'"):
        bind_parameters(query, {"fact": "id:x", "nope": "1"})
    with pytest.raises(ParameterError, match="needs the parameter 'fact'"):
        bind_parameters(query, {})


def test_a_string_value_is_a_literal_not_query_text() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://e.org/s"), ox.NamedNode(NS + "studyName"), ox.Literal("NICE-NEC")))
    query = parse_query("demo", HEADER)
    hostile = '" } ; DELETE WHERE { ?s ?p ?o } #'
    bound = bind_parameters(query, {"study": hostile, "fact": "https://e.org/s"})
    result = store.query(query.sparql, substitutions={ox.Variable(k): v for k, v in bound.items()})
    assert isinstance(result, ox.QuerySolutions) and list(result) == []
    assert len(store) == 1
    bound = bind_parameters(query, {"fact": "https://e.org/s"})
    result = store.query(query.sparql, substitutions={ox.Variable(k): v for k, v in bound.items()})
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert [r["study"].value for r in rows] == ["NICE-NEC"]


def test_the_bundled_queries_load_and_bind_their_defaults() -> None:
    queries = load_queries()
    assert len(queries) >= 20
    for name, query in queries.items():
        assert isinstance(query, NamedQuery) and query.title and query.description, name
        for param in query.params:
            assert param.type in PARAM_TYPES
            # pyoxigraph substitutes only variables of the projection: each parameter must be there
            select = query.sparql.split("WHERE")[0]
            assert f"?{param.name}" in select, (name, param.name)
        bind_parameters(query, {p.name: "https://w3id.org/nenkg/id/x" for p in query.params if p.required})


def test_load_queries_from_a_folder(tmp_path: Path) -> None:
    (tmp_path / "one.rq").write_text("# title: One\nSELECT * {}", encoding="utf-8")
    assert list(load_queries(tmp_path)) == ["one"]

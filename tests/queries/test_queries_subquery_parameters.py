"""A parameter used inside a subquery must be projected by it, or the engine's substitution misses it.

pyoxigraph substitutes a variable only where it is visible from the outer query: a subquery that
uses ``?agentClass`` without projecting it evaluates it unbound, and the query answers for every
class. The named queries compute class closures in subqueries (fast on Oxigraph), so each one
is checked statically, and the rule itself is checked on a small real store.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.sparql_text import tokenize
from queries import NamedQuery, load_queries

QUERIES = load_queries()
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def subqueries(sparql: str) -> list[tuple[set[str], set[str]]]:
    """(projected variables, variables of the body) of each subquery of ``sparql``."""
    tokens = [t for t in tokenize(sparql) if t.kind not in ("ws", "comment")]
    selects = [i for i, t in enumerate(tokens) if t.upper == "SELECT"][1:]  # the first is the query's own
    found = []
    for start in selects:
        where = next(i for i in range(start, len(tokens)) if tokens[i].upper == "WHERE" or tokens[i].text == "{")
        projected = {t.text[1:] for t in tokens[start:where] if t.kind == "var"}
        star = any(t.text == "*" for t in tokens[start:where])
        depth, body = 0, set()
        for token in tokens[where:]:
            depth += token.text == "{"
            depth -= token.text == "}"
            if token.kind == "var":
                body.add(token.text[1:])
            if depth == 0 and token.text == "}":
                break
        found.append((projected | body if star else projected, body))
    return found


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_subqueries_project_the_parameters_they_use(name: str) -> None:
    query: NamedQuery = QUERIES[name]
    for param in query.params:
        for projected, body in subqueries(query.sparql):
            if param.name in body:
                assert param.name in projected, (f"{name}: a subquery uses ?{param.name} without projecting "
                                                 f"it, so a given value would not bind it")


def test_subquery_parser_sees_an_unprojected_parameter() -> None:
    found = subqueries("SELECT ?x WHERE { { SELECT DISTINCT ?c WHERE { ?c <p>* ?cls } } ?x a ?c }")
    assert found == [({"c"}, {"c", "cls"})]


def test_pyoxigraph_substitutes_only_projected_subquery_variables() -> None:
    # The rule the static test relies on, on a real store: B and C are under A, D is not.
    store = ox.Store()
    store.update(f"""PREFIX rdfs: <{RDFS}> PREFIX e: <https://example.org/>
        INSERT DATA {{ e:B rdfs:subClassOf e:A . e:C rdfs:subClassOf e:B . e:D rdfs:subClassOf e:X .
                      e:x a e:C . e:y a e:D . }}""")
    bound: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable("cls"): ox.NamedNode("https://example.org/A")}

    def answer(sparql: str) -> list[str]:
        result = store.query(sparql, substitutions=bound)
        assert isinstance(result, ox.QuerySolutions)
        return sorted(str(row["x"].value) for row in result)

    projected = f"SELECT ?cls ?x WHERE {{ {{ SELECT DISTINCT ?cls ?c WHERE {{ ?c <{RDFS}subClassOf>* ?cls }} }} ?x a ?c }}"
    hidden = f"SELECT ?cls ?x WHERE {{ {{ SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* ?cls }} }} ?x a ?c }}"
    assert answer(projected) == ["https://example.org/x"]
    assert answer(hidden) == ["https://example.org/x", "https://example.org/y"]

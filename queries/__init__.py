"""Named SPARQL queries: ``queries/*.rq`` files with a header of title, description and parameters.

Header lines come first, each a comment::

    # title: Regimens containing an agent of a class
    # description: Regimens whose agents are of the given class (inferred types included).
    # param: agentClass term default=PlatinumCompound "the agent class (an ontology local name)"

A parameter line is ``# param: NAME TYPE [default=VALUE | required] ["description"]`` with TYPE one of
``iri``, ``string``, ``integer``, ``decimal``, ``boolean``, ``term`` (an ontology local name such
as ``Nivolumab``). Values are validated and bound as RDF terms through the engine's
substitutions, never pasted into the query text. A bound variable must appear in the query's
SELECT projection (pyoxigraph's rule for substitutions). A parameter without a default stays unbound
when not given; test that with ``COALESCE(STR(?p), "") = ""``, not ``BOUND(?p)``, which pyoxigraph
reports as false for a substituted variable.

>>> q = parse_query("demo", "# title: Demo\\n# param: n integer default=3\\nSELECT ?n WHERE {}")
>>> q.title, [p.name for p in q.params]
('Demo', ['n'])
>>> bind_parameters(q, {"n": "5"})["n"]
<Literal value=5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
"""

from __future__ import annotations

import difflib
import functools
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from ontology import NS, TURTLE_PATH

QUERY_DIR = Path(__file__).resolve().parent
PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "term")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Prefixes a parameter value of type ``iri`` may use.
IRI_PREFIXES = {"nenkg": NS, "id": "https://w3id.org/nenkg/id/"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOCAL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


class QueryFileError(ValueError):
    """A .rq file has a malformed header; the message names the file and line."""


class ParameterError(ValueError):
    """A parameter value is unknown, missing or not of its type; the message names it."""


@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a named query."""

    name: str
    type: str
    default: str | None = None
    description: str = ""
    required: bool = False

    def to_term(self, value: str) -> ox.NamedNode | ox.Literal:
        """Validate ``value`` (text) and return it as an RDF term."""
        problem = f"parameter {self.name!r} ({self.type}): {value!r}"
        if self.type == "string":
            return ox.Literal(value)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
                raise ParameterError(f"{problem} is not an integer")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "decimal":
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                raise ParameterError(f"{problem} is not a decimal number") from None
            if not number.is_finite():
                raise ParameterError(f"{problem} is not a finite number")
            return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "decimal"))
        if self.type == "boolean":
            if value.strip().lower() not in ("true", "false"):
                raise ParameterError(f"{problem} is not true or false")
            return ox.Literal(value.strip().lower() == "true")
        if self.type == "term":
            return ox.NamedNode(resolve_term(value, problem))
        return ox.NamedNode(_expand_iri(value.strip(), problem))


@functools.lru_cache(maxsize=1)
def ontology_terms() -> frozenset[str]:
    """Local names of the ontology's classes and individuals."""
    owl = "http://www.w3.org/2002/07/owl#"
    kinds = {ox.NamedNode(owl + "Class"), ox.NamedNode(owl + "NamedIndividual")}
    return frozenset(q.subject.value[len(NS):] for q in ox.parse(path=str(TURTLE_PATH), format=ox.RdfFormat.TURTLE)
                     if q.predicate.value == RDF_TYPE and q.object in kinds
                     and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(NS))


def resolve_term(value: str, problem: str) -> str:
    """The IRI of an ontology term given by its name ("Ki67", "nenkg:Ki67") or by a label or
    synonym as papers print it ("Ki-67", "cisplatin"); an unknown value is an error that names the
    closest term names, rather than a query that silently finds nothing."""
    text = value.strip()
    local = text.removeprefix("nenkg:")
    if _LOCAL_NAME.match(local) and local in ontology_terms():
        return NS + local
    from loaders.ner import recogniser  # the ontology's labels and synonyms, parsed once

    whole = [m for m in recogniser().find(text) if m.start == 0 and m.end == len(text)]
    if whole:
        return whole[0].term
    close = difflib.get_close_matches(local, sorted(ontology_terms()), n=3, cutoff=0.6)
    raise ParameterError(f"{problem} is not a term of the ontology"
                         + (f"; did you mean {', '.join(close)}?" if close else " (give a name such as 'Nivolumab')"))


def _expand_iri(value: str, problem: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in IRI_PREFIXES and not local.startswith("//"):
        value = IRI_PREFIXES[prefix] + local
    if not _IRI.match(value):
        raise ParameterError(f"{problem} is not an absolute IRI")
    try:
        return ox.NamedNode(value).value
    except ValueError as error:
        raise ParameterError(f"{problem} is not a valid IRI: {error}") from None


@dataclass(frozen=True)
class NamedQuery:
    """A query from ``queries/NAME.rq``."""

    name: str
    title: str
    description: str
    params: tuple[Parameter, ...]
    sparql: str

    def param(self, name: str) -> Parameter:
        for param in self.params:
            if param.name == name:
                return param
        raise ParameterError(f"query {self.name!r} has no parameter {name!r}; it has: "
                             f"{', '.join(p.name for p in self.params) or 'none'}")


def parse_query(name: str, text: str, source: str = "<text>") -> NamedQuery:
    """Read the header of a named query; raise QueryFileError naming ``source`` and the line."""
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        key, colon, value = line[1:].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon or key not in ("title", "description", "param"):
            continue  # an ordinary comment
        if key == "param":
            params.append(_parse_param(value, f"{source}:{number}"))
        elif key == "description" and "description" in fields:
            fields[key] += " " + value  # descriptions may span several lines
        else:
            fields[key] = value
    if "title" not in fields:
        raise QueryFileError(f"{source}: the header has no '# title:' line")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryFileError(f"{source}: a parameter is declared twice")
    return NamedQuery(name, fields["title"], fields.get("description", ""), tuple(params), text)


def _parse_param(spec: str, where: str) -> Parameter:
    try:
        parts = shlex.split(spec)
    except ValueError as error:
        raise QueryFileError(f"{where}: cannot read the parameter line: {error}") from None
    if len(parts) < 2 or not _NAME.match(parts[0]) or parts[1] not in PARAM_TYPES:
        raise QueryFileError(f"{where}: expected '# param: NAME TYPE [default=VALUE] [\"description\"]' "
                             f"with TYPE in {', '.join(PARAM_TYPES)}")
    default = None
    required = False
    description = []
    for part in parts[2:]:
        if part.startswith("default="):
            default = part.removeprefix("default=")
        elif part == "required":
            required = True
        else:
            description.append(part)
    param = Parameter(parts[0], parts[1], default, " ".join(description), required)
    if default is not None:
        try:
            param.to_term(default)
        except ParameterError as error:
            raise QueryFileError(f"{where}: bad default: {error}") from None
    return param


def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    """All named queries of ``directory`` (default: this package), by name (the file stem)."""
    directory = directory or QUERY_DIR
    queries = {}
    for path in sorted(directory.glob("*.rq")):
        queries[path.stem] = parse_query(path.stem, path.read_text(encoding="utf-8"), str(path))
    return queries


def bind_parameters(query: NamedQuery, params: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Validate ``params`` (text values by name) and return the substitutions: given values, then
    defaults; parameters with neither stay unbound (the query treats them as optional)."""
    for name in params:
        query.param(name)  # raises for an unknown name
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    for param in query.params:
        value = params.get(param.name, param.default)
        if value is not None and value != "":
            bound[param.name] = param.to_term(value)
        elif param.required:
            raise ParameterError(f"query {query.name!r} needs the parameter {param.name!r} ({param.type})")
    return bound

"""Reasoning: HermiT classifies the graph's individuals into the ontology's defined classes.

:func:`materialise` reads the part of the store the defined classes talk about (the types and
the links of regimens, populations, studies, outcomes and effect estimates), runs HermiT through
owlready2 in a fresh ``World`` together with the ontology, and writes the rdf:type triples HermiT
infers (the defined classes and their superclasses) into the inferred graph, so that plain SPARQL
sees them. :func:`check_consistency` raises :class:`InconsistentOntologyError` when the ontology,
optionally with the store's individuals, has no model.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable

import owlready2
import pyoxigraph as ox
from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner

from graph.store import Store
from ontology import DATA_NS, INFERRED_GRAPH, NS, RDFXML_PATH

log = logging.getLogger(__name__)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_NAMED_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
#: The properties the defined classes use; only these (and rdf:type) go to the reasoner.
ABOX_PROPERTIES = ("hasAgent", "hasNeoplasmType", "hasPrimarySite", "receivesRegimen", "hasPopulation",
                   "hasArm", "hasLine", "hasEndpoint", "hasStatistic", "pValue")

# Asserted triples only: the inferred graph of an earlier run must not count as asserted, or a
# second run would find nothing new and empty it.
ABOX_QUERY = """
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{}>)
  FILTER(STRSTARTS(STR(?s), $data))
  FILTER(?p = <{}> && isIRI(?o) && STRSTARTS(STR(?o), $ns) || ?p IN ({}))
}}
""".format(INFERRED_GRAPH, RDF_TYPE, ", ".join(f"<{NS}{p}>" for p in ABOX_PROPERTIES))


class InconsistentOntologyError(Exception):
    """HermiT found the ontology (with the store's individuals, when given) inconsistent."""


def _abox_ntriples(store: Store) -> tuple[bytes, set[tuple[str, str]]]:
    """The store's individuals as N-Triples for owlready2, and their asserted (node, class) types."""
    rows = store.query(ABOX_QUERY.replace("$data", f'"{DATA_NS}"').replace("$ns", f'"{NS}"'),
                       default_graph=None)
    lines: list[str] = []
    individuals: set[str] = set()
    asserted: set[tuple[str, str]] = set()
    for row in rows:  # type: ignore[union-attr]
        s, p, o = row["s"], row["p"], row["o"]
        individuals.add(s.value)
        if p.value == RDF_TYPE:
            asserted.add((s.value, o.value))
            lines.append(f"<{s.value}> <{RDF_TYPE}> <{o.value}> .")
        elif isinstance(o, ox.NamedNode):
            if o.value.startswith(DATA_NS):
                individuals.add(o.value)
            lines.append(f"<{s.value}> <{p.value}> <{o.value}> .")
        elif isinstance(o, ox.Literal):
            # pValue's range is xsd:decimal: pass numbers as decimals so a double cannot clash.
            try:
                number = float(o.value)
            except ValueError:
                continue
            lines.append(f'<{s.value}> <{p.value}> "{number:.12f}"^^<{XSD_DECIMAL}> .')
    lines.extend(f"<{iri}> <{RDF_TYPE}> <{OWL_NAMED_INDIVIDUAL}> ." for iri in sorted(individuals))
    return "\n".join(lines).encode("utf-8") + b"\n", asserted


def _world_with(abox: bytes | None) -> tuple[World, owlready2.Ontology | None]:
    world = World()
    world.get_ontology(RDFXML_PATH.as_uri()).load()
    data = None
    if abox is not None:
        data = world.get_ontology(DATA_NS + "abox")
        data.load(fileobj=io.BytesIO(abox), format="ntriples")
    return world, data


def _reason(world: World) -> None:
    try:
        sync_reasoner(world, infer_property_values=False, debug=0)
    except OwlReadyInconsistentOntologyError as error:
        raise InconsistentOntologyError(f"HermiT found the ontology inconsistent: {error}") from error


def check_consistency(store: Store | None = None) -> None:
    """Raise :class:`InconsistentOntologyError` when the ontology (with ``store``'s individuals) is
    inconsistent under HermiT."""
    abox = _abox_ntriples(store)[0] if store is not None else None
    world, _ = _world_with(abox)
    try:
        _reason(world)
    finally:
        world.close()


def infer_types(store: Store) -> list[tuple[str, str]]:
    """``(node IRI, class IRI)`` pairs HermiT infers for the store's individuals, not yet asserted."""
    abox, asserted = _abox_ntriples(store)
    if not asserted:
        return []
    world, _ = _world_with(abox)
    try:
        _reason(world)
        inferred: set[tuple[str, str]] = set()
        for node, _cls in asserted:
            entity = world[node]
            if entity is None:
                continue
            for direct in entity.is_a:
                if not isinstance(direct, owlready2.ThingClass):
                    continue
                for ancestor in direct.ancestors():
                    iri = ancestor.iri
                    if iri.startswith(NS) and (node, iri) not in asserted:
                        inferred.add((node, iri))
        return sorted(inferred)
    finally:
        world.close()


def _triples(pairs: Iterable[tuple[str, str]]) -> list[ox.Triple]:
    rdf_type = ox.NamedNode(RDF_TYPE)
    return [ox.Triple(ox.NamedNode(node), rdf_type, ox.NamedNode(cls)) for node, cls in pairs]


def materialise(store: Store) -> int:
    """Run HermiT over the store's individuals and replace the inferred graph with the new types.

    Returns the number of inferred triples written.
    """
    pairs = infer_types(store)
    count = store.replace_graph(INFERRED_GRAPH, _triples(pairs))
    log.info("materialised %d inferred types", count)
    return count

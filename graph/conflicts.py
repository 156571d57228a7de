"""Make disagreements between sources visible: measurements of the same claim with different values.

Two measurements are about the same claim when they share kind, study, population, endpoint,
statistic, time point, factor and levels, model, characteristic and category. When their values
(or both-given CI bounds) differ, a ``nenkg:Conflict`` node links them. Detection reads the store,
so it covers documents loaded at different times; the conflicts graph is rewritten each time.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from graph.iris import CONFLICTS_GRAPH, data_iri, digest
from graph.rdf import LABEL, TYPE, n
from graph.store import Store
from ontology import NS

CLAIM_PARTS = ("kind", "study", "pop", "endpoint", "stat", "tp", "factor", "cmp", "ref", "model", "char",
               "charname", "cat", "ae", "event")
MEASUREMENTS = f"""
PREFIX nenkg: <{NS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?m ?kind ?study ?pop ?endpoint ?stat ?tp ?factor ?cmp ?ref ?model ?char ?charname ?cat ?ae ?event
       ?value ?lo ?hi ?label
WHERE {{
  VALUES ?kind {{ nenkg:Outcome nenkg:HazardRatio nenkg:OddsRatio nenkg:PopulationCharacteristic
                 nenkg:AdverseEventRate }}
  ?m a ?kind ; nenkg:ofStudy ?study ; nenkg:aboutPopulation ?pop .
  OPTIONAL {{ ?m rdfs:label ?label }}
  OPTIONAL {{ ?m nenkg:hasEndpoint ?endpoint }} OPTIONAL {{ ?m nenkg:hasStatistic ?stat }}
  OPTIONAL {{ ?m nenkg:timepoint ?tp }} OPTIONAL {{ ?m nenkg:factor ?factor }}
  OPTIONAL {{ ?m nenkg:comparedLevel ?cmp }} OPTIONAL {{ ?m nenkg:referenceLevel ?ref }}
  OPTIONAL {{ ?m nenkg:hasModelType ?model }} OPTIONAL {{ ?m nenkg:characteristicTerm ?char }}
  OPTIONAL {{ ?m nenkg:category ?cat }} OPTIONAL {{ ?m nenkg:adverseEvent ?ae }}
  OPTIONAL {{ ?m nenkg:characteristicName ?charname }} OPTIONAL {{ ?m nenkg:eventName ?event }}
  OPTIONAL {{ ?m nenkg:value ?value }} OPTIONAL {{ ?m nenkg:ciLower ?lo }} OPTIONAL {{ ?m nenkg:ciUpper ?hi }}
}}"""


def _text(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def _number(term: object) -> float | None:
    text = _text(term)
    return None if text is None else float(text)


def find_conflicts(store: Store) -> list[tuple[list[str], str]]:
    """Groups of measurement IRIs that disagree, each with a sentence saying how."""
    groups: dict[tuple[str | None, ...], dict[str, tuple[float | None, float | None, float | None, str]]] = \
        defaultdict(dict)
    for row in store.query(MEASUREMENTS):  # type: ignore[union-attr]
        claim = tuple(_text(row[part]) for part in CLAIM_PARTS)
        groups[claim][str(row["m"].value)] = (_number(row["value"]), _number(row["lo"]), _number(row["hi"]),
                                              _text(row["label"]) or "")
    conflicts = []
    for members in groups.values():
        if len(members) < 2:
            continue
        values = {v for v, _, _, _ in members.values() if v is not None}
        lows = {lo for _, lo, _, _ in members.values() if lo is not None}
        highs = {hi for _, _, hi, _ in members.values() if hi is not None}
        if len(values) > 1 or len(lows) > 1 or len(highs) > 1:
            labels = "; ".join(sorted(label for *_, label in members.values()))
            conflicts.append((sorted(members), f"Sources report different values for one claim: {labels}"))
    return conflicts


def write_conflicts(store: Store) -> int:
    """Recompute the conflicts graph from the store; return the number of conflicts."""
    triples: list[ox.Triple] = []
    conflicts = find_conflicts(store)
    for members, comment in conflicts:
        iri = ox.NamedNode(data_iri("conflict", digest(members, 16)))
        triples += [ox.Triple(iri, TYPE, n("Conflict")),
                    ox.Triple(iri, LABEL, ox.Literal(f"conflict between {len(members)} reported values")),
                    ox.Triple(iri, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                              ox.Literal(comment))]
        triples += [ox.Triple(iri, n("conflictMember"), ox.NamedNode(m)) for m in members]
    store.replace_graph(CONFLICTS_GRAPH, triples)
    return len(conflicts)

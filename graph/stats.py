"""Counts of the graph's nodes per kind, per named graph."""

from __future__ import annotations

from graph.store import Store
from ontology import NS

KIND_COUNTS = f"""
SELECT ?g ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?kind }}
  FILTER(STRSTARTS(STR(?kind), "{NS}"))
}} GROUP BY ?g ?kind ORDER BY ?g ?kind"""


def kind_counts(store: Store) -> dict[str, dict[str, int]]:
    """``{graph IRI: {class local name: number of distinct nodes}}`` for the nenkg classes."""
    counts: dict[str, dict[str, int]] = {}
    for row in store.query(KIND_COUNTS, named_graphs=None):  # type: ignore[union-attr]
        graph = str(row["g"].value)
        counts.setdefault(graph, {})[str(row["kind"].value)[len(NS):]] = int(row["n"].value)
    return counts

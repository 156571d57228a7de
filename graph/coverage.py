"""How much of the vocabulary the corpus graph uses carries an external alignment.

A vocabulary term is *used* when a document graph links to it (as an object other than an
rdf:type); it is *mapped* when the SSSOM table (:mod:`ontology.mappings`) has at least one row
for it. Every row of that table was verified against a shipped resource (see its comment column).
"""

from __future__ import annotations

from graph.store import Store
from ontology import INFERRED_GRAPH, MAPPINGS_GRAPH, NS, ONTOLOGY_GRAPH
from ontology.mappings import load_mappings
from ontology.schema import VOCABULARY_CLASSES
from ontology.vocabulary import CORE_FAMILIES, FAMILIES, GROUPING_CLASSES, INDIVIDUALS

USED_TERMS = f"""
SELECT DISTINCT ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?o) && STRSTARTS(STR(?o), $ns))
  FILTER(?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)
  FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{INFERRED_GRAPH}>, <{MAPPINGS_GRAPH}>))
}}
"""


def term_families() -> dict[str, str]:
    """The family (a key of :data:`ontology.vocabulary.FAMILIES`) of every vocabulary term."""
    family_by_class = {cls: family for family, cls in FAMILIES.items()}
    parents = {c.name: c.parents for c in VOCABULARY_CLASSES}
    parents.update({c.name: c.types for c in GROUPING_CLASSES})

    def family_of(classes: tuple[str, ...]) -> str | None:
        for cls in classes:
            if cls in family_by_class:
                return family_by_class[cls]
            found = family_of(parents.get(cls, ()))
            if found:
                return found
        return None

    out: dict[str, str] = {}
    for term in GROUPING_CLASSES + INDIVIDUALS:
        family = family_of(term.types if term.kind == "individual" else (term.name,) + term.types)
        if family:
            out[term.name] = family
    return out


def used_terms(store: Store) -> set[str]:
    """Local names of the vocabulary terms the document graphs link to."""
    families = term_families()
    rows = store.query(USED_TERMS.replace("$ns", f'"{NS}"'))
    names = {row["o"].value[len(NS):] for row in rows}  # type: ignore[union-attr]
    return {name for name in names if name in families}


def mapping_coverage(store: Store) -> dict[str, tuple[int, int]]:
    """Per family, ``(used terms with an external match, used terms)``, plus an ``"all"`` total and a
    ``"core"`` total over :data:`ontology.vocabulary.CORE_FAMILIES` (the families issue 6 names)."""
    families = term_families()
    mapped = {m.subject_id.split(":", 1)[1] for m in load_mappings().mappings}
    result: dict[str, tuple[int, int]] = {}
    for name in used_terms(store):
        hit, total = result.get(families[name], (0, 0))
        result[families[name]] = (hit + (name in mapped), total + 1)
    families_only = dict(result)
    result["all"] = (sum(h for h, _ in families_only.values()), sum(t for _, t in families_only.values()))
    core = [v for f, v in families_only.items() if f in CORE_FAMILIES]
    result["core"] = (sum(h for h, _ in core), sum(t for _, t in core))
    return dict(sorted(result.items()))


def unmapped_terms(store: Store) -> list[str]:
    """The used vocabulary terms without any external match, for the coverage report."""
    mapped = {m.subject_id.split(":", 1)[1] for m in load_mappings().mappings}
    return sorted(used_terms(store) - mapped)

"""The graph as a network: a networkx projection of the store for exploration and analytics.

Nodes are the entities a reader cares about (studies, arms, regimens, outcomes, effect estimates,
characteristics, adverse event rates, conflicts, publications) and the vocabulary terms they use
(agents, biomarkers, sites, neoplasm types, grades, endpoints, adverse event terms). Edges are the
``nenkg:`` object properties between them. Evidence, source documents, extraction runs and regimen
components stay out of the network: evidence is shown beside a node (:func:`entity_details`),
components and measurement values are summarised in node titles (value, CI, unit, population), so
they inform without cluttering.

Everything is read through SPARQL (:meth:`graph.store.Store.query`); the kind of a node is the most
specific nenkg class among its types, found through the ontology's ``rdfs:subClassOf``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.store import Store
from ontology import DATA_NS, NS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"

PREFIXES = f"""PREFIX nenkg: <{NS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <{SKOS}>
PREFIX oa: <{OA}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class Kind:
    """A kind of node in the network: its key, the nenkg class that defines it, label and colour."""

    key: str
    cls: str
    label: str
    colour: str
    vocabulary: bool = False


#: Kinds in priority order: a node takes the first kind one of its classes falls under, so the more
#: specific classes come first (an arm is also a study population).
KINDS: tuple[Kind, ...] = (
    Kind("study", "Study", "study", "#1f77b4"),
    Kind("arm", "StudyArm", "arm", "#17becf"),
    Kind("population", "StudyPopulation", "population / subgroup", "#9edae5"),
    Kind("regimen", "Regimen", "regimen", "#2ca02c"),
    Kind("outcome", "Outcome", "outcome", "#d62728"),
    Kind("effect", "EffectEstimate", "effect estimate", "#ff9896"),
    Kind("characteristic", "PopulationCharacteristic", "characteristic", "#c49c94"),
    Kind("adverse-event", "AdverseEventRate", "adverse event rate", "#e377c2"),
    Kind("conflict", "Conflict", "conflict", "#000000"),
    Kind("publication", "Publication", "publication", "#7f7f7f"),
    Kind("agent", "Agent", "agent", "#ff7f0e", True),
    Kind("biomarker", "Biomarker", "biomarker", "#9467bd", True),
    Kind("site", "AnatomicalSite", "anatomical site", "#8c564b", True),
    Kind("neoplasm", "NeoplasmType", "neoplasm type", "#bcbd22", True),
    Kind("grade", "Grade", "grade", "#dbdb8d", True),
    Kind("endpoint", "Endpoint", "endpoint", "#f7b6d2", True),
    Kind("ae-term", "AdverseEventTerm", "adverse event term", "#aec7e8", True),
)
KIND_BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}

#: Object properties that are plumbing, not relations worth drawing.
HIDDEN_PROPERTIES = frozenset(NS + p for p in ("hasEvidence", "hasText", "hasComponent", "componentAgent"))

#: Vocabulary-valued properties shown as attributes (in titles), not as edges.
ATTRIBUTE_PROPERTIES = ("hasStatistic", "hasUnit", "timepointUnit", "hasModelType", "hasCTCAEGrade",
                        "hasDesign", "hasPhase", "hasStatus", "hasLine", "hasRoute", "hasTreatmentPhase")


class UnknownEntityError(LookupError):
    """An IRI that is not a node of the projection."""

    def __init__(self, iri: str) -> None:
        super().__init__(f"no entity {iri!r} in the graph")
        self.iri = iri


def _value(term: Any) -> Any:
    """A Python value for an RDF term: IRIs as strings, numbers as int/float, booleans as bool."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        text = term.value
        try:
            if datatype.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
                return int(text)
            if datatype.endswith(("#decimal", "#double", "#float")):
                number = Decimal(text)
                return int(number) if number == number.to_integral_value() and "." not in text else float(number)
            if datatype.endswith("#boolean"):
                return text in ("true", "1")
        except (ValueError, InvalidOperation):
            return text
        return text
    return str(term.value)


def local_name(iri: str) -> str:
    """The part of an IRI after ``#`` or the last ``/``."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def _fmt(number: Any) -> str:
    if isinstance(number, float):
        return f"{number:g}"
    return str(number)


def _rows(store: Store, sparql: str, **bindings: ox.NamedNode | ox.Literal) -> Iterable[Any]:
    """Solutions of a SELECT; ``bindings`` are substituted (they must be in the projection)."""
    result = store.query(PREFIXES + sparql, substitutions=bindings or None)
    assert isinstance(result, ox.QuerySolutions)
    return result


def node_kinds(store: Store) -> dict[str, str]:
    """The kind key of every typed node, by the most specific kind among its classes."""
    values = " ".join(f"nenkg:{k.cls}" for k in KINDS)
    priority = {NS + k.cls: i for i, k in enumerate(KINDS)}
    best: dict[str, int] = {}
    rows = _rows(store, f"""SELECT DISTINCT ?n ?k WHERE {{
        VALUES ?k {{ {values} }} ?n a ?t . ?t rdfs:subClassOf* ?k . FILTER(isIRI(?n)) }}""")
    for row in rows:
        node, index = str(row["n"].value), priority[str(row["k"].value)]
        if index < best.get(node, len(KINDS)):
            best[node] = index
    return {node: KINDS[i].key for node, i in best.items()}


def labels(store: Store) -> dict[str, str]:
    """A label for every labelled IRI (rdfs:label, else skos:prefLabel; English or untagged first)."""
    found: dict[str, tuple[int, str]] = {}
    rows = _rows(store, """SELECT ?n ?p ?l WHERE {
        VALUES ?p { rdfs:label skos:prefLabel } ?n ?p ?l . FILTER(isIRI(?n)) }""")
    for row in rows:
        literal = row["l"]
        rank = (0 if str(row["p"].value) == RDFS_LABEL else 2) + (
            0 if isinstance(literal, ox.Literal) and literal.language in (None, "en") else 1)
        node = str(row["n"].value)
        if node not in found or rank < found[node][0]:
            found[node] = (rank, str(literal.value))
    return {node: text for node, (_, text) in found.items()}


def _sub_properties(store: Store) -> dict[str, set[str]]:
    """For each nenkg property, its proper super-properties (transitively)."""
    supers: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "SELECT ?p ?q WHERE { ?p rdfs:subPropertyOf+ ?q . FILTER(?p != ?q) }"):
        supers[str(row["p"].value)].add(str(row["q"].value))
    return supers


def project(store: Store) -> nx.MultiDiGraph:
    """Project the store into a directed multigraph of entities.

    Node attributes: ``iri``, ``label``, ``kind`` (a :data:`KINDS` key), ``title`` (plain text:
    label, kind and a summary such as "median overall survival 13.9 month (95% CI 8.3-NR)").
    Edge keys and attribute ``property`` are the predicate IRIs; ``label`` its local name.
    """
    kinds = node_kinds(store)
    names = labels(store)
    literals: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = _rows(store, f"""SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o .
        FILTER(STRSTARTS(STR(?s), "{DATA_NS}") && STRSTARTS(STR(?p), "{NS}")) }}""")
    for row in rows:
        subject, predicate, obj = str(row["s"].value), str(row["p"].value), row["o"]
        if isinstance(obj, ox.Literal):
            literals[subject][local_name(predicate)].append(_value(obj))
        elif isinstance(obj, ox.NamedNode):
            links[subject][predicate].append(str(obj.value))

    graph = nx.MultiDiGraph()
    attributes = {NS + p for p in ATTRIBUTE_PROPERTIES}
    for node, kind in kinds.items():
        if node.startswith(DATA_NS):
            graph.add_node(node, iri=node, label=names.get(node, local_name(node)), kind=kind)
    supers = _sub_properties(store)
    for subject, by_property in links.items():
        if subject not in graph:
            continue
        present = set(by_property)
        for predicate, objects in by_property.items():
            if predicate in HIDDEN_PROPERTIES or predicate in attributes:
                continue
            for obj in dict.fromkeys(objects):
                # Skip an inferred super-property edge when a more specific one joins the same pair.
                if any(other != predicate and predicate in supers.get(other, ()) and obj in by_property[other]
                       for other in present):
                    continue
                if obj not in graph:
                    term_kind = kinds.get(obj)
                    if term_kind is None or not KIND_BY_KEY[term_kind].vocabulary:
                        continue
                    graph.add_node(obj, iri=obj, label=names.get(obj, local_name(obj)), kind=term_kind)
                graph.add_edge(subject, obj, key=predicate, property=predicate, label=local_name(predicate))
    # Broader terms between vocabulary nodes already in the network (a drug class hierarchy).
    for row in _rows(store, "SELECT DISTINCT ?s ?o WHERE { ?s nenkg:broaderTerm ?o }"):
        subject, obj = str(row["s"].value), str(row["o"].value)
        if subject in graph and obj in graph:
            graph.add_edge(subject, obj, key=NS + "broaderTerm", property=NS + "broaderTerm",
                           label="broaderTerm")
    for node, data in graph.nodes(data=True):
        data["title"] = node_title(data["label"], data["kind"], literals.get(node, {}),
                                   links.get(node, {}), names)
    return graph


def _names_of(values: Iterable[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(v, local_name(v)) for v in values)


def _interval(lit: dict[str, list[Any]]) -> str:
    if not (lit.get("ciLower") or lit.get("ciUpper") or lit.get("ciLowerNotReached")
            or lit.get("ciUpperNotReached")):
        return ""
    level = lit.get("ciLevel", [None])[0]
    lower = "NR" if lit.get("ciLowerNotReached", [False])[0] else _fmt(lit.get("ciLower", ["?"])[0])
    upper = "NR" if lit.get("ciUpperNotReached", [False])[0] else _fmt(lit.get("ciUpper", ["?"])[0])
    prefix = f"{_fmt(round(float(level) * 100, 1))}% CI" if level is not None else "CI"
    return f" ({prefix} {lower}\u2013{upper})"


def measurement_summary(lit: dict[str, list[Any]], rel: dict[str, list[str]], names: dict[str, str]) -> str:
    """One line summarising a measurement node: statistic, endpoint, value, unit, CI, n, p, population."""
    def vocab(prop: str) -> str:
        return _names_of(rel.get(NS + prop, []), names)

    parts: list[str] = []
    head = " ".join(p for p in (vocab("hasStatistic"), vocab("hasEndpoint")) if p)
    value = "not reached" if lit.get("valueNotReached", [False])[0] else (
        _fmt(lit["value"][0]) if lit.get("value") else "")
    factor = lit.get("factor", [""])[0]
    if factor:
        comparison = " vs ".join(str(x[0]) for x in (lit.get("comparedLevel"), lit.get("referenceLevel")) if x)
        head = f"{head} {factor}" + (f" ({comparison})" if comparison else "")
    ae = vocab("adverseEvent")
    if ae:
        head = f"{ae} grade {vocab('hasCTCAEGrade')}".strip()
    if lit.get("category"):
        head = f"{head} {lit['category'][0]}".strip()
    unit = vocab("hasUnit")
    if value:
        parts.append(f"{head}: {value}{' ' + unit if unit else ''}{_interval(lit)}".strip(": "))
    elif head:
        parts.append(head)
    if lit.get("rangeLower") or lit.get("rangeUpper"):
        parts.append(f"range {_fmt(lit.get('rangeLower', ['?'])[0])}\u2013{_fmt(lit.get('rangeUpper', ['?'])[0])}")
    if lit.get("timepoint"):
        parts.append(f"at {_fmt(lit['timepoint'][0])} {vocab('timepointUnit')}".strip())
    if lit.get("count"):
        parts.append(f"n = {lit['count'][0]}" + (f"/{lit['denominator'][0]}" if lit.get("denominator") else ""))
    if lit.get("pValueText") or lit.get("pValue"):
        parts.append(f"p = {(lit.get('pValueText') or lit.get('pValue'))[0]}")  # type: ignore[index]
    if vocab("hasModelType"):
        parts.append(vocab("hasModelType"))
    if rel.get(NS + "aboutPopulation"):
        parts.append("population: " + vocab("aboutPopulation"))
    return "; ".join(parts)


def node_title(label: str, kind: str, lit: dict[str, list[Any]], rel: dict[str, list[str]],
               names: dict[str, str]) -> str:
    """The hover text of a node, as plain text (never HTML)."""
    lines = [label, KIND_BY_KEY[kind].label]
    if kind in ("outcome", "effect", "characteristic", "adverse-event"):
        lines.append(measurement_summary(lit, rel, names))
    elif kind == "study":
        for prop in ("studyName", "registryId", "actualEnrolment", "plannedEnrolment", "country"):
            if lit.get(prop):
                lines.append(f"{prop}: {', '.join(str(v) for v in lit[prop])}")
        for prop in ("hasDesign", "hasPhase", "hasStatus", "hasLine"):
            if rel.get(NS + prop):
                lines.append(f"{prop[3:].lower()}: {_names_of(rel[NS + prop], names)}")
    elif kind in ("arm", "population") and lit.get("numberOfPatients"):
        lines.append(f"n = {lit['numberOfPatients'][0]}")
    elif kind == "regimen":
        for prop in ("cycleLengthDays", "maximumCycles"):
            if lit.get(prop):
                lines.append(f"{prop}: {lit[prop][0]}")
        if rel.get(NS + "hasTreatmentPhase"):
            lines.append("phase: " + _names_of(rel[NS + "hasTreatmentPhase"], names))
    elif kind == "publication":
        for prop in ("doi", "citation"):
            if lit.get(prop):
                lines.append(f"{prop}: {lit[prop][0]}")
    return "\n".join(line for line in lines if line)


# --- views -----------------------------------------------------------------------------------


def _require(graph: nx.MultiDiGraph, iri: str) -> None:
    if iri not in graph:
        raise UnknownEntityError(iri)


def filter_kinds(graph: nx.MultiDiGraph, kinds: Iterable[str] | None) -> nx.MultiDiGraph:
    """The subgraph of nodes whose kind is in ``kinds`` (all when ``kinds`` is empty or None)."""
    wanted = set(kinds or ())
    if not wanted:
        return graph
    unknown = wanted - set(KIND_BY_KEY)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; known: {', '.join(KIND_BY_KEY)}")
    return graph.subgraph(n for n, k in graph.nodes(data="kind") if k in wanted)


def ego(graph: nx.MultiDiGraph, focus: str, depth: int = 1) -> nx.MultiDiGraph:
    """The nodes within ``depth`` steps of ``focus`` (edges followed in both directions)."""
    _require(graph, focus)
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    reach = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), focus, cutoff=depth)
    return graph.subgraph(reach)


def ego_graph(store: Store, focus: str, depth: int = 1) -> nx.MultiDiGraph:
    """Project ``store`` and return the ego network of ``focus`` to ``depth`` steps."""
    return ego(project(store), focus, depth)


def neighbours(graph: nx.MultiDiGraph, iri: str) -> nx.MultiDiGraph:
    """``iri`` and its direct neighbours, with the edges among them (for expanding a node on click)."""
    return ego(graph, iri, 1)


def rank(graph: nx.MultiDiGraph, measure: str = "degree", *, kinds: Iterable[str] | None = None,
         limit: int = 20) -> list[dict[str, Any]]:
    """The most central nodes by ``measure``: ``degree``, ``betweenness`` or ``pagerank``.

    Centrality is computed on the whole (undirected) network; ``kinds`` only selects what is listed.
    """
    simple = nx.Graph(graph.to_undirected(as_view=True))
    if measure == "degree":
        scores: dict[str, float] = dict(simple.degree())
    elif measure == "betweenness":
        # Sampled for large networks; seeded so that the ranking is reproducible.
        k = min(300, simple.number_of_nodes()) if simple.number_of_nodes() > 300 else None
        scores = nx.betweenness_centrality(simple, k=k, seed=0)
    elif measure == "pagerank":
        scores = nx.pagerank(simple)
    else:
        raise ValueError(f"unknown measure {measure!r}: use degree, betweenness or pagerank")
    wanted = set(kinds or ())
    ordered = sorted((n for n in scores if not wanted or graph.nodes[n]["kind"] in wanted),
                     key=lambda n: (-scores[n], graph.nodes[n]["label"]))
    return [{"iri": n, "label": graph.nodes[n]["label"], "kind": graph.nodes[n]["kind"],
             "score": round(float(scores[n]), 6)} for n in ordered[:limit]]


def shortest_paths(graph: nx.MultiDiGraph, source: str, target: str, *, limit: int = 5) -> list[list[str]]:
    """Up to ``limit`` shortest paths from ``source`` to ``target`` (edges in either direction).

    Returns an empty list when they are not connected.
    """
    _require(graph, source)
    _require(graph, target)
    undirected = graph.to_undirected(as_view=True)
    try:
        paths = []
        for path in nx.all_shortest_paths(undirected, source, target):
            paths.append(path)
            if len(paths) >= limit:
                break
        return paths
    except nx.NetworkXNoPath:
        return []


def path_edges(graph: nx.MultiDiGraph, path: list[str]) -> list[dict[str, str]]:
    """The edges along a path, each with its direction as stored."""
    edges = []
    for a, b in zip(path, path[1:], strict=False):
        if graph.has_edge(a, b):
            key = next(iter(graph[a][b]))
            edges.append({"from": a, "to": b, "property": key, "label": local_name(key)})
        else:
            key = next(iter(graph[b][a]))
            edges.append({"from": b, "to": a, "property": key, "label": local_name(key)})
    return edges


def components(graph: nx.MultiDiGraph, *, top: int = 5) -> list[dict[str, Any]]:
    """Connected components, largest first, with their size and best-connected members."""
    undirected = graph.to_undirected(as_view=True)
    result = []
    for comp in sorted(nx.connected_components(undirected), key=len, reverse=True):
        members = sorted(comp, key=lambda n: (-undirected.degree(n), graph.nodes[n]["label"]))
        result.append({"size": len(comp), "top": [{"iri": n, "label": graph.nodes[n]["label"],
                                                   "kind": graph.nodes[n]["kind"]} for n in members[:top]]})
    return result


def communities(graph: nx.MultiDiGraph, *, seed: int = 0, top: int = 5) -> list[dict[str, Any]]:
    """Louvain communities (seeded: the same graph gives the same partition), largest first."""
    simple = nx.Graph(graph.to_undirected(as_view=True))
    parts = nx.community.louvain_communities(simple, seed=seed)
    result = []
    for part in sorted(parts, key=len, reverse=True):
        members = sorted(part, key=lambda n: (-simple.degree(n), graph.nodes[n]["label"]))
        result.append({"size": len(part), "top": [{"iri": n, "label": graph.nodes[n]["label"],
                                                   "kind": graph.nodes[n]["kind"]} for n in members[:top]]})
    return result


def search(graph: nx.MultiDiGraph, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Nodes whose label contains ``text`` (case-insensitive); exact and prefix matches first."""
    needle = text.strip().lower()
    if not needle:
        return []
    hits = []
    for node, data in graph.nodes(data=True):
        label = data["label"].lower()
        if needle in label:
            hits.append(((label != needle, not label.startswith(needle), -graph.degree(node), label), node))
    hits.sort()
    return [{"iri": n, "label": graph.nodes[n]["label"], "kind": graph.nodes[n]["kind"]} for _, n in hits[:limit]]


# --- one entity, for the side panel ------------------------------------------------------


#: IRIs per query when details are read in bulk (a VALUES block of validated IRIs).
DETAILS_BATCH = 300


def _values(iris: list[str]) -> str:
    """A ``VALUES ?s`` block; ``ox.NamedNode`` rejects anything that is not an IRI, and its
    N-Triples form is escaped, so nothing from the caller reaches the query text unchecked."""
    return "VALUES ?s { " + " ".join(str(ox.NamedNode(iri)) for iri in iris) + " }"


def entity_details(store: Store, iri: str) -> dict[str, Any]:
    """What the side panel shows about ``iri``: label, types, properties (as text), external links,
    and evidence quotes with their source and offsets.

    Raises :class:`UnknownEntityError` when the store knows nothing about ``iri``, ``ValueError``
    when it is not an IRI.
    """
    details = entities_details(store, [iri])
    if iri not in details:
        raise UnknownEntityError(iri)
    return details[iri]


def entities_details(store: Store, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    """:func:`entity_details` of many IRIs with three queries per batch (for a standalone view);
    IRIs the store knows nothing about are left out."""
    result: dict[str, dict[str, Any]] = {}
    pending = list(dict.fromkeys(iris))
    for begin in range(0, len(pending), DETAILS_BATCH):
        batch = pending[begin:begin + DETAILS_BATCH]
        values = _values(batch)
        rows = list(_rows(store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ {values} ?s ?p ?o }}"))
        names = labels_for(store, batch + [str(r["o"].value) for r in rows if isinstance(r["o"], ox.NamedNode)])
        for row in rows:
            iri = str(row["s"].value)
            entry = result.setdefault(iri, {"iri": iri, "label": names.get(iri, local_name(iri)), "types": [],
                                            "properties": [], "links": [], "evidence": []})
            predicate, obj = str(row["p"].value), row["o"]
            if predicate == RDF_TYPE:
                if str(obj.value).startswith(NS):
                    entry["types"].append(local_name(str(obj.value)))
            elif predicate in (RDFS_SEE_ALSO, SKOS + "exactMatch", SKOS + "closeMatch") and isinstance(
                    obj, ox.NamedNode):
                entry["links"].append({"property": local_name(predicate), "href": str(obj.value)})
            elif predicate not in (NS + "hasEvidence", RDFS_LABEL) and not isinstance(obj, ox.BlankNode):
                named = isinstance(obj, ox.NamedNode)
                entry["properties"].append({
                    "property": local_name(predicate),
                    "value": names.get(str(obj.value), local_name(str(obj.value))) if named else str(obj.value),
                    "iri": str(obj.value) if named else ""})
        seen: set[tuple[str, str, Any]] = set()
        for row in _rows(store, f"""SELECT ?s ?ev ?quote ?section ?table ?start ?end ?confidence ?doc ?title
            WHERE {{ {values}
            ?s nenkg:hasEvidence ?ev .
            ?ev oa:hasSelector ?sel . ?sel a oa:TextQuoteSelector ; oa:exact ?quote .
            OPTIONAL {{ ?ev oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end }}
            OPTIONAL {{ ?ev nenkg:sectionTitle ?section }} OPTIONAL {{ ?ev nenkg:tableLabel ?table }}
            OPTIONAL {{ ?ev nenkg:confidence ?confidence }} OPTIONAL {{ ?ev oa:hasSource ?doc
              OPTIONAL {{ ?pub nenkg:hasText ?doc OPTIONAL {{ ?pub rdfs:label ?name }}
                         OPTIONAL {{ ?pub dcterms:title ?fullTitle }} }} }}
            BIND(COALESCE(?name, ?fullTitle) AS ?title)
        }} ORDER BY ?s ?title ?start"""):
            iri = str(row["s"].value)
            # One entry per evidence node, even when a publication has several labels.
            key = (iri, str(row["ev"].value), row["start"] and row["start"].value)
            if iri not in result or key in seen:
                continue
            seen.add(key)
            result[iri]["evidence"].append({
                "quote": str(row["quote"].value),
                "section": str(row["section"].value) if row["section"] else "",
                "table": str(row["table"].value) if row["table"] else "",
                "source": str(row["title"].value) if row["title"] else (
                    local_name(str(row["doc"].value)) if row["doc"] else ""),
                "start": int(row["start"].value) if row["start"] else None,
                "end": int(row["end"].value) if row["end"] else None,
                "confidence": float(row["confidence"].value) if row["confidence"] else None,
            })
    for entry in result.values():
        entry["types"] = sorted(set(entry["types"]))
        entry["properties"].sort(key=lambda p: (p["property"], p["value"]))
    return result


def labels_for(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """Labels of ``iris``: rdfs:label before skos:prefLabel before dcterms:title.

    The IRIs go in a VALUES block bound to the subject, which Oxigraph evaluates first; a UNION
    of "the node or what it points to" joined to the labels took seconds instead of milliseconds.
    """
    preference = {RDFS_LABEL: 0, SKOS + "prefLabel": 1, DCTERMS_TITLE: 2}
    found: dict[str, tuple[int, str]] = {}
    pending = sorted(set(iris))
    for begin in range(0, len(pending), DETAILS_BATCH * 4):
        values = _values(pending[begin:begin + DETAILS_BATCH * 4])
        for row in _rows(store, f"""SELECT ?s ?p ?l WHERE {{ {values} ?s ?p ?l
                                     FILTER(?p IN (rdfs:label, skos:prefLabel, dcterms:title)) }}"""):
            node, rank = str(row["s"].value), preference[str(row["p"].value)]
            if node not in found or rank < found[node][0]:
                found[node] = (rank, str(row["l"].value))
    return {node: text for node, (_, text) in found.items()}

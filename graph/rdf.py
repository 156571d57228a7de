"""Facts to RDF: the one place that decides how a fact becomes triples.

``facts_to_graphs`` merges facts first (same claim -> one node with all its evidence; a study
named by registry id in one paper and by acronym in another -> one study node), then writes each
claim into the named graph of every document that supports it, and each piece of evidence into
its own document's graph, as W3C Web Annotation selectors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox

from graph.iris import claim_slug, data_iri, digest, document_graph, readable
from loaders.document import Document
from loaders.facts import (
    AdverseEvent,
    Arm,
    Characteristic,
    EffectEstimate,
    Evidence,
    Fact,
    Outcome,
    Publication,
    Regimen,
    Study,
    normalise_name,
)
from ontology import NS, TURTLE_PATH

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

TYPE = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
SEE_ALSO = ox.NamedNode(RDFS + "seeAlso")
QUOTE_CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector


def n(name: str) -> ox.NamedNode:
    """The ontology term ``nenkg:name``."""
    return ox.NamedNode(NS + name)


def literal(value: object) -> ox.Literal:
    """A typed literal: bool -> xsd:boolean, int -> xsd:integer, float -> xsd:decimal, str -> string."""
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        text = format(Decimal(repr(value)).normalize(), "f")
        return ox.Literal(text if "." in text else text + ".0", datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(str(value))


def registry_iri(registry_id: str) -> str | None:
    """The public record of a trial registry id, where the registry has stable record IRIs."""
    rid = registry_id.strip()
    if rid.upper().startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{rid.upper()}"
    if rid.count("-") == 2 and rid.replace("-", "").isdigit():  # EudraCT 2019-001546-18
        return f"https://www.clinicaltrialsregister.eu/ctr-search/search?query={rid}"
    return None


@lru_cache(maxsize=1)
def term_labels() -> dict[str, str]:
    """Labels of the ontology's terms (for readable labels of measurement nodes)."""
    labels: dict[str, str] = {}
    for quad in ox.parse(path=str(TURTLE_PATH), format=ox.RdfFormat.TURTLE):
        if quad.predicate == LABEL and isinstance(quad.subject, ox.NamedNode):
            labels.setdefault(quad.subject.value, str(quad.object.value))
    return labels


def term_label(iri: str | None) -> str:
    if not iri:
        return ""
    return term_labels().get(iri, iri.rsplit("#", 1)[-1])


# --- merging -----------------------------------------------------------------------------------


class StudyIndex:
    """Union of study keys that name the same study (shared registry id, name or alias)."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _find(self, key: str) -> str:
        self._parent.setdefault(key, key)
        while self._parent[key] != key:
            self._parent[key] = self._parent[self._parent[key]]
            key = self._parent[key]
        return key

    def union(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        for other in keys[1:]:
            a, b = self._find(keys[0]), self._find(other)
            if a != b:
                # Keep the best key as root: registry ids first (NCT before others), then names.
                first, second = sorted((a, b), key=_key_rank)
                self._parent[second] = first

    def canonical(self, key: str) -> str:
        return self._find(key)


def _key_rank(key: str) -> tuple[int, str]:
    if key.startswith("reg:nct"):
        return (0, key)
    if key.startswith("reg:"):
        return (1, key)
    if key.startswith("name:"):
        return (2, key)
    if key.startswith("doc:"):
        return (3, key)
    return (4, key)


def folded_key(name: str) -> str:
    """A name key without separators, so that "NIPi-NEC" and "NIPINEC" meet."""
    return "fold:" + normalise_name(name).replace("-", "")


def study_keys(study: Study) -> list[str]:
    names = [a for a in (study.name, *study.aliases) if a]
    keys = [study.ref]
    keys += ["reg:" + normalise_name(r) for r in study.registry_ids]
    keys += ["name:" + normalise_name(a) for a in names]
    keys += [folded_key(a) for a in names]
    return keys


def merge_facts(facts: Iterable[Fact], index: StudyIndex | None = None) -> list[Fact]:
    """Canonicalise study references and merge facts with equal claims (their evidence joined)."""
    facts = list(facts)
    index = index or StudyIndex()
    for fact in facts:
        if isinstance(fact, Study):
            index.union(study_keys(fact))
    merged: dict[tuple[object, ...], Fact] = {}
    for fact in facts:
        if isinstance(fact, Study):
            fact = replace(fact, ref=index.canonical(fact.ref))
        elif hasattr(fact, "study"):
            fact = replace(fact, study=index.canonical(fact.study))  # type: ignore[call-arg]
        key = fact.key()
        merged[key] = merged[key].with_evidence(*fact.evidence) if key in merged else fact
    return list(merged.values())


# --- mapping -------------------------------------------------------------------------------------


def study_iri(key: str) -> str:
    return data_iri("study", readable(key.split(":", 1)[1], 60))


def population_iri(study_key: str, label: str) -> str:
    # The digest keeps "Ki-67 < 55" and "Ki-67 ≥ 55" apart, which the readable part cannot.
    return data_iri("population", f"{readable(study_key.split(':', 1)[1], 40)}--{claim_slug(label, label)}")


class Mapper:
    """Collects triples per named graph while facts are mapped."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self.documents = documents
        self.graphs: dict[str, list[ox.Triple]] = defaultdict(list)
        self.publications: dict[str, str] = {}  # document id -> publication IRI
        self.titles: dict[str, str] = {}  # document id -> publication title
        self.arms: set[tuple[str, str]] = set()  # (study key, label) of every arm

    def add(self, graphs: Iterable[str], subject: str, predicate: ox.NamedNode, obj: object) -> None:
        if obj is None or obj == () or obj is False and predicate.value.endswith("NotReached"):
            return
        term = obj if isinstance(obj, ox.NamedNode | ox.Literal) else literal(obj)
        triple = ox.Triple(ox.NamedNode(subject), predicate, term)
        for graph in graphs:
            self.graphs[graph].append(triple)

    def iri(self, value: str | None) -> ox.NamedNode | None:
        return ox.NamedNode(value) if value else None

    # evidence ---------------------------------------------------------------------------------

    def evidence(self, claim: str, claim_graphs: list[str], evidence: Evidence) -> str:
        graph = [document_graph(evidence.document)]
        # One node per reading: the same span read by one extractor with the same confidence.
        reading = (evidence.extractor, evidence.extractor_version, evidence.quote, evidence.confidence,
                   evidence.table, evidence.row, evidence.column)
        ev = data_iri("evidence", f"{readable(evidence.document, 30)}-{evidence.start}-{evidence.end}-"
                                  f"{digest(reading, 8)}")
        self.add(claim_graphs, claim, n("hasEvidence"), ox.NamedNode(ev))
        text = self.documents[evidence.document].text if evidence.document in self.documents else ""
        document = ox.NamedNode(data_iri("document", evidence.document))
        activity = data_iri("activity", f"{readable(evidence.extractor)}-{readable(evidence.extractor_version)}")
        quote_selector, position_selector = ev + "#quote", ev + "#position"
        for predicate, obj in (
            (TYPE, n("Evidence")), (TYPE, ox.NamedNode(OA + "SpecificResource")),
            (LABEL, f"evidence: {evidence.quote[:80]}"),
            (ox.NamedNode(OA + "hasSource"), document), (ox.NamedNode(PROV + "wasDerivedFrom"), document),
            (ox.NamedNode(OA + "hasSelector"), ox.NamedNode(quote_selector)),
            (ox.NamedNode(OA + "hasSelector"), ox.NamedNode(position_selector)),
            (ox.NamedNode(PROV + "wasGeneratedBy"), ox.NamedNode(activity)),
            (n("confidence"), float(evidence.confidence)), (n("sectionTitle"), evidence.section),
            (n("tableLabel"), evidence.table), (n("tableRow"), evidence.row),
            (n("tableColumn"), evidence.column),
        ):
            self.add(graph, ev, predicate, obj)
        for predicate, obj in (
            (TYPE, ox.NamedNode(OA + "TextQuoteSelector")), (ox.NamedNode(OA + "exact"), evidence.quote),
            (ox.NamedNode(OA + "prefix"), text[max(0, evidence.start - QUOTE_CONTEXT):evidence.start] or None),
            (ox.NamedNode(OA + "suffix"), text[evidence.end:evidence.end + QUOTE_CONTEXT] or None),
        ):
            self.add(graph, quote_selector, predicate, obj)
        for predicate, obj in ((TYPE, ox.NamedNode(OA + "TextPositionSelector")),
                               (ox.NamedNode(OA + "start"), evidence.start),
                               (ox.NamedNode(OA + "end"), evidence.end)):
            self.add(graph, position_selector, predicate, obj)
        return ev
        for predicate, obj in ((TYPE, n("ExtractionActivity")), (TYPE, ox.NamedNode(PROV + "Activity")),
                               (LABEL, f"{evidence.extractor} {evidence.extractor_version}"),
                               (n("extractorName"), evidence.extractor),
                               (n("extractorVersion"), evidence.extractor_version)):
            self.add(graph, activity, predicate, obj)

    def claim(self, fact: Fact, iri: str) -> list[str]:
        """Graphs a claim belongs to (one per supporting document) after writing its evidence."""
        graphs = sorted({document_graph(e.document) for e in fact.evidence})
        for evidence in fact.evidence:
            self.evidence(iri, graphs, evidence)
        return graphs

    # facts ------------------------------------------------------------------------------------

    def document(self, document: Document) -> None:
        iri = data_iri("document", document.id)
        graph = [document_graph(document.id)]
        for predicate, obj in ((TYPE, n("SourceDocument")), (LABEL, f"text of {document.path.rsplit('/', 1)[-1]}"),
                               (n("fileName"), document.path.rsplit("/", 1)[-1]), (n("sha256"), document.sha256)):
            self.add(graph, iri, predicate, obj)

    def publication(self, fact: Publication) -> None:
        iri = self.publications[fact.document]
        graphs = self.claim(fact, iri) or [document_graph(fact.document)]
        title = fact.title or fact.document
        for predicate, obj in ((TYPE, n("Publication")), (LABEL, title), (ox.NamedNode(DCTERMS + "title"), fact.title),
                               (n("doi"), fact.doi), (n("citation"), fact.citation), (n("publicationYear"), fact.year),
                               (SEE_ALSO, self.iri(f"https://doi.org/{fact.doi}" if fact.doi else None)),
                               (n("hasText"), ox.NamedNode(data_iri("document", fact.document)))):
            self.add(graphs, iri, predicate, obj)

    def study(self, fact: Study) -> None:
        iri = study_iri(fact.ref)
        graphs = self.claim(fact, iri)
        title = self.titles.get(fact.document or "", fact.document)
        label = fact.name or (fact.registry_ids[0] if fact.registry_ids else f"study reported in “{title}”")
        self.add(graphs, iri, TYPE, n("Study"))
        self.add(graphs, iri, LABEL, label)
        for name in (fact.name, *fact.aliases):
            self.add(graphs, iri, n("studyName"), name)
        for rid in fact.registry_ids:
            self.add(graphs, iri, n("registryId"), rid)
            self.add(graphs, iri, SEE_ALSO, self.iri(registry_iri(rid)))
        for design in fact.designs:
            self.add(graphs, iri, n("hasDesign"), ox.NamedNode(design))
        for predicate, value in (("hasPhase", fact.phase), ("hasStatus", fact.status), ("hasLine", fact.line)):
            self.add(graphs, iri, n(predicate), self.iri(value))
        for predicate, obj in (("plannedEnrolment", fact.enrolment_planned), ("actualEnrolment", fact.enrolment_actual),
                               ("numberOfCentres", fact.centres), ("startDate", fact.start_date),
                               ("endDate", fact.end_date), ("sponsor", fact.sponsor)):
            self.add(graphs, iri, n(predicate), obj)
        for country in fact.countries:
            self.add(graphs, iri, n("country"), country)
        overall = population_iri(fact.ref, "overall")
        if fact.neoplasm_types or fact.primary_sites:
            self.population_node(graphs, fact.ref, "overall", "StudyPopulation")
            for neoplasm in fact.neoplasm_types:
                self.add(graphs, overall, n("hasNeoplasmType"), ox.NamedNode(neoplasm))
            for site in fact.primary_sites:
                self.add(graphs, overall, n("hasPrimarySite"), ox.NamedNode(site))
        documents = {e.document for e in fact.evidence} | ({fact.document} if fact.document else set())
        link = n("reportedIn") if fact.role == "primary" else n("citedIn")
        for document in sorted(documents):
            if document in self.publications:
                self.add(graphs or [document_graph(document)], iri, link, ox.NamedNode(self.publications[document]))

    def population_node(self, graphs: list[str], study: str, label: str, kind: str | None = None) -> str:
        iri = population_iri(study, label)
        if kind is None:
            kind = "StudyArm" if (study, label) in self.arms else "Subgroup"
            kind = "StudyPopulation" if label == "overall" else kind
        self.add(graphs, iri, TYPE, n(kind))
        self.add(graphs, iri, LABEL, label if label != "overall" else "all patients")
        link = {"StudyArm": "hasArm"}.get(kind, "hasPopulation")
        self.add(graphs, study_iri(study), n(link), ox.NamedNode(iri))
        if kind == "StudyArm":
            self.add(graphs, study_iri(study), n("hasPopulation"), ox.NamedNode(iri))
        return iri

    def regimen(self, graphs: list[str], regimen: Regimen) -> str:
        iri = data_iri("regimen", claim_slug(regimen.label, regimen))
        self.add(graphs, iri, TYPE, n("Regimen"))
        self.add(graphs, iri, LABEL, regimen.label)
        for name, number in (("cycleLengthDays", regimen.cycle_length_days), ("maximumCycles", regimen.max_cycles)):
            self.add(graphs, iri, n(name), number)
        self.add(graphs, iri, n("hasTreatmentPhase"), self.iri(regimen.phase))
        self.add(graphs, iri, n("hasLine"), self.iri(regimen.line))
        for component in regimen.components:
            citer = data_iri("component", claim_slug(term_label(component.agent), (iri, component)))
            self.add(graphs, iri, n("hasAgent"), ox.NamedNode(component.agent))
            self.add(graphs, iri, n("hasComponent"), ox.NamedNode(citer))
            dose = f" {component.dose:g} {component.dose_unit or ''}".rstrip() if component.dose is not None else ""
            for predicate, obj in ((TYPE, n("RegimenComponent")), (LABEL, f"{term_label(component.agent)}{dose}"),
                                   (n("componentAgent"), ox.NamedNode(component.agent)), (n("dose"), component.dose),
                                   (n("doseUnit"), component.dose_unit), (n("hasRoute"), self.iri(component.route)),
                                   (n("administrationDays"), component.days)):
                self.add(graphs, citer, predicate, obj)
        return iri

    def arm(self, fact: Arm) -> None:
        iri = population_iri(fact.study, fact.label)
        graphs = self.claim(fact, iri)
        self.population_node(graphs, fact.study, fact.label, "StudyArm")
        self.add(graphs, iri, n("numberOfPatients"), fact.n)
        for neoplasm in fact.neoplasm_types:
            self.add(graphs, iri, n("hasNeoplasmType"), ox.NamedNode(neoplasm))
        for site in fact.primary_sites:
            self.add(graphs, iri, n("hasPrimarySite"), ox.NamedNode(site))
        previous: str | None = None
        for regimen in fact.regimens:
            reg = self.regimen(graphs, regimen)
            self.add(graphs, iri, n("receivesRegimen"), ox.NamedNode(reg))
            if previous:
                self.add(graphs, previous, n("followedBy"), ox.NamedNode(reg))
            previous = reg

    def measurement(self, fact: Outcome | EffectEstimate | Characteristic | AdverseEvent, kind: str,
                    cls: str, label: str) -> tuple[str, list[str]]:
        iri = data_iri(kind, claim_slug(label, fact.key()))
        graphs = self.claim(fact, iri)
        population = self.population_node(graphs, fact.study, fact.population)
        # The words that report a measurement also name its population.
        for evidence in fact.evidence:
            self.evidence(population, graphs, evidence)
        self.add(graphs, iri, TYPE, n(cls))
        self.add(graphs, iri, LABEL, label)
        self.add(graphs, iri, n("ofStudy"), ox.NamedNode(study_iri(fact.study)))
        self.add(graphs, iri, n("aboutPopulation"), ox.NamedNode(population))
        return iri, graphs

    def interval(self, graphs: list[str], iri: str, fact: Outcome | EffectEstimate) -> None:
        for predicate, obj in (("ciLevel", fact.ci_level), ("ciLower", fact.ci_lower), ("ciUpper", fact.ci_upper),
                               ("pValue", fact.p_value), ("pValueText", fact.p_value_text)):
            self.add(graphs, iri, n(predicate), obj)

    def outcome(self, fact: Outcome) -> None:
        value = "NR" if fact.value_not_reached else (f"{fact.value:g}" if fact.value is not None else "")
        tp = f" at {fact.timepoint:g} {term_label(fact.timepoint_unit)}" if fact.timepoint is not None else ""
        label = f"{term_label(fact.statistic)} {term_label(fact.endpoint)}{tp} {value} {term_label(fact.unit)} " \
                f"({fact.population})".replace("  ", " ")
        iri, graphs = self.measurement(fact, "outcome", "Outcome", label)
        for predicate, obj in (("hasEndpoint", self.iri(fact.endpoint)), ("hasStatistic", self.iri(fact.statistic)),
                               ("value", fact.value), ("valueNotReached", fact.value_not_reached),
                               ("hasUnit", self.iri(fact.unit)), ("ciLowerNotReached", fact.ci_lower_not_reached),
                               ("ciUpperNotReached", fact.ci_upper_not_reached), ("rangeLower", fact.range_lower),
                               ("rangeUpper", fact.range_upper), ("count", fact.count),
                               ("denominator", fact.denominator), ("timepoint", fact.timepoint),
                               ("timepointUnit", self.iri(fact.timepoint_unit))):
            self.add(graphs, iri, n(predicate), obj)
        self.interval(graphs, iri, fact)

    def effect(self, fact: EffectEstimate) -> None:
        versus = f" {fact.compared} vs {fact.reference}" if fact.compared or fact.reference else ""
        label = f"HR {fact.value:g} {fact.factor}{versus} for {term_label(fact.endpoint)} ({fact.population})" \
            if fact.measure == "HazardRatio" else f"OR {fact.value:g} {fact.factor}{versus} ({fact.population})"
        iri, graphs = self.measurement(fact, "effect", fact.measure, label)
        for predicate, obj in (("hasEndpoint", self.iri(fact.endpoint)), ("value", fact.value),
                               ("factor", fact.factor), ("factorTerm", self.iri(fact.factor_term)),
                               ("comparedLevel", fact.compared), ("referenceLevel", fact.reference),
                               ("hasModelType", self.iri(fact.model))):
            self.add(graphs, iri, n(predicate), obj)
        self.interval(graphs, iri, fact)

    def characteristic(self, fact: Characteristic) -> None:
        amount = f"{fact.count}" if fact.count is not None else ""
        if fact.percent is not None:
            amount += f" ({fact.percent:g}%)"
        if fact.value is not None:
            amount += f" {term_label(fact.statistic)} {fact.value:g}"
        label = f"{fact.characteristic} {fact.category or ''}: {amount} ({fact.population})".replace("  ", " ")
        iri, graphs = self.measurement(fact, "characteristic", "PopulationCharacteristic", label)
        for predicate, obj in (("characteristicTerm", self.iri(fact.term)), ("category", fact.category),
                               ("characteristicName", fact.characteristic),
                               ("count", fact.count), ("denominator", fact.denominator),
                               ("value", fact.percent if fact.value is None else fact.value),
                               ("hasUnit", self.iri(fact.unit) or (n("Percent") if fact.value is None
                                                                   and fact.percent is not None else None)),
                               ("hasStatistic", self.iri(fact.statistic)),
                               ("rangeLower", fact.range_lower), ("rangeUpper", fact.range_upper)):
            self.add(graphs, iri, n(predicate), obj)

    def adverse_event(self, fact: AdverseEvent) -> None:
        amount = f"{fact.count}" if fact.count is not None else ""
        if fact.percent is not None:
            amount += f" ({fact.percent:g}%)"
        label = f"{fact.event} grade {fact.grade}: {amount} ({fact.population})"
        iri, graphs = self.measurement(fact, "adverse-event", "AdverseEventRate", label)
        for predicate, obj in (("adverseEvent", self.iri(fact.term)), ("eventName", fact.event),
                               ("count", fact.count),
                               ("denominator", fact.denominator), ("value", fact.percent),
                               ("hasUnit", n("Percent") if fact.percent is not None else None)):
            self.add(graphs, iri, n(predicate), obj)
        self.add(graphs, iri, n("category"), f"grade {fact.grade}")


def publication_iri(fact: Publication) -> str:
    return data_iri("publication", readable(fact.doi, 60) if fact.doi else readable(fact.document, 60))


def facts_to_graphs(documents: Mapping[str, Document], facts: Iterable[Fact],
                    index: StudyIndex | None = None) -> dict[str, list[ox.Triple]]:
    """Map the facts of ``documents`` to triples, one named graph per document."""
    merged = merge_facts(facts, index)
    mapper = Mapper(documents)
    for document in documents.values():
        mapper.document(document)
        mapper.publications[document.id] = data_iri("publication", readable(document.id, 60))
    for fact in merged:
        if isinstance(fact, Publication):
            mapper.publications[fact.document] = publication_iri(fact)
            if fact.title:
                mapper.titles[fact.document] = fact.title
        elif isinstance(fact, Arm):
            mapper.arms.add((fact.study, fact.label))
    handlers = {Publication: mapper.publication, Study: mapper.study, Arm: mapper.arm, Outcome: mapper.outcome,
                EffectEstimate: mapper.effect, Characteristic: mapper.characteristic,
                AdverseEvent: mapper.adverse_event}
    for fact in merged:
        handlers[type(fact)](fact)  # type: ignore[operator]
    # The same triple may come from several facts (a population named by many outcomes): dedupe.
    return {graph: list(dict.fromkeys(triples)) for graph, triples in mapper.graphs.items()}

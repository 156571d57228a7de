"""The single source of the nenkg ontology, written with owlready2 in an explicit ``World``.

``build_ontology()`` returns the world and ontology; :mod:`ontology.generate` writes them to the
published Turtle and RDF/XML files. Nothing here runs at import time.
"""

from __future__ import annotations

import datetime
import types as pytypes
from typing import Any

import owlready2
from owlready2 import (
    AnnotationProperty,
    ConstrainedDatatype,
    DataProperty,
    FunctionalProperty,
    ObjectProperty,
    Thing,
    World,
    locstr,
)

from ontology import NS, VERSION
from ontology.mappings import NOTATION_PREFIXES, PREDICATES, MappingError, load_mappings
from ontology.schema import DATA_CLASSES, DATA_PROPERTIES, OBJECT_PROPERTIES, VOCABULARY_CLASSES, ClassDef
from ontology.vocabulary import GROUPING_CLASSES, INDIVIDUALS, TermDef

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
XSD_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "decimal": float,
    "boolean": bool,
}


def _annotation(onto: owlready2.Ontology, namespace: owlready2.Namespace, name: str) -> Any:
    with namespace:
        return pytypes.new_class(name, (AnnotationProperty,))


def _label(entity: Any, label: str, definition: str, synonyms: tuple[str, ...] = ()) -> None:
    entity.label = [locstr(label, "en")]
    entity.prefLabel = [locstr(label, "en")]
    entity.comment = [locstr(definition, "en")]
    entity.definition = [locstr(definition, "en")]
    if synonyms:
        entity.altLabel = [locstr(s, "en") for s in synonyms]


def build_ontology(world: World | None = None) -> tuple[World, owlready2.Ontology]:
    """Build the ontology in ``world`` (a new one by default) and return both."""
    world = world or World()
    onto = world.get_ontology(NS)
    skos = onto.get_namespace(SKOS)
    dcterms = onto.get_namespace(DCTERMS)
    with onto:
        for name in ("prefLabel", "altLabel", "definition", "exactMatch", "closeMatch", "broadMatch",
                     "narrowMatch", "notation"):
            _annotation(onto, skos, name)
        for name in ("title", "license", "creator", "created", "description"):
            _annotation(onto, dcterms, name)
        abbreviation: Any = pytypes.new_class("abbreviation", (AnnotationProperty,))
        abbreviation.label = [locstr("abbreviation", "en")]
        abbreviation.comment = [locstr(
            "An abbreviation or symbol, matched case-sensitively as a whole token (OS, EP, TP53).", "en")]
        abbreviation.is_a.append(onto.world[SKOS + "altLabel"])

        classes: dict[str, Any] = {}

        def make_class(defn: ClassDef | TermDef, parents: tuple[str, ...]) -> None:
            bases = tuple(classes[p] for p in parents) or (Thing,)
            cls = pytypes.new_class(defn.name, bases)
            _label(cls, defn.label, defn.definition, defn.synonyms)
            classes[defn.name] = cls

        for cdef in DATA_CLASSES + VOCABULARY_CLASSES:
            make_class(cdef, cdef.parents)
        for tdef in GROUPING_CLASSES:
            make_class(tdef, tdef.types)
            if tdef.abbreviations:
                classes[tdef.name].abbreviation = [locstr(a, "en") for a in tdef.abbreviations]

        props: dict[str, Any] = {}
        for pdef in OBJECT_PROPERTIES:
            bases: tuple[Any, ...] = (ObjectProperty,) + ((FunctionalProperty,) if pdef.functional else ())
            bases = tuple(props[p] for p in pdef.parents) + bases if pdef.parents else bases
            prop: Any = pytypes.new_class(pdef.name, bases)
            prop.domain = [classes[d] for d in pdef.domain]
            if pdef.range:
                prop.range = [classes[pdef.range]]
            _label(prop, pdef.label, pdef.definition)
            props[pdef.name] = prop
        for pdef in DATA_PROPERTIES:
            dbases: tuple[Any, ...] = (DataProperty,) + ((FunctionalProperty,) if pdef.functional else ())
            dprop: Any = pytypes.new_class(pdef.name, dbases)
            prop = dprop
            prop.domain = [classes[d] for d in pdef.domain]
            if pdef.range:
                prop.range = [XSD_TYPES[pdef.range]]
            _label(prop, pdef.label, pdef.definition)
            props[pdef.name] = prop

        individuals: dict[str, Any] = {}
        for tdef in INDIVIDUALS:
            first, *rest = (classes[t] for t in tdef.types)
            ind = first(tdef.name, namespace=onto)
            for extra in rest:
                ind.is_a.append(extra)
            _label(ind, tdef.label, tdef.definition, tdef.synonyms)
            if tdef.abbreviations:
                ind.abbreviation = [locstr(a, "en") for a in tdef.abbreviations]
            individuals[tdef.name] = ind
        for tdef in INDIVIDUALS:
            ind = individuals[tdef.name]
            if tdef.broader:
                ind.broaderTerm = [individuals[b] for b in tdef.broader]
            for prop_name in dict.fromkeys(p for p, _ in tdef.relations):
                setattr(ind, prop_name, [individuals[t] for p, t in tdef.relations if p == prop_name])
            for prop_name, value in tdef.values:
                setattr(ind, prop_name, [value])

        _defined_classes(classes, props, individuals)
        _w3c_superclasses(onto, classes)
        _alignments(world, onto, {**classes, **individuals})

    onto.metadata.title = [locstr("nenkg: the neuroendocrine neoplasm knowledge graph ontology", "en")]
    onto.metadata.license = ["https://creativecommons.org/licenses/by/4.0/"]
    onto.metadata.creator = ["nenkg developers"]
    onto.metadata.comment = [locstr(
        "Classes and properties of the nenkg knowledge graph: neoplasms, grades, primary sites, agents, "
        "regimens, biomarkers, studies, outcomes, effect estimates, publications and evidence.", "en")]
    onto.metadata.versionInfo = [VERSION]
    onto.metadata.created = [datetime.date(2026, 11, 21).isoformat()]
    return world, onto


#: Data classes that specialise W3C classes (Web Annotation, PROV-O): the evidence model of the graph.
W3C_SUPERCLASSES = {
    "Evidence": ("http://www.w3.org/ns/oa#", "SpecificResource"),
    "ExtractionActivity": ("http://www.w3.org/ns/prov#", "Activity"),
    "SourceDocument": ("http://www.w3.org/ns/prov#", "Entity"),
}


def _w3c_superclasses(onto: owlready2.Ontology, classes: dict[str, Any]) -> None:
    for name, (namespace, local) in W3C_SUPERCLASSES.items():
        with onto.get_namespace(namespace):
            external: Any = pytypes.new_class(local, (Thing,))
        classes[name].is_a.append(external)


def _alignments(world: World, onto: owlready2.Ontology, entities: dict[str, Any]) -> None:
    """SKOS matches and ICD-O-3 notations from the SSSOM table, the one source of alignments."""
    mset = load_mappings()
    for m in mset.mappings:
        name = m.subject_id.split(":", 1)[1]
        if name not in entities:
            raise MappingError(f"mappings.sssom.tsv line {m.line}: {m.subject_id} is not a vocabulary term")
        entity = entities[name]
        if m.prefix in NOTATION_PREFIXES:
            if m.predicate_id == "skos:exactMatch":  # a close code is no notation of the term
                entity.notation.append(m.local_id)
            continue
        predicate = world[PREDICATES[m.predicate_id]]
        onto._add_obj_triple_spo(entity.storid, predicate.storid, world._abbreviate(mset.expand(m.object_id)))


def _defined_classes(classes: dict[str, Any], props: dict[str, Any], individuals: dict[str, Any]) -> None:
    """OWL class expressions whose members HermiT infers from the graph's individuals."""
    regimen, has_agent = classes["Regimen"], props["hasAgent"]

    def define(name: str, label: str, definition: str, parent: Any, expression: Any) -> None:
        cls: Any = pytypes.new_class(name, (parent,))
        cls.equivalent_to = [expression]
        _label(cls, label, definition)
        classes[name] = cls

    define("ChemoImmunotherapyRegimen", "chemo-immunotherapy regimen",
           "A regimen with at least one immune checkpoint inhibitor and at least one cytotoxic agent.",
           regimen, regimen & has_agent.some(classes["ImmuneCheckpointInhibitor"])
           & has_agent.some(classes["CytotoxicAgent"]))
    define("PlatinumEtoposideRegimen", "platinum-etoposide regimen",
           "A regimen with a platinum compound and etoposide.",
           regimen, regimen & has_agent.some(classes["PlatinumCompound"])
           & has_agent.value(individuals["Etoposide"]))
    define("DualCheckpointBlockadeRegimen", "dual checkpoint blockade regimen",
           "A regimen with a PD-1 or PD-L1 inhibitor and a CTLA-4 inhibitor.",
           regimen, regimen & has_agent.some(classes["PD1Inhibitor"] | classes["PDL1Inhibitor"])
           & has_agent.some(classes["CTLA4Inhibitor"]))
    population = classes["StudyPopulation"]
    define("HighGradeNENPopulation", "high-grade NEN population",
           "A study population with a high-grade neuroendocrine neoplasm (NET G3, NEC, MiNEN).",
           population, population & props["hasNeoplasmType"].some(classes["HighGradeNeoplasmType"]))
    define("GEPNECPopulation", "GEP-NEC population",
           "A study population with neuroendocrine carcinoma of a gastroenteropancreatic primary site.",
           population, population & props["hasNeoplasmType"].some(classes["NeuroendocrineCarcinomaType"])
           & props["hasPrimarySite"].some(classes["GastroenteropancreaticSite"]))
    define("ImmunotherapyRegimen", "immunotherapy regimen",
           "A regimen with at least one immune checkpoint inhibitor.",
           regimen, regimen & has_agent.some(classes["ImmuneCheckpointInhibitor"]))
    define("PlatinumBasedRegimen", "platinum-based regimen", "A regimen with at least one platinum compound.",
           regimen, regimen & has_agent.some(classes["PlatinumCompound"]))
    define("TargetedTherapyRegimen", "targeted therapy regimen", "A regimen with at least one targeted agent.",
           regimen, regimen & has_agent.some(classes["TargetedAgent"]))
    define("ExtrapulmonaryNECPopulation", "extrapulmonary NEC population",
           "A study population with neuroendocrine carcinoma of a primary site outside the lung.",
           population, population & props["hasNeoplasmType"].some(classes["NeuroendocrineCarcinomaType"])
           & props["hasPrimarySite"].some(classes["ExtrapulmonarySite"]))
    study = classes["Study"]
    define("ImmunotherapyStudy", "immunotherapy study",
           "A study with a population that receives an immune checkpoint inhibitor.",
           study, study & props["hasPopulation"].some(props["receivesRegimen"].some(
               classes["ImmunotherapyRegimen"])))
    define("FirstLineStudy", "first-line study", "A study of first-line treatment.",
           study, study & props["hasLine"].value(individuals["FirstLine"]))
    effect = classes["EffectEstimate"]
    define("StatisticallySignificantEffect", "statistically significant effect",
           "An effect estimate with a p-value below 0.05.",
           effect, effect & props["pValue"].some(ConstrainedDatatype(float, max_exclusive=0.05)))
    define("LandmarkRateOutcome", "landmark rate outcome",
           "An outcome reported as the rate of patients free of the event at a time point.",
           classes["Outcome"], classes["Outcome"] & props["hasStatistic"].value(individuals["Rate"]))
    define("SurvivalOutcome", "survival outcome",
           "An outcome of a time-to-event endpoint such as overall or progression-free survival.",
           classes["Outcome"], classes["Outcome"] & props["hasEndpoint"].some(classes["TimeToEventEndpoint"]))

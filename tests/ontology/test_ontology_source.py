"""The ontology source: generated files in step with it, labels and definitions, metadata, HermiT."""

from __future__ import annotations

import pytest
import rdflib
from owlready2 import World, sync_reasoner
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ontology import NS, RDFXML_PATH, TURTLE_PATH, VERSION_IRI
from ontology.generate import ontology_graph
from ontology.vocabulary import FAMILIES, GROUPING_CLASSES, INDIVIDUALS

N = rdflib.Namespace(NS)
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def built() -> rdflib.Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def committed() -> rdflib.Graph:
    return rdflib.Graph().parse(TURTLE_PATH, format="turtle")


def test_committed_turtle_is_the_source(built: rdflib.Graph, committed: rdflib.Graph) -> None:
    """Fails when someone edits the source without `python -m ontology.generate` (or the files by hand)."""
    if not isomorphic(built, committed):
        only_built = to_isomorphic(built) - to_isomorphic(committed)
        only_file = to_isomorphic(committed) - to_isomorphic(built)
        pytest.fail(f"nenkg.ttl drifted from the source: {len(only_built)} triples missing from the file, "
                    f"{len(only_file)} extra, e.g. {sorted(only_built)[:3]} / {sorted(only_file)[:3]}")


def test_committed_rdfxml_is_the_source(built: rdflib.Graph) -> None:
    assert isomorphic(built, rdflib.Graph().parse(RDFXML_PATH, format="xml"))


def test_metadata(committed: rdflib.Graph) -> None:
    onto = rdflib.URIRef(NS.rstrip("#"))
    assert (onto, RDF.type, OWL.Ontology) in committed
    assert (onto, OWL.versionIRI, rdflib.URIRef(VERSION_IRI)) in committed
    for prop in (DCTERMS.title, DCTERMS.license, DCTERMS.creator):
        assert committed.value(onto, prop) is not None, prop


def test_every_term_has_label_and_definition(committed: rdflib.Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    terms = {s for kind in kinds for s in committed.subjects(RDF.type, kind)
             if isinstance(s, rdflib.URIRef) and str(s).startswith(NS)}
    assert len(terms) > 400
    missing = [str(t) for t in terms
               if committed.value(t, RDFS.label) is None or committed.value(t, SKOS.definition) is None
               or committed.value(t, RDFS.comment) is None]
    assert not missing, missing[:10]


def test_vocabulary_covers_the_corpus_language(committed: rdflib.Graph) -> None:
    """Words the four papers use are labels, synonyms or abbreviations of the vocabulary."""
    words: set[str] = set()
    for prop in (RDFS.label, SKOS.altLabel, N.abbreviation):
        words |= {str(o) for o in committed.objects(None, prop)}
    lowered = {w.lower() for w in words}
    for word in ("nivolumab", "liposomal irinotecan", "TAS-102", "177Lu-Dotatate", "spartalzumab", "CAPTEM",
                 "FOLFIRI", "gastroenteropancreatic", "unknown primary", "NET G3", "MiNEN", "SCLC",
                 "Merkel cell carcinoma", "Ki-67", "PD-L1", "CPS", "TPS", "MSI", "TMB", "CgA", "NSE", "LDH",
                 "ALP", "NLR", "TP53", "RB1", "KRAS", "BRAF", "MYCN", "OS", "PFS", "ORR", "DCR", "DoR",
                 "clinical benefit rate", "active, not recruiting", "not yet recruiting", "2nd line or later",
                 "febrile neutropenia", "anemia", "grade 3-4", "ECOG PS", "multivariate", "EP"):
        assert word in words or word.lower() in lowered, word


def test_gene_symbols_are_case_sensitive_abbreviations(committed: rdflib.Graph) -> None:
    genes = set(committed.subjects(RDF.type, N.Gene))
    assert len(genes) >= 20
    for gene in genes:
        assert committed.value(gene, N.abbreviation) is not None, gene


def test_who_grades_carry_ki67_thresholds(committed: rdflib.Graph) -> None:
    def bound(term: str, prop: str) -> float | None:
        value = committed.value(N[term], N[prop])
        return None if value is None else float(value)

    assert bound("WHO2010Grade1", "ki67UpperBound") == 2.0
    assert bound("WHO2019Grade1", "ki67UpperBound") == 3.0
    assert committed.value(N.WHO2019Grade1, N.ki67UpperBoundExclusive).toPython() is True
    assert bound("WHO2019Grade3", "ki67LowerBound") == 20.0
    assert (N.WHO2019Grade2, N.inScheme, N.WHO2019) in committed


def test_every_individual_has_a_family() -> None:
    from graph.coverage import term_families

    families = term_families()
    assert set(families.values()) <= set(FAMILIES)
    assert not [t.name for t in INDIVIDUALS if t.name not in families]
    assert len(GROUPING_CLASSES) >= 30


@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent_and_classifies() -> None:
    world = World()
    onto = world.get_ontology(RDFXML_PATH.as_uri()).load()
    ns = onto.get_namespace(NS)
    with onto:
        regimen = ns.Regimen("probe_regimen")
        regimen.hasAgent = [ns.Durvalumab, ns.Tremelimumab]
        population = ns.StudyPopulation("probe_population")
        population.hasNeoplasmType = [ns.GEPNEC]
        population.hasPrimarySite = [ns.Stomach]
        population.receivesRegimen = [regimen]
    sync_reasoner(world, infer_property_values=False, debug=0)
    assert ns.DualCheckpointBlockadeRegimen in regimen.is_a
    assert ns.GEPNECPopulation in population.is_a
    defined = [c for c in onto.classes() if c.equivalent_to]
    assert len(defined) >= 6
    world.close()

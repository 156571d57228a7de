"""Entity recognition from the ontology's labels, synonyms and abbreviations."""

from __future__ import annotations

from pathlib import Path

import pytest

import ontology
from loaders.ner import Recogniser, spelling, tokenize
from loaders.readers import read_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# A small ontology of the same shape as nenkg.ttl, so the matching rules are tested on their own.
MINI = """
@prefix nenkg: <https://w3id.org/nenkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

nenkg:VocabularyTerm a owl:Class .
nenkg:Agent a owl:Class ; rdfs:subClassOf nenkg:VocabularyTerm ; rdfs:label "agent"@en .
nenkg:PD1Inhibitor a owl:Class ; rdfs:subClassOf nenkg:Agent ; rdfs:label "PD-1 inhibitor"@en ;
    skos:altLabel "anti-PD-1"@en .
nenkg:Endpoint a owl:Class ; rdfs:subClassOf nenkg:VocabularyTerm ; rdfs:label "endpoint"@en .
nenkg:AnatomicalSite a owl:Class ; rdfs:subClassOf nenkg:VocabularyTerm ; rdfs:label "anatomical site"@en .
nenkg:Biomarker a owl:Class ; rdfs:subClassOf nenkg:VocabularyTerm ; rdfs:label "biomarker"@en .
nenkg:Gene a owl:Class ; rdfs:subClassOf nenkg:Biomarker ; rdfs:label "gene"@en .
nenkg:AdverseEventTerm a owl:Class ; rdfs:subClassOf nenkg:VocabularyTerm ; rdfs:label "adverse event"@en .
nenkg:Study a owl:Class ; rdfs:label "study"@en .

nenkg:Nivolumab a owl:NamedIndividual, nenkg:PD1Inhibitor ; rdfs:label "nivolumab"@en ;
    skos:prefLabel "nivolumab"@en .
nenkg:OverallSurvival a owl:NamedIndividual, nenkg:Endpoint ; rdfs:label "overall survival"@en ;
    nenkg:abbreviation "OS"@en .
nenkg:ProgressionFreeSurvival a owl:NamedIndividual, nenkg:Endpoint ;
    rdfs:label "progression-free survival"@en ; nenkg:abbreviation "PFS"@en .
nenkg:ProgressiveDisease a owl:NamedIndividual, nenkg:Endpoint ; rdfs:label "progressive disease"@en ;
    nenkg:abbreviation "PD"@en .
nenkg:Percent a owl:NamedIndividual, nenkg:Endpoint ; rdfs:label "percent"@en ; nenkg:abbreviation "%"@en .
nenkg:Oesophagus a owl:NamedIndividual, nenkg:AnatomicalSite ; rdfs:label "oesophagus"@en ;
    skos:altLabel "oesophageal"@en .
nenkg:Ki67 a owl:NamedIndividual, nenkg:Biomarker ; rdfs:label "Ki-67"@en ; skos:altLabel "Ki-67 index"@en .
nenkg:TP53 a owl:NamedIndividual, nenkg:Gene ; rdfs:label "TP53"@en .
nenkg:Anaemia a owl:NamedIndividual, nenkg:AdverseEventTerm ; rdfs:label "anaemia"@en .
nenkg:Tumour a owl:NamedIndividual, nenkg:AnatomicalSite ; rdfs:label "small intestine tumour"@en .
nenkg:Dose a owl:NamedIndividual, nenkg:Agent ; rdfs:label "mg/m²"@en .
nenkg:AStudy a owl:NamedIndividual, nenkg:Study ; rdfs:label "nivolumab study"@en .
"""


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Recogniser:
    path = tmp_path_factory.mktemp("onto") / "mini.ttl"
    path.write_text(MINI, encoding="utf-8")
    return Recogniser.from_ontology(path)


def names(recogniser: Recogniser, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.term.rsplit("#", 1)[1]) for m in recogniser.find(text)]


def test_case_insensitive_labels(mini: Recogniser) -> None:
    assert names(mini, "Nivolumab and nivolumab and NIVOLUMAB") == [
        ("Nivolumab", "Nivolumab"), ("nivolumab", "Nivolumab"), ("NIVOLUMAB", "Nivolumab")]


def test_abbreviations_are_case_sensitive_whole_tokens(mini: Recogniser) -> None:
    assert names(mini, "OS and PFS; os, dose, cost, pfs, OSx, aOS") == [("OS", "OverallSurvival"),
                                                                       ("PFS", "ProgressionFreeSurvival")]


def test_abbreviations_inside_codes_and_compounds(mini: Recogniser) -> None:
    assert names(mini, "PD-1 blockade, PD-L1 and OS12") == []
    assert names(mini, "PD (progression) and PD³") == [("PD", "ProgressiveDisease"), ("PD", "ProgressiveDisease")]
    assert names(mini, "55% and 3 %") == [("%", "Percent"), ("%", "Percent")]
    assert names(mini, "OSs and PDs") == [("OSs", "OverallSurvival"), ("PDs", "ProgressiveDisease")]


def test_gene_symbols_are_case_sensitive(mini: Recogniser) -> None:
    assert names(mini, "TP53 mutations; tp53 in lower case") == [("TP53", "TP53")]


def test_hyphen_space_and_digit_variants(mini: Recogniser) -> None:
    found = names(mini, "Ki67, Ki-67, Ki 67, Ki–67 and the Ki-67 index")
    assert found == [("Ki67", "Ki67"), ("Ki-67", "Ki67"), ("Ki 67", "Ki67"), ("Ki–67", "Ki67"),
                     ("Ki-67 index", "Ki67")]
    assert names(mini, "anti-PD1 and anti PD-1") == [("anti-PD1", "PD1Inhibitor"), ("anti PD-1", "PD1Inhibitor")]


def test_spelling_variants(mini: Recogniser) -> None:
    assert names(mini, "esophageal, oesophageal, esophagus") == [
        ("esophageal", "Oesophagus"), ("oesophageal", "Oesophagus"), ("esophagus", "Oesophagus")]
    assert names(mini, "anemia and anaemia") == [("anemia", "Anaemia"), ("anaemia", "Anaemia")]
    assert names(mini, "small intestine tumors") == [("small intestine tumors", "Tumour")]
    assert names(mini, "100 mg/m2 and 100 mg/m²") == [("mg/m2", "Dose"), ("mg/m²", "Dose")]


def test_no_match_across_table_cells_or_hard_punctuation(mini: Recogniser) -> None:
    assert names(mini, "overall\tsurvival") == []
    assert names(mini, "overall; survival") == []
    assert names(mini, "overall\nsurvival") == [("overall\nsurvival", "OverallSurvival")]


def test_longest_match_and_no_overlap(mini: Recogniser) -> None:
    mentions = mini.find("the Ki-67 index was high")
    assert [(m.text, m.label) for m in mentions] == [("Ki-67 index", "Ki-67")]


def test_offsets_and_families(mini: Recogniser) -> None:
    text = "Median overall survival with nivolumab."
    mentions = mini.find(text, offset=100)
    assert [(m.start, m.end) for m in mentions] == [(107, 123), (129, 138)]
    assert all(text[m.start - 100 : m.end - 100] == m.text for m in mentions)
    nivolumab = mentions[1]
    assert nivolumab.families == ("PD1Inhibitor", "Agent") and nivolumab.family == "Agent"
    assert nivolumab.label == "nivolumab"


def test_only_vocabulary_terms(mini: Recogniser) -> None:
    assert all(m.term != ontology.term("AStudy") for m in mini.find("the nivolumab study"))
    assert ontology.term("PD1Inhibitor") in mini.terms  # classes under VocabularyTerm are terms


def test_recogniser_is_cached() -> None:
    assert Recogniser.from_ontology() is Recogniser.from_ontology()


def test_tokens_and_spelling() -> None:
    assert [t.key for t in tokenize("Ki-67 ≥ 55% > = 3 $\\geq 2x$")] == ["ki", "67", "≥", "55", "%", "≥", "3", "≥", "2", "x"]
    assert spelling("tumours") == "tumor" and spelling("randomised") == "randomized"
    assert spelling("oesophagus") == spelling("esophagus")


# --- the project's ontology on the corpus ----------------------------------------------------


@pytest.fixture(scope="module")
def real() -> Recogniser:
    return Recogniser.from_ontology(ontology.TURTLE_PATH)


def test_corpus_terms_with_the_real_ontology(real: Recogniser) -> None:
    text = "Nivolumab plus carboplatin and etoposide; median PFS and OS; Ki67 index; oesophageal and esophageal."
    found = {m.text: m for m in real.find(text)}
    assert found["Nivolumab"].term == ontology.term("Nivolumab") and "Agent" in found["Nivolumab"].families
    assert "Endpoint" in found["PFS"].families and "Endpoint" in found["OS"].families
    assert found["oesophageal"].term == found["esophageal"].term
    assert any(m.text.startswith("Ki67") for m in real.find(text))


def test_every_mention_quotes_the_document(real: Recogniser) -> None:
    document = read_document(next(CORPUS.glob("000_*.txt")))
    mentions = real.find(document.text)
    assert len(mentions) > 500
    assert all(document.text[m.start : m.end] == m.text for m in mentions)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))


def test_roman_phases_are_told_apart_by_their_tokens() -> None:
    # "phase III" and "phase I/II" join to the same letters; the token count decides.
    from loaders.ner import recogniser

    found = {m.text: m.label for m in recogniser().find("a randomised phase III, then a phase I/II study")}
    assert found["phase III"] == "phase 3"
    assert found["phase I/II"] == "phase 1/2"

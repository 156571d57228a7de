"""Sections of the four papers: the abstract, the body, and the furniture findings must not come from."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from loaders.document import Document
from loaders.readers import read_document, read_text
from loaders.sections import SKIPPED_KINDS, looks_like_author_list, major_kind

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PAPERS = ("000", "002", "003", "004")


@cache
def doc(prefix: str) -> Document:
    return read_document(next(CORPUS.glob(f"{prefix}_*.txt")))


def kind_at(document: Document, needle: str) -> str:
    offset = document.text.index(needle)
    section = document.section_at(offset)
    assert section is not None
    return section.kind


@pytest.mark.parametrize("paper", PAPERS)
def test_sections_partition_the_text(paper: str) -> None:
    document = doc(paper)
    sections = document.sections
    assert sections[0].start == 0 and sections[-1].end == len(document.text)
    for before, after in zip(sections, sections[1:], strict=False):
        assert before.end == after.start and before.start < before.end


@pytest.mark.parametrize("paper", PAPERS)
def test_every_paper_has_title_abstract_results_references_and_affiliations(paper: str) -> None:
    kinds = {s.kind for s in doc(paper).sections}
    assert {"title", "abstract", "results", "discussion", "references", "affiliations", "table"} <= kinds


@pytest.mark.parametrize(
    ("paper", "needle", "kind"),
    [
        # 000: no abstract heading, affiliations and author list at the end, e-mail line mid-text
        ("000", "The prognosis of patients with advanced high-grade (G3)", "abstract"),
        ("000", "High-grade neuroendocrine neoplasms (NENs) are rare and aggressive", "introduction"),
        ("000", "e-mail: rgcarbonero@gmail.com", "affiliations"),
        ("000", "effective treatment strategies is, therefore", "introduction"),
        ("000", "Received: 8 February 2024", "furniture"),
        ("000", "Check for updates", "furniture"),
        ("000", "With a median follow-up of 29.8 months", "results"),
        ("000", "Fig. 1 PFS and OS of patients", "figure_legend"),
        ("000", "find potential baseline prognostic factors for PFS. The forest plot", "figure_legend"),
        ("000", "(induction versus maintenance phase) from first dose", "figure_legend"),
        ("000", "therapy, reported an ORR of 9.1% and a 9-month OS rate", "discussion"),
        ("000", "The NICE-NEC trial was a multicenter, single-arm", "methods"),
        ("000", "1. Garcia-Carbonero, R. et al. ENETS consensus", "references"),
        ("000", "Maria Carmen Riesco-Martinez¹, Jaime Capdevila²", "affiliations"),
        ("000", "¹Medical Oncology Department, Hospital Universitario 12 de Octubre", "affiliations"),
        ("000", "This work was sponsored by the Grupo Español", "acknowledgements"),
        ("000", "RGC has received honoraria", "declarations"),
        ("000", "© The Author(s) 2024", "furniture"),
        # 002: markdown headings, bold run-in abstract, affiliations with <sup>
        ("002", "I-Wei Ho<sup>1,2</sup>, Nai-Jung Chiang", "affiliations"),
        ("002", "<sup>1</sup>Department of Oncology, Taipei Veterans General Hospital", "affiliations"),
        ("002", "\\*Corresponding author: Ming-Huang Chen", "affiliations"),
        ("002", "**Result:** The study evaluated 56 patients", "abstract"),
        ("002", "Eligible participants were individuals aged 18 years", "methods"),
        ("002", "CI, 1.39-4.72,  $P = .002$ ) were associated with poorer OS", "results"),
        ("002", "- Rindi G, Mete O, Uccella S", "references"),
        ("002", "[Figure 2A](#) and [B](#) presents the univariate", "results"),
        # 003: plain headings, side-bar furniture in the middle of the introduction
        ("003", "Abstract: Neuroendocrine neoplasms (NENs) are rare", "abstract"),
        ("003", "Ther Adv Med Oncol", "furniture"),
        ("003", "Correspondence to:\nMairéad G. McNamara", "affiliations"),
        ("003", "Matthew D. Robinson\nDivision of Cancer", "affiliations"),
        ("003", "neuroendocrine carcinomas (NECs).⁴ In recent years", "introduction"),
        ("003", "The literature search (last updated 18th July 2022)", "results"),
        ("003", "1. Oronsky B, Ma PC, Morgensztern D", "references"),
        # 004: an affiliation paragraph inside the introduction
        ("004", "<sup>1</sup>Cancer Clinic, Haukeland University Hospital", "affiliations"),
        ("004", "Ki-67 < 55% had a lower response rate (RR)", "introduction"),
        ("004", "**RESULTS:** 427 NEC and 117 NET G3", "abstract"),
        ("004", "*British Journal of Cancer* (2025) 133:316–324", "furniture"),
        ("004", "## ARTICLE OPEN", "furniture"),
        ("004", "861 patients were prospectively included", "results"),
        ("004", "This is a large digestive HG-NEN cohort", "discussion"),
        ("004", "1. Nagtegaal ID, Odze RD", "references"),
    ],
)
def test_kind_of_passage(paper: str, needle: str, kind: str) -> None:
    assert kind_at(doc(paper), needle) == kind


def test_minor_headings_inherit_their_major_kind() -> None:
    by_title = {(s.title, s.kind) for s in doc("000").sections}
    assert ("Patients", "results") in by_title and ("Safety", "results") in by_title
    assert ("Treatment schedule", "methods") in by_title
    by_title_004 = {(s.title, s.kind) for s in doc("004").sections}
    assert ("NEC", "results") in by_title_004 and ("NEC", "discussion") in by_title_004


def test_prose_resumes_under_its_heading_after_a_table() -> None:
    document = doc("000")
    section = document.section_at(document.text.index("All patients had discontinued the study treatment"))
    assert section is not None and (section.kind, section.title) == ("results", "Patients")


def test_headings_have_spans() -> None:
    document = doc("002")
    result = next(s for s in document.sections if s.title == "Result")
    assert result.heading is not None
    assert document.text[result.heading.start : result.heading.end] == "**Result:**"


def test_skipped_kinds() -> None:
    assert {"references", "affiliations", "furniture"} <= SKIPPED_KINDS
    assert "results" not in SKIPPED_KINDS


def test_major_kind_of_headings() -> None:
    assert major_kind("## Statistical analysis") == "methods"
    assert major_kind("#### DATA AVAILABILITY") == "declarations"
    assert major_kind("Author contribution(s)") == "declarations"
    assert major_kind("2. Results") == "results"
    assert major_kind("Treatment efficacy") is None


def test_author_lists() -> None:
    assert looks_like_author_list("Matthew D. Robinson , Daniel Livesey , Richard A. Hubner, Juan W. Valle and Mairéad G. McNamara")
    assert looks_like_author_list("I-Wei Ho<sup>1,2</sup>, Nai-Jung Chiang<sup>1,2</sup>, Jiun-I Lai<sup>1,2,3</sup>")
    assert not looks_like_author_list("Pancreas, Biliary tract, Colon, Stomach and Esophagus were the sites.")


def test_paraphrased_paper_in_memory() -> None:
    text = (
        "# A phase II trial of drug X in NEC\n\n"
        "Jane A. Doe<sup>1</sup>, John Smith<sup>2</sup>, Ann Lee<sup>1,2</sup>\n\n"
        "<sup>1</sup>Department of Oncology, Some University Hospital, Oslo, Norway\n\n"
        "## Abstract\n\n**Background:** NEC is rare.\n\n**Results:** Median OS was 9 months.\n\n"
        "## Methods\n\nPatients got drug X.\n\n"
        "Correspondence: jane.doe@example.org\n\n"
        "## Results\n\n### Efficacy\n\nThe ORR was 40%.\n\n"
        "## References\n\n1. Doe J. A paper. J Clin Oncol 2020; 1: 1-2.\n"
    )
    document = read_text("paraphrase", text)
    kinds = [s.kind for s in document.sections]
    assert kinds == ["title", "affiliations", "affiliations", "abstract", "abstract", "abstract", "methods",
                     "affiliations", "results", "results", "references"]
    assert kind_at(document, "The ORR was 40%.") == "results"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Median OS was 13.9 months. PFS was 5.7 months.", ["body"]),
        ("Results\n\nThe ORR was 56.8%.", ["results"]),
        ("# Abstract\n\nSome text here.\n\n# Methods\n\nWe did it.", ["abstract", "methods"]),
        ("A short title\n\nBody sentence here.", ["title", "body"]),
    ],
)
def test_excerpts_without_front_matter(text: str, kinds: list[str]) -> None:
    assert [s.kind for s in read_text("excerpt", text).sections] == kinds


@pytest.mark.parametrize("line", ["Page 3 of 12", "Downloaded from https://academic.oup.com/oncolo on 1 May 2024",
                                  "Vol.:(0123456789)", "www.nature.com/bjc", "1234", "All rights reserved."])
def test_running_heads_and_page_marks_are_furniture(line: str) -> None:
    text = f"Results\n\nThe ORR was 40%. It was high.\n\n{line}\n\nMedian OS was 9 months.\n"
    document = read_text("excerpt", text)
    assert kind_at(document, line) == "furniture"
    assert kind_at(document, "Median OS was 9 months.") == "results"

"""Sentence splitting on real passages and paraphrased variants."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from loaders.document import Document
from loaders.readers import read_document, read_text
from loaders.sentences import split, stitched

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PAPERS = ("000", "002", "003", "004")


@cache
def doc(prefix: str) -> Document:
    return read_document(next(CORPUS.glob(f"{prefix}_*.txt")))


def sentences_of(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split(text)]


def test_abstract_of_000_splits_around_confidence_intervals() -> None:
    document = doc("000")
    abstract = [document.quote(s.start, s.end) for s in document.sentences
                if document.sections[s.section].kind == "abstract"]
    assert len(abstract) == 15
    assert abstract[0] == ("The prognosis of patients with advanced high-grade (G3) digestive neuroendocrine "
                           "neoplasms (NENs) is rather poor.")
    assert abstract[9] == "The ORR was 56.8%."
    assert abstract[10] == (
        "Median PFS was 5.7 months (95%CI: 5.1–9) and median OS 13.9 months (95%CI: 8.3–Not reached), with a "
        "12-month OS rate of 54.1% (95%CI: 40.2–72.8) that did not meet the primary endpoint.")
    assert abstract[4] == "The primary endpoint was the 12-month overall survival (OS) rate (H_0 50%, H_1 72%, β 80%, α 5%)."


@pytest.mark.parametrize("paper", PAPERS)
def test_sentences_stay_inside_sections_and_outside_tables(paper: str) -> None:
    document = doc(paper)
    for sentence in document.sentences:
        section = document.sections[sentence.section]
        assert section.start <= sentence.start < sentence.end <= section.end
        assert section.kind != "table"
        quote = document.quote(sentence.start, sentence.end)
        assert quote == quote.strip() and quote
    for table in document.tables:
        assert not any(table.start <= s.start < table.end for s in document.sentences)


def test_page_break_inside_a_sentence_is_joined() -> None:
    document = doc("000")
    start = document.text.index("The current standard of care still follows")
    sentence = next(s for s in document.sentences if s.start == start)
    assert document.quote(sentence.start, sentence.end).endswith("increasingly question this approach³.")


def test_citation_marks_stay_with_their_sentence() -> None:
    assert sentences_of("Over 90% originate in the lung^{1,2}. The current standard follows SCLC³. Next one.") == [
        "Over 90% originate in the lung^{1,2}.", "The current standard follows SCLC³.", "Next one."]
    assert sentences_of("It rose gradually.³ Rates vary.<sup>33</sup> Despite this, TP53 was frequent.") == [
        "It rose gradually.³", "Rates vary.<sup>33</sup>", "Despite this, TP53 was frequent."]


@pytest.mark.parametrize(
    "text",
    [
        "Capdevila et al. reported an ORR of 9.1% with durvalumab.",
        "OS was longer with EP vs. IP in the JCOG1213 trial.",
        "Responses are shown in Fig. 2 and Supplementary Fig. 3.",
        "Etoposide was given i.v. on days 1–3 at 100 mg/m².",
        "The difference was small (P = .002) in approx. 40 patients.",
        "Median PFS was 5.7 months (95% CI: 5.1–9) in n = 37 patients.",
        "The address is No. 201, Sec. 2, Shipai Rd. in Taipei.",
        "Written by Richard A. Hubner and Juan W. Valle in 2023.",
        "The rate was 2,7% overall, e.g. in one MSI-H case.",
    ],
)
def test_no_split_inside(text: str) -> None:
    assert sentences_of(text) == [text]


def test_splits_before_numbers_and_markup() -> None:
    assert sentences_of("Patients were enrolled. 37 were evaluable. **Bold** starts here.") == [
        "Patients were enrolled.", "37 were evaluable.", "**Bold** starts here."]


def test_headings_and_run_in_headings_are_units() -> None:
    document = read_text("x", "# Title\n\n## Abstract\n\n**Background:** NEC is rare. It is aggressive.\n")
    assert [document.quote(s.start, s.end) for s in document.sentences] == [
        "# Title", "## Abstract", "**Background:**", "NEC is rare.", "It is aggressive."]


def test_reference_entries_are_one_unit_each() -> None:
    document = doc("004")
    references = [document.quote(s.start, s.end) for s in document.sentences
                  if document.sections[s.section].kind == "references"]
    assert references[0] == "## REFERENCES"
    assert references[1].startswith("1. Nagtegaal ID, Odze RD, Klimstra D")
    assert len(references) == 43


def test_sentence_cut_by_a_table_is_linked_to_its_first_fragment() -> None:
    document = doc("002")
    sentences = document.sentences
    index = next(n for n, s in enumerate(sentences)
                 if document.quote(s.start, s.end).startswith("CI, 1.39-4.72,  $P = .002$ )"))
    head = sentences[index].continues
    assert head is not None
    assert document.quote(sentences[head].start, sentences[head].end).endswith("greater than 3 (HR 2.58, 95%")
    table1 = next(t for t in document.tables if t.label == "Table 1")
    assert sentences[head].end < table1.start < table1.end < sentences[index].start
    chain = stitched(sentences, head)
    assert [sentences.index(s) for s in chain] == [head, index]
    assert stitched(sentences, index) == chain


def test_complete_sentences_are_not_linked() -> None:
    document = doc("000")
    start = document.text.index("All patients had discontinued the study treatment")
    sentence = next(s for s in document.sentences if s.start == start)
    assert sentence.continues is None  # "... summarized in Table 1." ended before the table

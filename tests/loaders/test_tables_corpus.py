"""Tables of the corpus: every one found, with its shape, groups, continuation and footnotes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from loaders.document import Document
from loaders.readers import read_document, read_text
from loaders.tables import find_tables, is_abbreviation_list, plain

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@cache
def doc(prefix: str) -> Document:
    return read_document(next(CORPUS.glob(f"{prefix}_*.txt")))


# (paper, label, columns, body rows) counted by hand from the tab-separated blocks
SHAPES = [
    ("000", "Table 1", 5, 43),
    ("000", "Table 2", 5, 43),
    ("002", "Table 1", 5, 32),
    ("002", "Table 2", 5, 11),
    ("002", "Table 3", 5, 15),  # "Data are presented as n (%)" is a footnote, not a row
    ("003", "Table 1", 10, 15),  # 9 rows + 6 rows after "Table 1. (Continued)"
    ("003", "Table 2", 10, 6),
    ("003", "Table 3", 10, 7),
    ("003", "Table 4", 10, 17),  # 11 + 6
    ("003", "Table 5", 10, 5),
    ("003", "Table 6", 10, 5),
    ("004", "Table 1", 4, 32),
    ("004", "Table 2", 3, 30),
    ("004", "Table 3", 13, 10),  # Characteristic + 4 x (HR, 95% CI, p-value)
]


def test_every_table_of_the_corpus_is_found() -> None:
    found = sorted((p, t.label) for p in ("000", "002", "003", "004") for t in doc(p).tables)
    assert found == sorted((p, label) for p, label, _, _ in SHAPES)


@pytest.mark.parametrize(("paper", "label", "columns", "rows"), SHAPES)
def test_table_shape(paper: str, label: str, columns: int, rows: int) -> None:
    document = doc(paper)
    table = next(t for t in document.tables if t.label == label)
    assert len(table.column_headers) == columns
    assert len(table.rows) == rows
    assert all(len(row.cells) == columns for row in table.rows)
    # every cell is the exact text at its offsets
    for row in table.rows:
        for cell in row.cells:
            assert document.text[cell.start : cell.end] == cell.text
    for header_row in table.header:
        for cell in header_row:
            assert document.text[cell.start : cell.end] == cell.text
    # the table has its own section, spanning caption to footnotes
    assert table.section is not None
    section = document.sections[table.section]
    assert section.kind == "table" and section.start <= table.start


def test_review_tables_have_group_rows() -> None:
    groups = {t.label: [r.cells[0].text for r in t.rows if r.is_group] for t in doc("003").tables}
    assert groups == {
        "Table 1": ["Chemotherapy"],
        "Table 2": ["Targeted therapy"],
        "Table 3": ["Combination chemotherapy and targeted therapy"],
        "Table 4": ["ICI"],
        "Table 5": ["Combination chemotherapy and ICI"],
        "Table 6": ["Combination ICI and targeted therapy", "Combination ICI, targeted therapy and chemotherapy"],
    }
    table6 = next(t for t in doc("003").tables if t.label == "Table 6")
    by_compound = {r.cells[0].text: r.group for r in table6.rows if not r.is_group}
    assert by_compound["Cabozantinib S-malate + ipilimumab + nivolumab"] == (
        "Combination ICI, targeted therapy and chemotherapy")


def test_continued_tables_are_merged() -> None:
    document = doc("003")
    table1 = next(t for t in document.tables if t.label == "Table 1")
    assert len(table1.parts) == 2
    assert document.text[table1.parts[1].start : table1.parts[1].end].startswith("Table 1. (Continued)")
    compounds = [r.cells[0].text for r in table1.rows]
    assert "Investigational compound" not in compounds  # the repeated header is dropped
    assert compounds[-1] == "TLC388 (Lipotecan)"
    # rows after the page break stay in the group opened before it
    assert {r.group for r in table1.rows if not r.is_group} == {"Chemotherapy"}
    assert table1.caption == "Selected studies investigating chemotherapeutic interventions in EP-PD-NEC."


def test_columns_by_header_meaning() -> None:
    table = next(t for t in doc("003").tables if t.label == "Table 4")
    nct = table.column(r"identifier")
    status = table.column(r"status")
    assert (nct, status) == (5, 6)
    avelumab = next(r for r in table.rows if r.cells[1].text == "NET-001")
    assert avelumab.cells[nct].text == "NCT03278405"
    assert avelumab.cells[status].text == "Completed"
    assert table.column("no such header") is None


def test_spanning_header_realigned_to_the_repeated_sub_header() -> None:
    table = next(t for t in doc("004").tables if t.label == "Table 3")
    hr = table.column(r"^NET G3 OS .* HR$")
    ci = table.column(r"^NET G3 OS .* 95% CI$")
    p = table.column(r"^NET G3 OS .* p-value$")
    assert (hr, ci, p) == (7, 8, 9)
    age = next(r for r in table.rows if r.cells[0].text == "Age")
    assert [age.cells[c].text for c in (hr, ci, p)] == ["1.05", "1.02, 1.08", "<0.001"]
    platinum = table.rows[-1]
    assert platinum.cells[0].text == "Platinum/ etoposide treatment"
    assert platinum.cells[table.column(r"NET G3 PFS .* HR$") or 0].text == "3.53"
    assert len(table.header) == 2


def test_p_value_column_does_not_stop_a_group_row() -> None:
    table = next(t for t in doc("002").tables if t.label == "Table 1")
    ecog = next(r for r in table.rows if r.cells[0].text == "ECOG performance status")
    assert ecog.is_group and ecog.cells[4].text == ".373"
    assert next(r for r in table.rows if r.cells[0].text == "Not available").group == "ECOG performance status"
    groups = {r.cells[0].text: r.group for r in table.rows}
    assert groups["Median ± SD"] == "Age"
    assert groups["Male sex, No. (%)"] is None  # names its own characteristic
    assert groups["Cisplatin/Carboplatin (N)"] is None  # not under "Ki-67 index"


def test_footnotes_and_abbreviation_lines() -> None:
    document = doc("004")
    table2 = next(t for t in document.tables if t.label == "Table 2")
    notes = [document.text[s.start : s.end] for s in table2.footnotes]
    assert notes[0] == "Median PFS/OS (95%CI)."
    assert notes[1].startswith("NA/NE not accessed/not evaluable")
    assert notes[-1].startswith("<sup>c</sup>RR calculated according to evaluable cases")
    table3 = next(t for t in doc("002").tables if t.label == "Table 3")
    assert [doc("002").text[s.start : s.end] for s in table3.footnotes] == ["Data are presented as n (%)"]
    table2_002 = next(t for t in doc("002").tables if t.label == "Table 2")
    assert len(table2_002.footnotes) == 1  # the figure legend below is not a footnote
    table1_000 = next(t for t in doc("000").tables if t.label == "Table 1")
    assert doc("000").text[table1_000.footnotes[0].start :].startswith("CGA Chromogranin A, ECOG PS")


def test_median_range_and_count_percent_cells() -> None:
    table = next(t for t in doc("000").tables if t.label == "Table 1")
    assert table.column_headers[2] == "G3 NENs N = 37"
    age = table.rows[0]
    assert [c.text for c in age.cells] == ["Age, years", "Median (range)", "61 (28–84)", "58 (38–78)", "61 (28–84)"]


def test_paraphrased_table_in_memory() -> None:
    text = (
        "Results\n\n"
        "Table 7: Outcomes by arm\n\n"
        "Endpoint\tArm A (n = 20)\tArm B (n = 21)\tP\n"
        "Efficacy\t\t\t\n"
        "ORR\t8 (40.0)\t4 (19.0)\t.04\n"
        "Median OS, months (95% CI)\t13.9 (8.3–NR)\t9.1 (6.0–12.2)\t.21\n"
        "\n"
        "OS, overall survival; ORR, objective response rate; NR, not reached.\n\n"
        "The difference was small.\n"
    )
    document = read_text("excerpt", text)
    (table,) = document.tables
    assert table.label == "Table 7" and table.caption == "Outcomes by arm"
    assert [r.is_group for r in table.rows] == [True, False, False]
    assert table.rows[2].group == "Efficacy"
    assert table.rows[2].cells[table.column(r"arm a") or 0].text == "13.9 (8.3–NR)"
    assert len(table.footnotes) == 1
    assert document.quote(document.sentences[-1].start, document.sentences[-1].end) == "The difference was small."


def test_single_tab_line_without_caption_is_not_a_table() -> None:
    assert find_tables("Some text\twith a stray tab.\n\nMore text.") == ()


def test_abbreviation_lines() -> None:
    assert is_abbreviation_list("HR hazard ratio, CI confidence interval, ALP alkaline phosphatase, PS performance status.")
    assert is_abbreviation_list("DCR, disease control rate; EP, extrapulmonary; ORR, objective response rate")
    assert not is_abbreviation_list("The median OS was 13.9 months, the ORR 56.8%, and the DCR 73%.")


def test_plain_cell_text() -> None:
    assert plain("Unknown abd met <sup>a</sup>") == "Unknown abd met"
    assert plain("Etoposide + cisplatin <i>versus</i> irinotecan") == "Etoposide + cisplatin versus irinotecan"


def test_markdown_pipe_table() -> None:
    text = ("Table 2: Response by arm\n\n| Arm | ORR, n (%) | P |\n|---|---:|---|\n"
            "| Atezolizumab + EP | 8 (57.1) | .04 |\n| EP alone | 10 (23.8) | |\n\nText after.\n")
    document = read_text("excerpt.md", text)
    (table,) = document.tables
    assert (table.label, table.caption) == ("Table 2", "Response by arm")
    assert table.column_headers == ("Arm", "ORR, n (%)", "P")
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["Atezolizumab + EP", "8 (57.1)", ".04"], ["EP alone", "10 (23.8)", ""]]
    assert all(text[c.start : c.end] == c.text for r in table.rows for c in r.cells)


def test_continued_part_without_a_repeated_header_keeps_its_first_row() -> None:
    text = ("Table 3. Trials\n\nDrug\tPhase\tStatus\nA\tII\tRecruiting\nB\tIII\tCompleted\n\n(Continued)\n\n"
            "Table 3. (Continued)\n\nC\tI\tUnknown\nD\tII\tTerminated\n")
    (table,) = read_text("excerpt", text).tables
    assert [r.cells[0].text for r in table.rows] == ["A", "B", "C", "D"]

"""Any text, however mangled, reads into a Document whose offsets all point into it."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.document import Document
from loaders.ner import recogniser
from loaders.readers import read_text

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
LINES = [line for path in sorted(CORPUS.glob("*.txt")) for line in path.read_text(encoding="utf-8").split("\n")]


def check(document: Document) -> None:
    text = document.text
    sections = document.sections
    assert sections[0].start == 0 and sections[-1].end == len(text)
    for before, after in zip(sections, sections[1:], strict=False):
        assert before.end == after.start
    for sentence in document.sentences:
        section = sections[sentence.section]
        assert section.start <= sentence.start < sentence.end <= section.end
    for table in document.tables:
        assert 0 <= table.start < table.end <= len(text)
        for row in table.rows:
            assert len(row.cells) == len(table.column_headers)
            for cell in row.cells:
                assert text[cell.start : cell.end] == cell.text
    for mention in recogniser().find(text):
        assert text[mention.start : mention.end] == mention.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=60), st.sampled_from(["\n", "\r\n", "\n\n"]))
def test_shuffled_corpus_lines(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    if text.strip():
        check(read_text("shuffled", text))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400))
def test_arbitrary_text(text: str) -> None:
    if text.strip():
        check(read_text("arbitrary", text))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", "12 (3.4)", "NEC", "Table 1", "HR", "(Continued)", "<0.001", " "]),
                         min_size=1, max_size=6), min_size=1, max_size=12))
def test_tab_blocks(rows: list[list[str]]) -> None:
    text = "Table 9. Caption\n\n" + "\n".join("\t".join(row) for row in rows) + "\n\nAfter the table."
    check(read_text("tabs", text))

"""A document as read from a file: its exact text with sections, sentences and tables.

Every span is a pair of character offsets into ``Document.text``, which is the file's text
exactly as decoded (no normalisation), so that evidence quotes can be checked against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` into a document's text."""

    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Section:
    """A run of the document under one heading.

    ``kind`` is one of: title, abstract, introduction, methods, results, discussion, conclusion,
    figure_legend, table, references, affiliations, acknowledgements, declarations, furniture,
    body (anything else). Extractors skip references, affiliations, acknowledgements,
    declarations and furniture.
    """

    title: str
    kind: str
    start: int
    end: int
    heading: Span | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    section: int  # index into Document.sections
    #: Index (into Document.sentences) of the fragment this one continues when a table, figure or
    #: page furniture cut the sentence in two ("... (HR 2.58, 95%" [Table 1] "CI, 1.39-4.72 ...").
    continues: int | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text as printed and its offsets (empty cells have start == end)."""

    row: int
    column: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class TableRow:
    cells: tuple[Cell, ...]
    #: The label of the group row above this row ("Chemotherapy", "ICI"), if any.
    group: str | None = None
    #: True for a row that only labels a group of the rows below it.
    is_group: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    label: str  # "Table 1"
    caption: str
    start: int
    end: int
    header: tuple[tuple[Cell, ...], ...]
    rows: tuple[TableRow, ...]
    footnotes: tuple[Span, ...] = ()
    section: int | None = None
    #: The header text of each column, spanning header cells resolved ("NEC OS n = 420 HR").
    column_headers: tuple[str, ...] = ()
    #: The printed parts of a table continued across pages ("Table 1. (Continued)"), merged here.
    parts: tuple[Span, ...] = ()

    def column(self, pattern: str) -> int | None:
        """Return the first column whose header matches the regex ``pattern`` (case-insensitive)."""
        rx = re.compile(pattern, re.IGNORECASE)
        for index, header in enumerate(self.column_headers):
            if rx.search(header):
                return index
        return None

    def cell(self, row: int, column: int) -> Cell | None:
        """Return the cell at (row, column) of the body rows, or None when the row is shorter."""
        cells = self.rows[row].cells
        return cells[column] if 0 <= column < len(cells) else None


@dataclass(frozen=True)
class Document:
    """The text of one file and its structure."""

    id: str  # stable, from the file name: "000_d94e49e236f24c41"
    path: str
    text: str
    sha256: str
    media_type: str = "text/plain"
    sections: tuple[Section, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    tables: tuple[Table, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)  # title, doi, citation, ...

    def quote(self, start: int, end: int) -> str:
        return self.text[start:end]

    def section_at(self, offset: int) -> Section | None:
        for section in self.sections:
            if section.start <= offset < section.end:
                return section
        return None

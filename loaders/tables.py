"""Tables from the tab-separated blocks of a text, with every cell at its exact offsets.

Markdown pipe tables ("| a | b |" rows, the "|---|" rule dropped) are read the same way.

The converted papers print a table as a caption line ("Table 1 | ...", "**Table 2.** ...",
"Table 1. Selected studies ..."), a block of tab-separated lines and, below it, footnotes and
abbreviation lines. What this module recognises:

- header rows: the first line of the block, plus following lines whose first cell is empty and
  whose other cells are all words ("\\tHR\\t95% CI\\tp-value" under "NEC OS n = 420");
- group rows: a first cell and nothing else (except a p-value) such as "Chemotherapy" or "ICI";
  the rows below carry the label in ``TableRow.group`` until the next group row or a row that
  names its own characteristic ("Male sex, No. (%)", "Cisplatin/Carboplatin (N)"); a "group row"
  that closes the block ("Data are presented as n (%)") is a footnote;
- continuation: a part whose caption says "(Continued)" is MERGED into the table of the same
  label: its repeated header (if it repeats one) is dropped, its rows appended, groups carried
  over, and both printed parts listed in ``Table.parts``;
- footnotes: the paragraphs right below the block that are footnote marks ("<sup>a</sup>..."),
  abbreviation lists ("HR hazard ratio, CI confidence interval, ..."), "Abbreviations: ...",
  "(Continued)" or short notes ("Percentages calculated without missing cases.").

Spanning headers: a top header row whose labels span the repeated pattern of the row below
("HR, 95% CI, p-value" four times) is realigned to that pattern, because the PDF conversion does
not keep column spans; see :func:`column_headers`. Trailing columns that hold nothing but a stray
repeated header are dropped from ``column_headers`` and the body rows; ``Table.header`` keeps the
header lines as printed (so it may be wider than the body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from loaders.document import Cell, Span, Table, TableRow

CAPTION = re.compile(
    r"^[ \t]*(?:\*\*)?(?P<label>Table\s+(?P<number>[A-Z]?\d+[A-Za-z]?))\s*(?:[.|:])?\s*(?:\*\*)?\s*"
    r"(?P<caption>.*?)\s*$"
)
CONTINUED = re.compile(r"^\(?\s*continued\s*\)?\.?$", re.IGNORECASE)
_FOOTNOTE_START = re.compile(
    r"^\s*(?:<sup>\s*[a-z*†‡§¶#]{1,2}\s*</sup>|[ᵃᵇᶜᵈᵉ†‡§¶]|\*(?!\*)|\^\{?[a-z]\}?\s|"
    r"Abbreviations?\b|Data are\b|Values are\b|Notes?\b\s*[:.]|Source\s*:)",
    re.IGNORECASE,
)
_P_HEADER = re.compile(r"^\s*p(?:\s*-?\s*values?)?\s*$|\bp[- ]value", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_SELF_DESCRIBED = re.compile(r"(?:,\s*|\s)(?:No\.|n|N)\s*\(%\)\s*$|\(N\)\s*$")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int  # without the newline

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def _lines(text: str) -> list[_Line]:
    lines = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lines.append(_Line(pos, pos + len(body)))
        pos += len(raw)
    return lines


def _blank(text: str, line: _Line) -> bool:
    return not text[line.start : line.end].strip(" \t\ufeff\u00a0")


def is_abbreviation_list(line: str) -> bool:
    """True for lines such as "HR hazard ratio, CI confidence interval, PS performance status".

    Items are split on ";" when there are several, else on ","; at least three items and most of
    them must open with an acronym (two capitals, or a digit and a capital: "5-FU", "1L").
    """
    stripped = line.strip()
    if stripped.lower().startswith("abbreviations"):
        return True
    sep = ";" if stripped.count(";") >= 2 else ","
    items = [item.strip() for item in stripped.split(sep) if item.strip()]
    if len(items) < 3:
        return False
    acronym = 0
    for item in items:
        head = re.split(r"[\s,:]", item, maxsplit=1)[0]
        capitals = sum(ch.isupper() for ch in head)
        if capitals >= 2 or (capitals >= 1 and any(ch.isdigit() for ch in head)):
            acronym += 1
    return acronym / len(items) >= 0.6


def _is_footnote(text: str, *, strong: bool = False) -> bool:
    """A footnote line; ``strong``: only the unmistakable kinds (marks, abbreviations, "(Continued)")."""
    stripped = text.strip()
    if not stripped:
        return False
    if re.match(r"(?:\*\*)?(?:Fig\.?|Figure)\s*\d", stripped, re.IGNORECASE):
        return False
    if CONTINUED.match(stripped) or _FOOTNOTE_START.match(stripped) or is_abbreviation_list(stripped):
        return True
    if strong:
        return False
    # A short note under the table ("Percentages calculated without missing cases."), counted only
    # when a strong footnote follows it, so that a short sentence of the body is not taken
    return len(stripped) <= 60 and stripped.endswith((".", ")")) and not CAPTION.match(stripped)


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _row_kind(content: str) -> str | None:
    """"tab" for a tab-separated row, "pipe" for a markdown pipe-table row, else None."""
    if "\t" in content:
        return "tab"
    if _PIPE_ROW.match(content):
        return "pipe"
    return None


def _cells(text: str, line: _Line, row: int) -> list[Cell]:
    content = text[line.start : line.end]
    if "\t" not in content and _PIPE_ROW.match(content):
        return _pipe_cells(text, line, row)
    cells: list[Cell] = []
    pos = line.start
    for piece in content.split("\t"):
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        start = pos + lead if body else pos
        cells.append(Cell(row=row, column=len(cells), start=start, end=start + len(body), text=body))
        pos += len(piece) + 1
    return cells


def _pipe_cells(text: str, line: _Line, row: int) -> list[Cell]:
    """Cells of a markdown pipe-table row "| a | b |" (an escaped "\\|" stays in its cell)."""
    content = text[line.start : line.end]
    bounds = [i for i, ch in enumerate(content) if ch == "|" and (i == 0 or content[i - 1] != "\\")]
    cells: list[Cell] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = content[a + 1 : b]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        start = line.start + a + 1 + (lead if body else 0)
        cells.append(Cell(row=row, column=len(cells), start=start, end=start + len(body), text=body))
    return cells


def _pad(cells: list[Cell], width: int, row: int, at: int) -> tuple[Cell, ...]:
    cells = [replace(cell, row=row) for cell in cells]
    while len(cells) < width:
        cells.append(Cell(row=row, column=len(cells), start=at, end=at, text=""))
    return tuple(cells)


def _is_header_continuation(cells: list[Cell]) -> bool:
    if not cells or cells[0].text:
        return False
    filled = [cell.text for cell in cells[1:] if cell.text]
    return bool(filled) and all(_LETTER.search(text) and len(text) <= 25 for text in filled)


def _same_header(row: list[Cell], header: list[Cell]) -> bool:
    """Whether ``row`` repeats ``header`` (spelling aside: "Clinical trials, gov" / "trials. gov")."""

    def norm(cell: Cell) -> str:
        return re.sub(r"[\W_]+", "", cell.text.lower())

    pairs = [(norm(a), norm(b)) for a, b in zip(row, header, strict=False) if a.text or b.text]
    if not pairs:
        return False
    same = sum(1 for a, b in pairs if a == b or (a and b and (a[:8] == b[:8])))
    return same / len(pairs) >= 0.5


def _period(seq: list[str]) -> int | None:
    """The smallest period of a repeated header pattern ("HR, 95% CI, p-value" * n)."""
    for width in range(2, len(seq) // 2 + 1):
        if all(seq[i] == seq[i % width] for i in range(len(seq))) and any(seq[:width]):
            return width
    return None


def column_headers(header: tuple[tuple[Cell, ...], ...], width: int) -> tuple[str, ...]:
    """The header text of each column, upper header rows spread over the columns they span."""
    if not header:
        return ("",) * width
    layers: list[list[str]] = []
    last = [cell.text for cell in header[-1]] + [""] * (width - len(header[-1]))
    for upper_row in header[:-1]:
        upper = [cell.text for cell in upper_row] + [""] * (width - len(upper_row))
        spread = [""] * width
        spread[0] = upper[0]
        labels = [(i, t) for i, t in enumerate(upper) if i > 0 and t]
        tail = last[1:]
        while tail and not tail[-1]:
            tail.pop()
        period = _period(tail)
        if period and labels and len(labels) * period <= len(tail) + period:
            for n, (_, label) in enumerate(labels):
                for c in range(1 + n * period, min(width, 1 + (n + 1) * period)):
                    spread[c] = label
        else:
            current = ""
            for c in range(1, width):
                current = upper[c] or current
                spread[c] = current
        layers.append(spread)
    layers.append(last)
    return tuple(" ".join(layer[c] for layer in layers if layer[c]).strip() for c in range(width))


@dataclass
class _Part:
    label: str
    number: str
    caption: str
    continued: bool
    start: int
    end: int
    rows: list[list[Cell]]
    footnotes: list[Span]


def _group_row(cells: list[Cell], p_columns: set[int]) -> bool:
    if not cells or not cells[0].text:
        return False
    return all(not cell.text or cell.column in p_columns for cell in cells[1:]) and len(cells) > 1


def _trimmed_width(headers: tuple[str, ...], body: list[list[Cell]], width: int) -> int:
    """Drop trailing columns that are empty in every body row and whose header is empty or repeats
    an earlier one (the converter's stray tabs: 004 Table 3 prints a fifth "HR, 95% CI, p-value")."""
    while width > 1:
        c = width - 1
        if any(len(row) > c and row[c].text for row in body):
            break
        last = headers[c].split(" ")[-1] if headers[c] else ""
        lower = [h.rsplit(" ", 1)[-1] if " " in h else h for h in headers[:c]]
        if headers[c] and headers[c] not in headers[:c] and last not in lower:
            break
        width -= 1
    return width


def find_tables(text: str) -> tuple[Table, ...]:
    """Find every tab-separated (or markdown pipe) table of ``text`` with caption, rows and footnotes."""
    lines = _lines(text)
    parts: list[_Part] = []
    i = 0
    unlabelled = 0
    while i < len(lines):
        kind = _row_kind(lines[i].text(text))
        if kind is None:
            i += 1
            continue
        j = i
        while j < len(lines) and _row_kind(lines[j].text(text)) == kind:
            j += 1
        # the "|---|---|" rule under a pipe table's header is not a row
        block = [line for line in lines[i:j] if not (kind == "pipe" and _PIPE_RULE.match(line.text(text)))]
        if not block:
            i = j
            continue
        # caption: the nearest non-blank line above, within two lines of blanks
        caption_line = None
        k = i - 1
        while k >= 0 and _blank(text, lines[k]) and i - k <= 3:
            k -= 1
        if k >= 0 and (m := CAPTION.match(lines[k].text(text))):
            caption_line = (lines[k], m)
        if len(block) < 2 and caption_line is None:
            i = j
            continue
        if caption_line:
            line, m = caption_line
            caption = m.group("caption")
            continued = bool(re.search(r"\(?continued\)?", caption, re.IGNORECASE))
            part = _Part(m.group("label"), m.group("number"), "" if continued else caption, continued,
                         line.start, block[-1].end, [], [])
        else:
            unlabelled += 1
            part = _Part(f"Table ?{unlabelled}", "", "", False, block[0].start, block[-1].end, [], [])
        part.rows = [_cells(text, line, n) for n, line in enumerate(block)]
        # footnotes below the block
        k = j
        last_end = block[-1].end
        while k < len(lines):
            if _blank(text, lines[k]):
                k += 1
                continue
            content = lines[k].text(text)
            if _row_kind(content) or not _is_footnote(content):
                break
            if not _is_footnote(content, strong=True):
                following = next((line.text(text) for line in lines[k + 1 : k + 6] if not _blank(text, line)), "")
                if _row_kind(following) or not _is_footnote(following, strong=True):
                    break
            stripped = content.strip()
            lead = len(content) - len(content.lstrip())
            part.footnotes.append(Span(lines[k].start + lead, lines[k].start + lead + len(stripped)))
            last_end = lines[k].end
            k += 1
        part.end = last_end
        parts.append(part)
        i = k
    return tuple(_assemble(text, parts))


def _assemble(text: str, parts: list[_Part]) -> list[Table]:
    merged: list[list[_Part]] = []
    for part in parts:
        if part.continued and merged and merged[-1][0].label == part.label:
            merged[-1].append(part)
        else:
            merged.append([part])
    tables = []
    for group in merged:
        first = group[0]
        width = max(len(row) for part in group for row in part.rows)
        header_rows: list[list[Cell]] = [first.rows[0]]
        body: list[list[Cell]] = []
        for n, part in enumerate(group):
            if n == 0:
                rows = part.rows[1:]
                while rows and len(header_rows) < 3 and _is_header_continuation(rows[0]):
                    header_rows.append(rows.pop(0))
            else:
                # a continued part repeats the header, more or less as printed before; drop it
                rows = part.rows[1:] if _same_header(part.rows[0], first.rows[0]) else list(part.rows)
                while rows and _is_header_continuation(rows[0]):
                    rows.pop(0)
            body.extend(rows)
        header = tuple(_pad(row, width, r, row[-1].end if row else first.start)
                       for r, row in enumerate(header_rows))
        headers = column_headers(header, width)
        width = _trimmed_width(headers, body, width)
        headers = headers[:width]
        p_columns = {c for c, h in enumerate(headers) if c > 0 and _P_HEADER.search(h)}
        footnotes = [span for part in group for span in part.footnotes]
        # a closing "group row" is a note: "Data are presented as n (%)"
        while body and _group_row(body[-1], p_columns):
            note = body.pop()
            footnotes.insert(0, Span(note[0].start, note[0].end))
        out_rows = []
        group_label: str | None = None
        for r, cells in enumerate(body):
            padded = _pad(cells[:width], width, r, cells[-1].end if cells else first.start)
            if _group_row(cells, p_columns):
                group_label = cells[0].text
                out_rows.append(TableRow(padded, group=None, is_group=True))
            elif cells and _SELF_DESCRIBED.search(cells[0].text):
                # "Male sex, No. (%)" names its own characteristic: the group above has ended
                group_label = None
                out_rows.append(TableRow(padded, group=None))
            else:
                out_rows.append(TableRow(padded, group=group_label))
        tables.append(Table(
            label=first.label,
            caption=first.caption,
            start=first.start,
            end=group[-1].end,
            header=header,
            rows=tuple(out_rows),
            footnotes=tuple(sorted(footnotes, key=lambda s: s.start)),
            column_headers=headers,
            parts=tuple(Span(part.start, part.end) for part in group) if len(group) > 1 else (),
        ))
    return tables


_MARKUP = re.compile(r"</?(?:sup|sub|i|b|em|strong)>|\*\*|\$", re.IGNORECASE)


def plain(cell_text: str) -> str:
    """Cell text without inline markup (``<sup>a</sup>`` marks are dropped with their content)."""
    no_marks = re.sub(r"<sup>\s*[a-z*†‡§¶]{1,2}\s*</sup>", "", cell_text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", _MARKUP.sub("", no_marks)).strip()

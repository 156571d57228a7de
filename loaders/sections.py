"""Sections of a converted paper: headings, abstract, body, figure legends, tables and furniture.

The text is cut into paragraphs (runs of lines between blank lines). Each paragraph is a
heading, a run-in heading with its text ("**Background:** ..."), a figure legend, a table (from
:mod:`loaders.tables`), page furniture (dates, licence, "Check for updates", e-mail lines,
journal headers), an author list or affiliation block, or prose. Sections partition the text:
every character belongs to exactly one section, so ``Document.section_at`` always answers.

Kinds (see :class:`loaders.document.Section`): a recognised heading sets the "major" kind
(abstract, introduction, methods, results, discussion, conclusion, references, acknowledgements,
declarations); headings the table does not know ("Patients", "Safety", "### NEC") inherit the
major kind they stand under. Furniture and affiliations found in the middle of the flow become
their own short sections, and the prose after them resumes under the interrupted heading.
Before the first heading, the first long paragraph is the abstract and later prose the
introduction (000 prints neither heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.document import Section, Span, Table

SKIPPED_KINDS = frozenset({"references", "affiliations", "acknowledgements", "declarations", "furniture"})

# Heading text -> major kind, tried in order on the normalised heading.
_MAJOR: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"^(graphical )?abstract$|^summary$", "abstract"),
        (r"^(introduction|background)$", "introduction"),
        (r"^references?$|^bibliography$|^literature cited$", "references"),
        (r"^acknowledge?ments?$", "acknowledgements"),
        (r"^(declarations?|author contributions?|author contribution\(s\)|contributors|funding|"
         r"competing interests?|conflicts? of interests?|conflict of interest statement|"
         r"disclosures?|data availability( statement)?|availability of data( and materials?)?|"
         r"ethics( approval.*)?|consent .*|additional information|reporting summary|orcid ids?|"
         r"supplementary (information|material|data)|abbreviations|trial registration)$",
         "declarations"),
        (r"^(author information|affiliations?|authors?)$", "affiliations"),
        (r"^(materials? and )?methods?$|^patients and methods$|^methods and materials$|"
         r"^statistic(s|al analysis|al methods)$|^study design", "methods"),
        (r"^results?( and discussion)?$", "results"),
        (r"^discussion$", "discussion"),
        (r"^conclusions?$|^concluding remarks$", "conclusion"),
    )
)

_FURNITURE = re.compile(
    r"^\W{0,3}(?:received\b|accepted\b|published\b|revised\b|check for updates|open access\b|©|"
    r"\(c\) ?\d{4}|copyright\b|reprints and permissions?|publisher['’]s note|peer review information|"
    r"article reuse guidelines|key ?words?\b|a list of authors|supplementary information\b|"
    r"doi\s*:|https?://|<https?://|article open$|clinical studies$|research article$|"
    r"original (research|article)$|\d{4}, vol\. ?\d+)",
    re.IGNORECASE,
)
_CORRESPONDENCE = re.compile(
    r"^\W{0,3}(?:\\?\*?\s*corresponding author|correspondence\b|e-?mail\s*:|✉)", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_CITATION_LINE = re.compile(r"^\*?[A-Z][\w .&]+\*?\s*\(\d{4}\)\s*\d+\s*:\s*\d+")
_AFFILIATION_WORDS = re.compile(
    r"\b(Department|Dept\.?|University|Universit[àäé]|Hospital|Institute|Instituto|Center|Centre|"
    r"School|Clinic|Faculty|Division|Laborator(y|ies)|College|Foundation|Hospitalet|Klinik)\b"
)
_SUP_MARK = re.compile(r"^\s*(?:<sup>[^<]{1,20}</sup>|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^\{[^}]{1,20}\})")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*([^*\n]{2,120})\*\*\s*$")
_RUN_IN = re.compile(r"^(?:\*\*(?P<bold>[^*\n]{2,60}?)\s*:?\s*\*\*\s*:?|(?P<plain>Abstract|Background|"
                     r"Methods?|Results?|Conclusions?|Objectives?|Purpose|Aims?|Introduction)\s*:)\s*")
_FIGURE = re.compile(
    r"^\s*(?:\*\*)?\s*(?:Fig\.?|Figure|Supplementary Fig(?:ure|\.)?)\s*S?\d+[A-Za-z]?"
    r"(?:\s*[.|:]|\*\*|\s+(?!and\b|shows?\b|presents?\b|illustrates?\b|depicts?\b)[A-Z(*])",
    re.IGNORECASE,
)
_ONE_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z0-9/-]*[A-Z0-9][A-Za-z0-9/-]*, [a-z][^.]{0,75}\.$")
_NOT_HEADINGS = re.compile(r"^(not applicable|none( declared)?|not available|n/?a|yes|no)\.?$", re.IGNORECASE)
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"


@dataclass
class _Para:
    start: int
    end: int
    lines: list[str]

    @property
    def single(self) -> bool:
        return len(self.lines) == 1


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Runs of non-blank lines in ``text[start:end]`` as spans (blank = only whitespace)."""
    end = len(text) if end is None else end
    spans = []
    pos = start
    para_start = None
    para_end = start
    for raw in text[start:end].splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if body.strip(" \t\ufeff\u00a0"):
            if para_start is None:
                para_start = pos + (len(body) - len(body.lstrip(" \t\ufeff\u00a0")))
            para_end = pos + len(body.rstrip())
        elif para_start is not None:
            spans.append(Span(para_start, para_end))
            para_start = None
        pos += len(raw)
    if para_start is not None:
        spans.append(Span(para_start, para_end))
    return spans


def _normalise_heading(text: str) -> str:
    text = re.sub(r"<[^>]+>|\*\*|__|[#*_]", "", text)
    text = re.sub(r"^\s*(?:\d+(?:\.\d+)*|[IVX]+)\.?\s+", "", text)  # "2.1 Methods", "II. Results"
    return re.sub(r"\s+", " ", text).strip(" :.").lower()


def major_kind(heading: str) -> str | None:
    """The major kind a heading names ("Statistical analysis" -> methods), or None."""
    norm = _normalise_heading(heading)
    for pattern, kind in _MAJOR:
        if pattern.search(norm):
            return kind
    return None


def _strip_marks(text: str) -> str:
    text = re.sub(r"<sup>.*?</sup>|\^\{[^}]*\}", "", text)
    return text.translate({ord(ch): None for ch in _SUPERSCRIPTS + "✉*"})


def looks_like_author_list(line: str) -> bool:
    """True for "I-Wei Ho<sup>1,2</sup>, Nai-Jung Chiang<sup>1,2</sup>, ..." and similar lines."""
    bare = _strip_marks(line).strip()
    if not bare or bare.endswith(".") and not re.search(r"\b[A-Z]\.$", bare):
        return False
    items = [item.strip() for item in re.split(r",|\band\b|&", bare) if item.strip()]
    if len(items) < 3:
        return False
    names = 0
    for item in items:
        tokens = item.split()
        if 2 <= len(tokens) <= 5 and all(t[0].isupper() or t in {"de", "van", "von", "del", "da", "di", "la"}
                                          for t in tokens) and not any(ch.isdigit() for ch in item):
            names += 1
    return names / len(items) >= 0.8


def looks_like_affiliation(text: str) -> bool:
    """A paragraph that opens with an affiliation mark and names an institution."""
    return bool(_SUP_MARK.match(text)) and bool(_AFFILIATION_WORDS.search(text[:400]))


def _is_furniture(para: _Para, text: str) -> str | None:
    first = para.lines[0].strip()
    body = text[para.start : para.end]
    if _CORRESPONDENCE.match(first) or (len(body) < 200 and _EMAIL.search(body)):
        return "affiliations"
    if looks_like_affiliation(body) or (para.single and looks_like_author_list(first)):
        return "affiliations"
    if _FURNITURE.match(first) or _CITATION_LINE.match(first):
        return "furniture"
    # side-bar blocks: several short lines (addresses, names, running headers)
    if len(para.lines) >= 2 and all(len(line.strip()) <= 60 for line in para.lines) and not any(
        line.rstrip().endswith((".", ")")) and len(line) > 45 for line in para.lines
    ):
        return "affiliations" if _AFFILIATION_WORDS.search(body) else "furniture"
    return None


def _plain_heading(line: str) -> bool:
    """A short stand-alone line shaped like a heading ("Treatment efficacy", "1L treatment of ...")."""
    stripped = line.strip()
    if not (2 <= len(stripped) <= 90) or len(stripped.split()) > 12:
        return False
    if stripped.endswith((".", ",", ";", ":")) or _NOT_HEADINGS.match(stripped):
        return False
    if re.search(r"[<>@|\t$=]|https?:|\(\s*$", stripped):
        return False
    if not re.search(r"[^\W\d_]{3,}", stripped):
        return False
    first = stripped[0]
    return first.isupper() or (first.isdigit() and bool(re.match(r"\d+[A-Z]{1,2}\b", stripped)))


@dataclass
class _Unit:
    kind: str
    title: str
    start: int
    heading: Span | None = None
    new: bool = True  # starts a new section (False: continues the previous one)


def segment(text: str, tables: tuple[Table, ...] = ()) -> tuple[Section, ...]:
    """Cut ``text`` into sections; ``tables`` (from :func:`loaders.tables.find_tables`) become
    sections of kind ``table`` spanning caption, rows and footnotes (all printed parts)."""
    table_spans = sorted(
        (span.start, span.end, table.label)
        for table in tables
        for span in (table.parts or (Span(table.start, table.end),))
    )
    units: list[_Unit] = []
    major: str | None = None  # None = front matter
    major_title = ""
    seen_title = False
    seen_abstract = False
    current: tuple[str, str] | None = None  # (kind, title) of the prose to resume after an interruption
    ti = 0
    title_heading = _title_heading(text)

    for span in paragraphs(text):
        while ti < len(table_spans) and table_spans[ti][1] <= span.start:
            ti += 1
        if ti < len(table_spans) and table_spans[ti][0] <= span.start < table_spans[ti][1]:
            t_start, _, label = table_spans[ti]
            if not units or units[-1].kind != "table" or units[-1].start != t_start:
                units.append(_Unit("table", label, t_start))
            continue
        para_text = text[span.start : span.end]
        para = _Para(span.start, span.end, para_text.splitlines())
        first = para.lines[0].strip()
        md = _MD_HEADING.match(first) if para.single else None
        bold = _BOLD_LINE.match(first) if para.single else None

        # the title
        if not seen_title and major is None:
            if title_heading is not None:
                is_title = span.start == title_heading
            elif _is_furniture(para, text) is None and not md:
                # the first paragraph that is not furniture is the title when it is shaped like one
                # (an excerpt that opens with a sentence or a "Results" heading has no title)
                seen_title = True
                is_title = (para.single and len(first) <= 300 and major_kind(first) is None
                            and not _RUN_IN.match(first) and not _FIGURE.match(first)
                            and not re.search(r"[.!?]$", first))
            else:
                is_title = False
            if is_title:
                seen_title = True
                heading_text = md.group(2) if md else first
                units.append(_Unit("title", _clean(heading_text), span.start, Span(span.start, span.end)))
                continue
            if title_heading is not None and span.start < title_heading:
                units.append(_Unit("furniture", _clean(first)[:80], span.start))
                continue

        furniture = _is_furniture(para, text)
        if furniture and not md:
            units.append(_Unit(furniture, _clean(first)[:80], span.start))
            continue

        if _FIGURE.match(first) and not md:
            units.append(_Unit("figure_legend", _clean(first)[:80], span.start))
            continue
        if units and units[-1].kind == "figure_legend" and (
            first.lower().startswith("source:") or _looks_like_abbreviations(first)
            or _ONE_ABBREVIATION.match(first)
            or not re.search(r"[.!?][*)\]]*\s*$", text[max(0, span.start - 10) : span.start])
        ):
            continue  # stays in the legend

        heading_text = None
        if md:
            heading_text = md.group(2)
        elif bold:
            heading_text = bold.group(1)
        elif para.single and major_kind(first) is not None:
            heading_text = first
        elif para.single and major not in (None, "references") and _plain_heading(first):
            if _next_is_furniture(text, span.end):
                units.append(_Unit("furniture", _clean(first)[:80], span.start))
                continue
            heading_text = first
        if heading_text is not None:
            kind = major_kind(heading_text)
            if kind is None:
                kind = major or "body"
            else:
                major, major_title = kind, _clean(heading_text)
                if kind == "abstract":
                    seen_abstract = True
            units.append(_Unit(kind, _clean(heading_text), span.start, Span(span.start, span.end)))
            current = (kind, _clean(heading_text))
            continue

        run_in = _RUN_IN.match(para_text)
        if run_in:
            label = (run_in.group("bold") or run_in.group("plain") or "").strip(" :")
            named = major_kind(label)
            if major in (None, "abstract") and named != "declarations":
                kind = "abstract"
                if major is None:
                    major, major_title = "abstract", "Abstract"
                seen_abstract = True
            else:
                kind = named or major or "body"
            head_end = span.start + len(run_in.group(0).rstrip())
            units.append(_Unit(kind, _clean(label), span.start, Span(span.start, head_end)))
            current = (kind, _clean(label))
            continue

        # prose
        if major is None:
            if not seen_abstract and len(para_text) >= 400:
                seen_abstract = True
                units.append(_Unit("abstract", "Abstract", span.start))
                current = ("abstract", "Abstract")
                continue
            if seen_abstract:
                major, major_title = "introduction", "Introduction"
                units.append(_Unit("introduction", "Introduction", span.start))
                current = ("introduction", "Introduction")
                continue
            if re.search(r"[.!?][\"'”’)\]]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹,–]+|<sup>[^<]*</sup>|\^\{[^}]*\})?$", para_text.rstrip()):
                # prose before any heading that is not an abstract: an excerpt, a note
                major, major_title = "body", ""
                units.append(_Unit("body", "", span.start))
                current = ("body", "")
                continue
            units.append(_Unit("furniture", _clean(first)[:80], span.start))
            continue
        if units and units[-1].kind in ("table", "furniture", "affiliations", "figure_legend", "title"):
            kind, title = current or (major, major_title)
            units.append(_Unit(kind, title, span.start))
        # else: the paragraph continues the current section

    return _to_sections(text, units)


def _next_is_furniture(text: str, end: int) -> bool:
    """Whether the paragraph after ``end`` is furniture (a running journal header precedes it)."""
    following = paragraphs(text, end, min(len(text), end + 2000))
    if not following:
        return False
    span = following[0]
    return _is_furniture(_Para(span.start, span.end, text[span.start : span.end].splitlines()), text) is not None


def _looks_like_abbreviations(line: str) -> bool:
    from loaders.tables import is_abbreviation_list

    return is_abbreviation_list(line)


def _clean(heading: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>|\*\*|[#*]", "", heading)).strip(" :")


def _title_heading(text: str) -> int | None:
    """Offset of the first level-1 markdown heading in the first part of the text, if any."""
    limit = max(4000, len(text) // 10)
    for m in re.finditer(r"(?m)^# +(\S.*)$", text[:limit]):
        if major_kind(m.group(1)) is None:  # "# Abstract" is not a title
            return m.start()
    return None


def _to_sections(text: str, units: list[_Unit]) -> tuple[Section, ...]:
    sections: list[Section] = []
    if not units:
        return (Section("", "body", 0, len(text)),) if text else ()
    for n, unit in enumerate(units):
        start = 0 if n == 0 else unit.start
        end = units[n + 1].start if n + 1 < len(units) else len(text)
        sections.append(Section(unit.title, unit.kind, start, end, unit.heading))
    return tuple(sections)
